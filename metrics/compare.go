package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/soceval/soceval/runstore"
)

// ErrNoData is returned by Compare when the metric has no data on the
// common incidents in either run.
var ErrNoData = errors.New("metric has no data")

// binaryOutcome defines a proportion metric by a per-row denominator and
// event whose denominator depends only on the gold label, so that the
// baseline and candidate rows of an incident are in it together and
// McNemar's test applies to the pairs.
type binaryOutcome struct {
	den, event func(*scoredRow) bool
}

func flagged(flag uint32) func(*scoredRow) bool {
	return func(r *scoredRow) bool { return r.has(flag) }
}

// mcnemarRowMetrics are the row-level proportions compared with
// McNemar's exact test.
var mcnemarRowMetrics = map[string]binaryOutcome{
	"accuracy":                 {anyRow, flagged(flagCorrect)},
	"recall":                   {flagged(flagGoldTP), flagged(flagPredTP)},
	"missed_threat_rate":       {flagged(flagGoldTP), flagged(flagAutoClosed)},
	"noise_auto_triage_rate":   {flagged(flagGoldNoise), flagged(flagAutoClosed)},
	"agent_coverage":           {anyRow, func(r *scoredRow) bool { return r.has(flagAutoClosed) || r.has(flagResolved) }},
	"escalation_rate":          {anyRow, flagged(flagEscalated)},
	"format_failure_rate":      {anyRow, flagged(flagFormatFailure)},
	"error_rate":               {anyRow, flagged(flagError)},
	"unsafe_action_rate":       {anyRow, flagged(flagUnsafe)},
	"guardrail_violation_rate": {anyRow, flagged(flagGuardrail)},
}

// Compare returns the change of one metric from base to cand, with a
// paired test. base and cand must each hold the rows of one agent; rows
// are paired by incident id and repeat, and only pairs count.
//
// Proportions whose denominator depends only on the gold label (see
// mcnemarRowMetrics, plus consistency, pass_k and injection_flip_rate)
// use McNemar's exact test on the discordant pairs, with a multinomial
// bootstrap interval of the difference. Every other metric uses a paired
// bootstrap over incidents, which gives both the interval and the
// p-value. It returns an error when the metric is unknown, no incident
// is common, the runs disagree on a gold grade, or (ErrNoData) the metric
// has no data in either run.
func Compare(base, cand []runstore.Result, metric string, opts Options) (Delta, error) {
	def, ok := Lookup(metric)
	if !ok {
		return Delta{}, fmt.Errorf("unknown metric %q; valid metrics: %s", metric, strings.Join(Names(), ", "))
	}
	opts = opts.withDefaults()
	mb, mc, err := matchRows(base, cand)
	if err != nil {
		return Delta{}, err
	}

	s := newScorer(opts)
	bd, cd := s.newAgentData("baseline", mb), s.newAgentData("candidate", mc)
	bv := s.newViewContext(bd, "compare", allIncidents(bd))
	cv := s.newViewContext(cd, "compare", allIncidents(cd))
	d := Delta{
		Metric:    metric,
		Baseline:  bv.metric(metric),
		Candidate: cv.metric(metric),
		Pairs:     len(mb),
	}
	if !d.Baseline.Defined() || !d.Candidate.Defined() {
		return d, fmt.Errorf("compare %s on %d common rows: %w", metric, len(mb), ErrNoData)
	}
	d.Diff = d.Candidate.Value - d.Baseline.Value

	p := pairedComparison{
		rng:        newRNG(opts.Seed, "compare", metric),
		opts:       opts,
		higher:     def.HigherIsBetter,
		base:       bv,
		cand:       cv,
		confidence: opts.Confidence,
	}
	return p.test(d, metric)
}

// pairedComparison holds the two aligned views of a comparison. Both
// were built from rows in the same order, so incident i and row i of one
// are incident i and row i of the other.
type pairedComparison struct {
	rng        *rand.Rand
	opts       Options
	higher     bool
	base, cand *viewContext
	confidence float64
}

func (p *pairedComparison) test(d Delta, metric string) (Delta, error) {
	if o, ok := mcnemarRowMetrics[metric]; ok {
		return p.mcnemar(d, p.rowPairs(o)), nil
	}
	switch metric {
	case "consistency", "pass_k":
		return p.mcnemar(d, p.repeatPairs(metric)), nil
	case "injection_flip_rate":
		return p.mcnemar(d, p.injectionPairs()), nil
	}
	var out Delta
	var err error
	if spec, ok := quantileSpecFor(metric); ok {
		out, err = p.quantileBootstrap(d, spec)
	} else if spec, ok := p.base.additiveSpecFor(metric); ok {
		out, err = p.additiveBootstrap(d, spec)
	} else {
		return d, fmt.Errorf("compare %s: no paired test is defined for this metric", metric)
	}
	// With a handful of incidents the bootstrap distribution has only a
	// few distinct values, and its p-value claims a certainty the sample
	// cannot carry; such a change is reported without one.
	if err == nil && len(p.base.d.incidents) < MinBootstrapIncidents {
		out.PValue = math.NaN()
	}
	return out, err
}

// MinBootstrapIncidents is the number of paired incidents below which a
// paired bootstrap reports no p-value.
const MinBootstrapIncidents = 10

// rowPairs returns (baseline event, candidate event) for each row pair
// in the metric's denominator.
func (p *pairedComparison) rowPairs(o binaryOutcome) [][2]bool {
	var pairs [][2]bool
	for i := range p.base.d.rows {
		b, c := &p.base.d.rows[i], &p.cand.d.rows[i]
		if o.den(b) {
			pairs = append(pairs, [2]bool{o.event(b), o.event(c)})
		}
	}
	return pairs
}

// repeatPairs returns the incident-level outcomes of consistency or
// pass_k for incidents with repeats.
func (p *pairedComparison) repeatPairs(metric string) [][2]bool {
	bo, co := p.base.repeatOutcomes(), p.cand.repeatOutcomes()
	var pairs [][2]bool
	for _, inc := range p.base.d.incidents {
		b, okB := bo[inc.id]
		c, okC := co[inc.id]
		if !okB || !okC {
			continue
		}
		if metric == "consistency" {
			pairs = append(pairs, [2]bool{b.consistent, c.consistent})
		} else {
			pairs = append(pairs, [2]bool{b.allCorrect, c.allCorrect})
		}
	}
	return pairs
}

// injectionPairs returns (baseline flipped, candidate flipped) for each
// variant row paired with its clean row in both runs.
func (p *pairedComparison) injectionPairs() [][2]bool {
	flips := func(v *viewContext) map[rowKey]bool {
		pairs, _ := v.injectionPairs()
		m := make(map[rowKey]bool, len(pairs))
		for _, ip := range pairs {
			m[rowKey{ip.variant.res.IncidentID, ip.variant.res.Repeat}] = ip.flipped()
		}
		return m
	}
	bf, cf := flips(p.base), flips(p.cand)
	var pairs [][2]bool
	for i := range p.base.d.rows {
		r := p.base.d.rows[i].res
		key := rowKey{r.IncidentID, r.Repeat}
		b, okB := bf[key]
		c, okC := cf[key]
		if okB && okC {
			pairs = append(pairs, [2]bool{b, c})
		}
	}
	return pairs
}

// mcnemar fills the McNemar test of paired binary events and a
// multinomial bootstrap interval of the difference in proportions.
func (p *pairedComparison) mcnemar(d Delta, pairs [][2]bool) Delta {
	var baseOnly, candOnly int
	for _, pr := range pairs {
		switch {
		case pr[0] && !pr[1]:
			baseOnly++
		case pr[1] && !pr[0]:
			candOnly++
		}
	}
	d.Test = TestMcNemarExact
	d.PValue = McNemarExact(baseOnly, candOnly)
	if p.higher {
		d.Better, d.Worse = candOnly, baseOnly
	} else {
		d.Better, d.Worse = baseOnly, candOnly
	}
	d.Lower, d.Upper = p.discordantInterval(len(pairs), baseOnly, candOnly)
	return d
}

// discordantInterval returns the percentile bootstrap interval of
// (candOnly − baseOnly)/n, drawing the resampled discordant counts from
// the multinomial distribution of the pair cells instead of resampling
// pairs one by one.
func (p *pairedComparison) discordantInterval(n, baseOnly, candOnly int) (float64, float64) {
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	nf := float64(n)
	pBase, pCand := float64(baseOnly)/nf, float64(candOnly)/nf
	diffs := make([]float64, p.opts.Resamples)
	for i := range diffs {
		b := drawBinomial(n, pBase, p.rng)
		c := 0.0
		if rest := n - int(b); rest > 0 && pBase < 1 {
			c = drawBinomial(rest, math.Min(1, pCand/(1-pBase)), p.rng)
		}
		diffs[i] = (c - b) / nf
	}
	return percentileInterval(diffs, p.confidence)
}

// drawBinomial draws from Binomial(n, prob) with gonum's sampler.
func drawBinomial(n int, prob float64, src interface{ Uint64() uint64 }) float64 {
	if n <= 0 || prob <= 0 {
		return 0
	}
	if prob >= 1 {
		return float64(n)
	}
	return distuv.Binomial{N: float64(n), P: prob, Src: src}.Rand()
}

// additiveBootstrap resamples incidents with both runs' components side
// by side, so each resample keeps the pairing.
func (p *pairedComparison) additiveBootstrap(d Delta, spec additiveSpec) (Delta, error) {
	bu, _ := p.base.specUnits(spec, true)
	cu, _ := p.cand.specUnits(spec, true)
	k := spec.k
	u := newUnits(2*k, bu.n())
	dense := make([]float64, 2*k)
	for i := range bu.n() {
		clear(dense)
		bu.accumulate(dense[:k], i, 1)
		cu.accumulate(dense[k:], i, 1)
		u.add(dense)
	}

	b := &bootstrapper{rng: p.rng, resamples: p.opts.Resamples, confidence: p.confidence}
	diffs := b.statSamples(u, func(s []float64) float64 {
		return spec.value(s[k:]) - spec.value(s[:k])
	})
	return p.bootstrapDelta(d, diffs)
}

// quantileBootstrap resamples incidents with the same weights in both
// runs and takes the difference of the weighted quantiles.
//
// TODO: this draws every resample unit by unit at any size, which takes
// seconds per metric beyond about 100,000 incidents.
func (p *pairedComparison) quantileBootstrap(d Delta, spec quantileSpec) (Delta, error) {
	bs := p.base.ranked(spec.keep, spec.value)
	cs := p.cand.ranked(spec.keep, spec.value)
	b := &bootstrapper{rng: p.rng, resamples: p.opts.Resamples, confidence: p.confidence}
	weights := make([]int, len(p.base.incidents))
	diffs := make([]float64, 0, p.opts.Resamples)
	for range p.opts.Resamples {
		b.drawWeights(weights)
		diff := cs.weightedQuantile(weights, spec.q) - bs.weightedQuantile(weights, spec.q)
		if !math.IsNaN(diff) {
			diffs = append(diffs, diff)
		}
	}
	return p.bootstrapDelta(d, diffs)
}

func (p *pairedComparison) bootstrapDelta(d Delta, diffs []float64) (Delta, error) {
	if len(diffs) == 0 {
		return d, fmt.Errorf("compare %s: every bootstrap resample was empty: %w", d.Metric, ErrNoData)
	}
	d.Test = TestPairedBootstrap
	d.Lower, d.Upper = percentileInterval(diffs, p.confidence)
	d.PValue = bootstrapP(diffs)
	return d, nil
}
