package metrics

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// zScore returns the two-sided standard normal critical value for the
// given confidence, such as 1.959964 for 0.95.
func zScore(confidence float64) float64 {
	return distuv.UnitNormal.Quantile(1 - (1-confidence)/2)
}

// Wilson returns the Wilson score interval for successes out of n trials:
//
//	centre = (p + z²/2n) / (1 + z²/n)
//	half   = z / (1 + z²/n) · sqrt(p(1−p)/n + z²/4n²)
//
// with p = successes/n and z the two-sided normal critical value. It
// returns NaN bounds when n is 0.
func Wilson(successes, n int, confidence float64) (lower, upper float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	z := zScore(confidence)
	nf := float64(n)
	p := float64(successes) / nf
	z2 := z * z
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lower, upper = math.Max(0, centre-half), math.Min(1, centre+half)

	// At k = 0 and k = n the bound is exactly 0 or 1; rounding leaves a
	// residue such as 2.8e-17.
	if successes <= 0 {
		lower = 0
	}
	if successes >= n {
		upper = 1
	}
	return lower, upper
}

// Proportion returns num/den with its Wilson interval, or NoData when den
// is 0.
func Proportion(num, den int, confidence float64) Estimate {
	if den <= 0 {
		return NoData()
	}
	lo, hi := Wilson(num, den, confidence)
	return Estimate{
		Value: float64(num) / float64(den), Lower: lo, Upper: hi,
		Num: num, Den: den, N: den,
		Interval: IntervalWilson, Confidence: confidence,
	}
}

// Quantile returns the q-quantile of sorted, which must be in ascending
// order, by linear interpolation between closest ranks: the value at
// position h = (n−1)·q, as numpy.quantile's default ("linear", Hyndman
// and Fan type 7) and R's default compute it. So the median of 1, 2, 3, 4
// is 2.5. It returns NaN for an empty sample.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	return quantileAt(func(i int) float64 { return sorted[i] }, n, q)
}

// quantileAt applies the type 7 rule to a sorted sample of n values read
// through at.
func quantileAt(at func(int) float64, n int, q float64) float64 {
	h := float64(n-1) * math.Min(1, math.Max(0, q))
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return at(n - 1)
	}
	frac := h - float64(lo)
	a := at(lo)
	if frac == 0 {
		return a
	}
	return a + frac*(at(lo+1)-a)
}

// Quantiles returns the quantiles qs of values, in any order, using the
// rule of Quantile. values is not modified.
func Quantiles(values []float64, qs ...float64) []float64 {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	out := make([]float64, len(qs))
	for i, q := range qs {
		out[i] = Quantile(sorted, q)
	}
	return out
}

// mean returns the arithmetic mean of values, or NaN when empty.
func mean(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range values {
		s += v
	}
	return s / float64(len(values))
}
