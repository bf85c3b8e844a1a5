package metrics

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// exactBootstrapMaxUnits is the largest number of resampling units for
// which the bootstrap draws every resample unit by unit. Above it, each
// resample's component sums are drawn from their large-sample normal
// limit, and quantile intervals come from the binomial distribution of
// order statistics. The unit-by-unit bootstrap converges to both, and
// their cost does not grow with the number of units.
//
// 200 keeps a full Compute (about 20 bootstrapped metrics on every slice,
// 2000 resamples each) within seconds on small sets.
var exactBootstrapMaxUnits = 200

// newRNG returns a generator seeded from seed and labels, so that each
// interval is reproducible on its own, whatever else was computed first.
func newRNG(seed int64, labels ...string) *rand.Rand {
	h := fnv.New64a()
	for _, l := range labels {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// units holds the additive components of each resampling unit (an
// incident, or a pair of incidents in a paired comparison) in sparse
// form, since most components of most units are zero. A statistic is a
// function of the component sums over the units of a sample.
type units struct {
	k     int
	start []int32
	idx   []int32
	val   []float64
}

func newUnits(k, capacity int) *units {
	return &units{
		k:     k,
		start: make([]int32, 1, capacity+1),
		idx:   make([]int32, 0, 2*capacity),
		val:   make([]float64, 0, 2*capacity),
	}
}

// add appends one unit given its dense components.
func (u *units) add(dense []float64) {
	for i, v := range dense {
		if v != 0 {
			u.idx = append(u.idx, int32(i))
			u.val = append(u.val, v)
		}
	}
	u.start = append(u.start, int32(len(u.idx)))
}

func (u *units) n() int { return len(u.start) - 1 }

// accumulate adds weight times unit i's components to sums.
func (u *units) accumulate(sums []float64, i int, weight float64) {
	for j := u.start[i]; j < u.start[i+1]; j++ {
		sums[u.idx[j]] += weight * u.val[j]
	}
}

// totals returns the component sums over all units.
func (u *units) totals() []float64 {
	sums := make([]float64, u.k)
	for i := range u.n() {
		u.accumulate(sums, i, 1)
	}
	return sums
}

// bootstrapper draws seeded bootstrap resamples.
type bootstrapper struct {
	rng        *rand.Rand
	resamples  int
	confidence float64
}

// statSamples returns the statistic f of the component sums of each
// bootstrap resample of the units. Resamples where f is NaN (an empty
// denominator) are dropped.
func (b *bootstrapper) statSamples(u *units, f func(sums []float64) float64) []float64 {
	n := u.n()
	if n == 0 {
		return nil
	}
	if n <= exactBootstrapMaxUnits {
		return b.exactSamples(u, f)
	}
	return b.normalSamples(u, f)
}

// exactSamples resamples n units with replacement for each resample.
func (b *bootstrapper) exactSamples(u *units, f func([]float64) float64) []float64 {
	n := u.n()
	sums := make([]float64, u.k)
	out := make([]float64, 0, b.resamples)
	for range b.resamples {
		clear(sums)
		for range n {
			u.accumulate(sums, b.rng.IntN(n), 1)
		}
		if v := f(sums); !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

// normalSamples draws each resample's sums from N(n·m, n·C), where m and
// C are the mean and covariance of the units' components: the limit of
// the bootstrap distribution of the sums as n grows. C may be singular
// (a component that is 1 for every unit), so it is factored by its
// eigendecomposition rather than Cholesky.
func (b *bootstrapper) normalSamples(u *units, f func([]float64) float64) []float64 {
	n, k := u.n(), u.k
	m, cov := u.moments()

	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	vals := eig.Values(nil)
	scale := make([]float64, k)
	for i, v := range vals {
		scale[i] = math.Sqrt(math.Max(v, 0) * float64(n))
	}

	z := make([]float64, k)
	sums := make([]float64, k)
	out := make([]float64, 0, b.resamples)
	for range b.resamples {
		for i := range z {
			z[i] = b.rng.NormFloat64() * scale[i]
		}
		for r := range k {
			s := float64(n) * m[r]
			for c := range k {
				s += vecs.At(r, c) * z[c]
			}
			sums[r] = s
		}
		if v := f(sums); !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

// moments returns the mean vector and the covariance matrix of the units'
// components, accumulating outer products over non-zero entries only.
func (u *units) moments() ([]float64, *mat.SymDense) {
	n, k := u.n(), u.k
	m := u.totals()
	second := make([]float64, k*k)
	for i := range n {
		for a := u.start[i]; a < u.start[i+1]; a++ {
			for c := u.start[i]; c < u.start[i+1]; c++ {
				second[int(u.idx[a])*k+int(u.idx[c])] += u.val[a] * u.val[c]
			}
		}
	}

	nf := float64(n)
	for i := range m {
		m[i] /= nf
	}
	cov := mat.NewSymDense(k, nil)
	for r := range k {
		for c := r; c < k; c++ {
			cov.SetSym(r, c, second[r*k+c]/nf-m[r]*m[c])
		}
	}
	return m, cov
}

// singleUnit reports whether a sample of n units takes the exact
// bootstrap's degenerate path: one unit, drawn into every resample, and a
// finite statistic, whose percentile interval is the statistic itself.
func singleUnit(n int, stat float64) bool {
	return n == 1 && n <= exactBootstrapMaxUnits && !math.IsInf(stat, 0)
}

// percentileInterval returns the (1−conf)/2 and 1−(1−conf)/2 quantiles of
// the bootstrap samples, or NaN bounds when there are none.
func percentileInterval(samples []float64, confidence float64) (lower, upper float64) {
	if len(samples) == 0 {
		return math.NaN(), math.NaN()
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	alpha := 1 - confidence
	return Quantile(sorted, alpha/2), Quantile(sorted, 1-alpha/2)
}

// bootstrapP returns the two-sided bootstrap p-value of a difference:
// twice the smaller share of resampled differences on either side of 0,
// with the usual +1 correction so that it is never 0, capped at 1.
func bootstrapP(diffs []float64) float64 {
	if len(diffs) == 0 {
		return math.NaN()
	}
	var le, ge int
	for _, d := range diffs {
		if d <= 0 {
			le++
		}
		if d >= 0 {
			ge++
		}
	}
	b := float64(len(diffs))
	p := 2 * math.Min(float64(le+1)/(b+1), float64(ge+1)/(b+1))
	return math.Min(1, p)
}

// sumsEstimate returns the statistic f over all units with a percentile
// bootstrap interval over units.
func (b *bootstrapper) sumsEstimate(u *units, f func([]float64) float64) Estimate {
	if u.n() == 0 {
		return NoData()
	}
	point := f(u.totals())
	if math.IsNaN(point) {
		return NoData()
	}
	var lo, hi float64
	if singleUnit(u.n(), point) {
		// Every resample of one unit is that unit, so every bootstrap
		// statistic equals the point estimate.
		lo, hi = point, point
	} else {
		lo, hi = percentileInterval(b.statSamples(u, f), b.confidence)
	}
	return Estimate{
		Value: point, Lower: lo, Upper: hi, N: u.n(),
		Interval: IntervalBootstrap, Confidence: b.confidence,
	}
}
