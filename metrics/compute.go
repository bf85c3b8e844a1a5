package metrics

import (
	"runtime"
	"sync"

	"github.com/soceval/soceval/runstore"
)

// Compute scores result rows: one AgentMetrics per distinct agent, in
// order of each agent's first row. Every metric of the registry is
// computed overall and for every slice; a metric without data is
// NoData, never 0.
func Compute(rows []runstore.Result, opts Options) *Summary {
	opts = opts.withDefaults()
	s := newScorer(opts)

	var order []string
	byAgent := map[string][]*runstore.Result{}
	for i := range rows {
		name := rows[i].Agent
		if _, ok := byAgent[name]; !ok {
			order = append(order, name)
		}
		byAgent[name] = append(byAgent[name], &rows[i])
	}

	sum := &Summary{Agents: make([]AgentMetrics, 0, len(order))}
	for _, name := range order {
		d := s.newAgentData(name, byAgent[name])
		sum.Agents = append(sum.Agents, s.agentMetrics(d))
	}
	return sum
}

// agentMetrics computes one agent's overall and per-slice metrics.
func (s *scorer) agentMetrics(d *agentData) AgentMetrics {
	all := allIncidents(d)
	ctx := s.newViewContext(d, "overall", all)
	am := AgentMetrics{
		Agent:     d.name,
		Incidents: len(d.incidents),
		Rows:      len(d.rows),
		Metrics:   ctx.metrics(),
		PerClass:  ctx.perClass(),
		Confusion: ctx.confusion(),
		Layers:    ctx.layers(),
	}
	am.TTR, am.Latency = ctx.distributions()
	am.Calibration = ctx.calibrationBins()

	am.Slices = s.sliceMetrics(d)
	am.Warnings = ctx.warnings(am.Metrics)
	return am
}

// sliceMetrics computes every slice's metrics, GOMAXPROCS slices at a
// time. Each interval has its own seeded generator, so the result does
// not depend on the order in which slices finish.
func (s *scorer) sliceMetrics(d *agentData) []Slice {
	views := sliceViews(d)
	out := make([]Slice, len(views))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, sl := range views {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx := s.newViewContext(d, sl.Dimension+"="+sl.Value, sl.incidents)
			out[i] = Slice{
				Dimension: sl.Dimension,
				Value:     sl.Value,
				Rows:      ctx.rowCount(),
				Metrics:   ctx.metrics(),
			}
		}()
	}
	wg.Wait()
	return out
}

func allIncidents(d *agentData) []int32 {
	all := make([]int32, len(d.incidents))
	for i := range all {
		all[i] = int32(i)
	}
	return all
}

// viewContext computes metrics over a subset of an agent's incidents.
type viewContext struct {
	s         *scorer
	d         *agentData
	label     string
	incidents []int32

	// Cached results of one pass over the view's rows.
	proportionCache map[string]Estimate
	repeatCache     map[string]Estimate
	estimatedCache  *bool
	rankedCache     map[string]rankedSample
}

func (s *scorer) newViewContext(d *agentData, label string, incidents []int32) *viewContext {
	return &viewContext{s: s, d: d, label: label, incidents: incidents}
}

// eachRow calls fn for every row in the view with the position of its
// incident within the view.
func (v *viewContext) eachRow(fn func(unit int32, r *scoredRow)) {
	for u, inc := range v.incidents {
		for _, ri := range v.d.incidents[inc].rows {
			fn(int32(u), &v.d.rows[ri])
		}
	}
}

func (v *viewContext) rowCount() int {
	n := 0
	for _, inc := range v.incidents {
		n += len(v.d.incidents[inc].rows)
	}
	return n
}

// bootstrapper returns a generator dedicated to one metric of this view.
func (v *viewContext) bootstrapper(metric string) *bootstrapper {
	o := v.s.opts
	return &bootstrapper{
		rng:        newRNG(o.Seed, v.d.name, v.label, metric),
		resamples:  o.Resamples,
		confidence: o.Confidence,
	}
}

// metrics computes every registered metric over the view.
func (v *viewContext) metrics() map[string]Estimate {
	m := make(map[string]Estimate, len(definitions))
	for name := range definitions {
		m[name] = v.metric(name)
	}
	return m
}

// metric computes one registered metric over the view: proportions with a
// Wilson interval, quantiles and other statistics with a bootstrap
// interval over incidents. An unknown name gives NoData.
func (v *viewContext) metric(name string) Estimate {
	if e, ok := v.proportions()[name]; ok {
		return e
	}
	if e, ok := v.repeatMetrics()[name]; ok {
		return e
	}

	var e Estimate
	if spec, ok := quantileSpecFor(name); ok {
		e = v.quantileEstimate(name, spec)
	} else if spec, ok := v.additiveSpecFor(name); ok {
		e = v.additiveEstimate(name, spec)
	} else {
		return NoData()
	}
	if ttrMetrics[name] {
		e.Estimated = e.Defined() && v.estimatedTTR()
	}
	return e
}

// additiveEstimate returns the spec's value over the view with a
// bootstrap interval over incidents.
func (v *viewContext) additiveEstimate(name string, spec additiveSpec) Estimate {
	u, rows := v.specUnits(spec, false)
	e := v.bootstrapper(name).sumsEstimate(u, spec.value)
	e.N = rows
	return e
}

// quantileEstimate returns the spec's quantile over the view with a
// bootstrap interval over incidents.
func (v *viewContext) quantileEstimate(name string, spec quantileSpec) Estimate {
	return v.bootstrapper(name).quantileEstimate(v.sample(spec), spec.q)
}

// sample returns the sorted sample of a quantile spec, computed once per
// view.
func (v *viewContext) sample(spec quantileSpec) rankedSample {
	if v.rankedCache == nil {
		v.rankedCache = map[string]rankedSample{}
	}
	s, ok := v.rankedCache[spec.sample]
	if !ok {
		s = v.ranked(spec.keep, spec.value)
		v.rankedCache[spec.sample] = s
	}
	return s
}

// estimatedTTR reports whether any row of the view has an estimated human
// baseline.
func (v *viewContext) estimatedTTR() bool {
	if v.estimatedCache == nil {
		est := false
		v.eachRow(func(_ int32, r *scoredRow) { est = est || r.has(flagEstimated) })
		v.estimatedCache = &est
	}
	return *v.estimatedCache
}

// ranked returns the values of the rows that pass keep, sorted, tagged
// with their incident's position in the view.
func (v *viewContext) ranked(keep func(*scoredRow) bool, value func(*scoredRow) float64) rankedSample {
	n := v.rowCount()
	values := make([]float64, 0, n)
	unit := make([]int32, 0, n)
	v.eachRow(func(u int32, r *scoredRow) {
		if keep(r) {
			values = append(values, value(r))
			unit = append(unit, u)
		}
	})
	return newRankedSample(values, unit, len(v.incidents))
}
