package metrics

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// McNemarExact returns the two-sided p-value of McNemar's exact test for
// paired binary outcomes, given the two counts of discordant pairs: b
// pairs where only one run succeeded and c where only the other did.
// Under the null hypothesis each discordant pair falls either way with
// probability 1/2, so
//
//	p = min(1, 2 · P(X ≤ min(b, c))),  X ~ Binomial(b + c, 1/2).
//
// With no discordant pair it returns 1.
func McNemarExact(b, c int) float64 {
	n := b + c
	if n == 0 {
		return 1
	}
	k := min(b, c)
	cdf := distuv.Binomial{N: float64(n), P: 0.5}.CDF(float64(k))
	return math.Min(1, 2*cdf)
}

// HolmAdjust returns Holm–Bonferroni adjusted p-values in the order of p.
// With the p-values sorted ascending as p(1) ≤ … ≤ p(m), the adjusted
// value of p(i) is max over j ≤ i of min(1, (m − j + 1)·p(j)). Rejecting
// every hypothesis whose adjusted p-value is at most α controls the
// family-wise error rate at α. NaN inputs stay NaN and do not count in m.
func HolmAdjust(p []float64) []float64 {
	order := make([]int, 0, len(p))
	for i, v := range p {
		if !math.IsNaN(v) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})

	out := make([]float64, len(p))
	for i := range out {
		out[i] = math.NaN()
	}
	m := len(order)
	running := 0.0
	for rank, i := range order {
		adj := math.Min(1, float64(m-rank)*p[i])
		running = math.Max(running, adj)
		out[i] = running
	}
	return out
}
