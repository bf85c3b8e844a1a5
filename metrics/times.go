package metrics

import (
	"math"
)

// distributions returns the time-to-resolve distributions of the
// pipeline and the human baseline, on shared histogram edges, and the
// latency distribution.
func (v *viewContext) distributions() (TTRSummary, Distribution) {
	ttr, _ := quantileSpecFor("ttr_median")
	latency, _ := quantileSpecFor("latency_p50")
	human := quantileSpec{sample: "human_ttr", keep: hasHuman, value: func(r *scoredRow) float64 { return r.human }}

	bins := v.s.opts.HistogramBins
	ttrEdges := histogramEdges(bins, v.sample(ttr).values, v.sample(human).values)
	summary := TTRSummary{
		Pipeline:  v.distribution(ttr, ttrEdges),
		Human:     v.distribution(human, ttrEdges),
		Estimated: v.estimatedTTR() && len(v.sample(ttr).values) > 0,
	}
	latencyEdges := histogramEdges(bins, v.sample(latency).values)
	return summary, v.distribution(latency, latencyEdges)
}

func (v *viewContext) distribution(spec quantileSpec, edges []float64) Distribution {
	s := v.sample(spec)
	d := Distribution{N: len(s.values), Mean: NoData(), Median: NoData()}
	if d.N == 0 {
		return d
	}
	d.Mean = v.additiveEstimate(spec.sample+"_mean", meanSpec(spec.keep, spec.value))
	d.Median = v.bootstrapper(spec.sample+"_median").quantileEstimate(s, 0.5)
	d.P90 = Quantile(s.values, 0.9)
	d.P95 = Quantile(s.values, 0.95)
	d.Edges = edges
	d.Counts = histogramCounts(edges, s.values)
	return d
}

// histogramEdges returns bins+1 equal-width edges from the minimum to the
// maximum of all samples, or nil when they are empty.
func histogramEdges(bins int, samples ...[]float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range samples {
		for _, x := range s {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if math.IsInf(lo, 1) {
		return nil
	}
	if hi == lo {
		hi = lo + 1
	}
	edges := make([]float64, bins+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(bins)
	}
	edges[bins] = hi
	return edges
}

// histogramCounts counts values per bin. Bins are [edge i, edge i+1),
// except the last, which also holds its upper edge.
func histogramCounts(edges, values []float64) []int {
	if len(edges) < 2 {
		return nil
	}
	bins := len(edges) - 1
	counts := make([]int, bins)
	width := (edges[bins] - edges[0]) / float64(bins)
	for _, x := range values {
		i := int((x - edges[0]) / width)
		counts[min(max(i, 0), bins-1)]++
	}
	return counts
}
