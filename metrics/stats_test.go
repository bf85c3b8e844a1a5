package metrics

import (
	"math"
	"testing"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f ± %g", name, got, want, tol)
	}
}

func TestWilsonReferenceValues(t *testing.T) {
	tests := []struct {
		num, den  int
		conf      float64
		low, high float64
	}{
		// Published reference: 9/12 at 95% is about 0.4677–0.9111.
		{9, 12, 0.95, 0.4677, 0.9111},
		// p = 0.5, z² = 3.841459: centre = 0.5, half =
		// 1.959964/1.384146 · sqrt(0.025 + 3.841459/400) = 0.263402.
		{5, 10, 0.95, 0.2366, 0.7634},
		// 0/10: centre = (0 + 0.192073)/1.384146 = 0.138767, half the same,
		// so the interval is [0, 0.277533].
		{0, 10, 0.95, 0, 0.2775},
		// 10/10 mirrors 0/10.
		{10, 10, 0.95, 0.7225, 1},
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.num, tt.den, tt.conf)
		near(t, "lower", lo, tt.low, 1e-4)
		near(t, "upper", hi, tt.high, 1e-4)
	}
}

func TestWilsonEmptyIsNaN(t *testing.T) {
	lo, hi := Wilson(0, 0, 0.95)
	if !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Wilson(0, 0) = %v, %v, want NaN, NaN", lo, hi)
	}
	if e := Proportion(0, 0, 0.95); e.Defined() {
		t.Errorf("Proportion(0, 0) is defined: %+v", e)
	}
}

func TestQuantileNumpyConvention(t *testing.T) {
	tests := []struct {
		values []float64
		q      float64
		want   float64
	}{
		// numpy.quantile([1, 2, 3, 4], 0.5) = 2.5 (gonum's stat.Quantile gives 2).
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		// h = 9·0.9 = 8.1: 9 + 0.1·(10 − 9) = 9.1.
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9.1},
		// h = 3·0.25 = 0.75: 10 + 0.75·(20 − 10) = 17.5.
		{[]float64{10, 20, 30, 40}, 0.25, 17.5},
		{[]float64{7}, 0.95, 7},
		{[]float64{1, 2}, 1, 2},
		{[]float64{1, 2}, 0, 1},
	}
	for _, tt := range tests {
		near(t, "quantile", Quantile(tt.values, tt.q), tt.want, 1e-12)
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("quantile of an empty sample is not NaN")
	}
	got := Quantiles([]float64{4, 1, 3, 2}, 0.5)
	near(t, "Quantiles of unsorted input", got[0], 2.5, 1e-12)
}

func TestMcNemarExactPValues(t *testing.T) {
	tests := []struct {
		b, c int
		want float64
	}{
		// 10 discordant pairs split 1 vs 9: 2·(C(10,0) + C(10,1))/2¹⁰ = 22/1024.
		{1, 9, 0.021484375},
		{9, 1, 0.021484375},
		// 0 vs 5: 2·1/32.
		{0, 5, 0.0625},
		// Balanced split: capped at 1.
		{3, 3, 1},
		{0, 0, 1},
		// 25 vs 0: 2/2²⁵.
		{25, 0, 5.960464477539063e-08},
	}
	for _, tt := range tests {
		got := McNemarExact(tt.b, tt.c)
		if math.Abs(got-tt.want) > 1e-12*math.Max(1, tt.want) && math.Abs(got-tt.want)/tt.want > 1e-9 {
			t.Errorf("McNemarExact(%d, %d) = %.12g, want %.12g", tt.b, tt.c, got, tt.want)
		}
	}
}

func TestHolmAdjust(t *testing.T) {
	// Sorted: 0.01·4 = 0.04; 0.03·3 = 0.09; 0.04·2 = 0.08, raised to the
	// running maximum 0.09; 0.2·1 = 0.2.
	got := HolmAdjust([]float64{0.01, 0.04, 0.03, 0.2})
	want := []float64{0.04, 0.09, 0.09, 0.2}
	for i := range want {
		near(t, "adjusted p", got[i], want[i], 1e-12)
	}

	// NaN stays NaN and does not count in m: 0.3·2 = 0.6, 0.5·1 → 0.6.
	got = HolmAdjust([]float64{0.5, math.NaN(), 0.3})
	if !math.IsNaN(got[1]) {
		t.Errorf("NaN p-value adjusted to %v", got[1])
	}
	near(t, "adjusted p[0]", got[0], 0.6, 1e-12)
	near(t, "adjusted p[2]", got[2], 0.6, 1e-12)

	// Capped at 1.
	got = HolmAdjust([]float64{0.6, 0.7})
	near(t, "capped p", got[0], 1, 0)
}

func TestBootstrapMeanMatchesNormalTheory(t *testing.T) {
	// A 0/1 sample with half ones has mean 0.5 and standard error
	// 0.5/sqrt(n), so the 95% interval half-width is 1.959964·0.5/sqrt(n):
	// 0.030990 for n = 1000 (unit-by-unit resampling) and 0.013859 for
	// n = 5000 (normal limit of the sums).
	for _, tt := range []struct {
		n    int
		half float64
	}{{1000, 0.030990}, {5000, 0.013859}} {
		u := newUnits(2, tt.n)
		for i := range tt.n {
			u.add([]float64{float64(i % 2), 1})
		}
		b := &bootstrapper{rng: newRNG(1, "test"), resamples: 4000, confidence: 0.95}
		e := b.sumsEstimate(u, ratioOfSums)
		near(t, "mean", e.Value, 0.5, 1e-12)
		near(t, "lower", e.Lower, 0.5-tt.half, tt.half*0.1)
		near(t, "upper", e.Upper, 0.5+tt.half, tt.half*0.1)
	}
}

func TestBootstrapQuantileLargeSample(t *testing.T) {
	// 0, 1, …, 10000: the median is 5000, and the limit interval is
	// 5000 ∓ 1.959964·sqrt(10001·0.25) = 5000 ∓ 98.00.
	n := 10001
	values := make([]float64, n)
	unit := make([]int32, n)
	for i := range values {
		values[i] = float64(n - 1 - i)
		unit[i] = int32(i)
	}
	s := newRankedSample(values, unit, n)
	b := &bootstrapper{rng: newRNG(1, "test"), resamples: 100, confidence: 0.95}
	e := b.quantileEstimate(s, 0.5)
	near(t, "median", e.Value, 5000, 0)
	near(t, "lower", e.Lower, 4902.0, 0.01)
	near(t, "upper", e.Upper, 5098.0, 0.01)
}

func TestWeightedQuantile(t *testing.T) {
	// Rows 1, 2, 3 in units 0, 1, 2 with weights 2, 0, 1 expand to
	// 1, 1, 3: median 1, and q = 0.75 gives h = 1.5: 1 + 0.5·(3 − 1) = 2.
	s := newRankedSample([]float64{3, 1, 2}, []int32{2, 0, 1}, 3)
	w := []int{2, 0, 1}
	near(t, "median", s.weightedQuantile(w, 0.5), 1, 0)
	near(t, "q75", s.weightedQuantile(w, 0.75), 2, 1e-12)
	near(t, "max", s.weightedQuantile(w, 1), 3, 0)
}

func TestBootstrapPValue(t *testing.T) {
	// All 9 differences below 0: 2·(0 + 1)/(9 + 1) = 0.2.
	near(t, "p", bootstrapP([]float64{-1, -1, -1, -1, -1, -1, -1, -1, -1}), 0.2, 1e-12)
	// Centred: capped at 1.
	near(t, "p", bootstrapP([]float64{-1, 0, 1}), 1, 0)
}
