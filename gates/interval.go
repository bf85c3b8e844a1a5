package gates

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/soceval/soceval/metrics"
)

// zScore returns the two-sided normal quantile for a coverage, such as
// 1.96 for 0.95.
func zScore(confidence float64) float64 {
	return distuv.UnitNormal.Quantile(1 - (1-confidence)/2)
}

// casesToCertify returns the smallest n at which a perfect proportion
// passes an interval-bound limit: zero events under a max on the upper
// bound (Wilson upper z²/(n+z²) ≤ limit), or n of n under a min on the
// lower bound (Wilson lower n/(n+z²) ≥ limit). It returns 0 when no n can.
func casesToCertify(limit float64, isMax bool, confidence float64) int {
	z2 := math.Pow(zScore(confidence), 2)
	var n float64
	switch {
	case isMax && limit > 0 && limit < 1:
		n = z2 * (1 - limit) / limit
	case !isMax && limit > 0 && limit < 1:
		n = z2 * limit / (1 - limit)
	case isMax && limit >= 1, !isMax && limit <= 0:
		return 1
	default:
		return 0
	}

	// Step past rounding so the returned n really certifies the limit.
	k := max(1, int(math.Ceil(n-1e-9)))
	for !perfectPasses(k, limit, isMax, confidence) {
		k++
	}
	return k
}

// perfectPasses reports whether the most favourable result on n cases
// meets the limit on its interval bound.
func perfectPasses(n int, limit float64, isMax bool, confidence float64) bool {
	if n <= 0 {
		return false
	}
	if isMax {
		_, hi := metrics.Wilson(0, n, confidence)
		return hi <= limit
	}
	lo, _ := metrics.Wilson(n, n, confidence)
	return lo >= limit
}
