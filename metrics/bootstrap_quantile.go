package metrics

import (
	"cmp"
	"math"
	"slices"
)

// rankedSample is a sample of row values sorted ascending, each tagged
// with the resampling unit (incident) its row belongs to.
type rankedSample struct {
	values []float64
	unit   []int32
	units  int
}

// newRankedSample sorts values and their unit tags together. Above
// exactBootstrapMaxUnits units the intervals need no unit tags, so only
// the values are sorted.
func newRankedSample(values []float64, unit []int32, units int) rankedSample {
	if units > exactBootstrapMaxUnits {
		slices.Sort(values)
		return rankedSample{values: values, units: units}
	}
	type tagged struct {
		value float64
		unit  int32
	}
	pairs := make([]tagged, len(values))
	for i := range values {
		pairs[i] = tagged{values[i], unit[i]}
	}
	slices.SortFunc(pairs, func(a, b tagged) int { return cmp.Compare(a.value, b.value) })
	s := rankedSample{values: values, unit: unit, units: units}
	for i, p := range pairs {
		s.values[i], s.unit[i] = p.value, p.unit
	}
	return s
}

// weightedQuantile returns the q-quantile, by the rule of Quantile, of the
// sample in which each row appears as many times as its unit's weight.
func (s rankedSample) weightedQuantile(weights []int, q float64) float64 {
	total := 0
	for _, u := range s.unit {
		total += weights[u]
	}
	if total == 0 {
		return math.NaN()
	}
	h := float64(total-1) * q
	rank := int(math.Floor(h))
	frac := h - float64(rank)

	lowValue, highValue := math.NaN(), math.NaN()
	seen := 0
	for i, u := range s.unit {
		seen += weights[u]
		if math.IsNaN(lowValue) && seen > rank {
			lowValue = s.values[i]
		}
		if seen > rank+1 {
			highValue = s.values[i]
			break
		}
	}
	if frac == 0 || math.IsNaN(highValue) {
		return lowValue
	}
	return lowValue + frac*(highValue-lowValue)
}

// drawWeights fills weights with the multiplicity of each unit in one
// bootstrap resample of len(weights) units.
func (b *bootstrapper) drawWeights(weights []int) {
	clear(weights)
	n := len(weights)
	for range n {
		weights[b.rng.IntN(n)]++
	}
}

// quantileEstimate returns the q-quantile of the sample with a percentile
// bootstrap interval over units. Above exactBootstrapMaxUnits units the
// interval is the bootstrap's large-sample limit: the values at positions
// h ∓ z·sqrt(n·q·(1−q)) around h = (n−1)·q, since the number of resampled
// rows at or below a given rank is binomial.
func (b *bootstrapper) quantileEstimate(s rankedSample, q float64) Estimate {
	n := len(s.values)
	if n == 0 {
		return NoData()
	}
	e := Estimate{
		Value: Quantile(s.values, q), N: n,
		Interval: IntervalBootstrap, Confidence: b.confidence,
	}

	if s.units > exactBootstrapMaxUnits {
		h := float64(n-1) * q
		d := zScore(b.confidence) * math.Sqrt(float64(n)*q*(1-q))
		e.Lower = s.valueAt(h - d)
		e.Upper = s.valueAt(h + d)
		return e
	}

	if s.units == 1 {
		// Every resample holds the one unit once, so every resampled
		// quantile is the same value.
		v := s.weightedQuantile([]int{1}, q)
		if math.IsNaN(v) {
			e.Lower, e.Upper = math.NaN(), math.NaN()
			return e
		}
		if singleUnit(s.units, v) {
			e.Lower, e.Upper = v, v
			return e
		}
	}

	weights := make([]int, s.units)
	samples := make([]float64, 0, b.resamples)
	for range b.resamples {
		b.drawWeights(weights)
		if v := s.weightedQuantile(weights, q); !math.IsNaN(v) {
			samples = append(samples, v)
		}
	}
	e.Lower, e.Upper = percentileInterval(samples, b.confidence)
	return e
}

// valueAt interpolates linearly at a fractional 0-based position,
// clamped to the sample.
func (s rankedSample) valueAt(h float64) float64 {
	n := len(s.values)
	h = math.Min(float64(n-1), math.Max(0, h))
	return quantileAt(func(i int) float64 { return s.values[i] }, n, h/math.Max(1, float64(n-1)))
}
