package metrics

import (
	"math"

	"github.com/soceval/soceval/datasets"
)

// additiveSpec defines a metric as a function of sums of per-row
// components, which lets one bootstrap serve every such metric: a
// resample only changes the sums.
type additiveSpec struct {
	k int
	// row writes the row's components to dst, which is zeroed, and
	// reports whether the row counts for the metric.
	row   func(r *scoredRow, dst []float64) bool
	value func(sums []float64) float64
}

// quantileSpec defines a metric as a quantile of a per-row value.
type quantileSpec struct {
	// sample names the sorted sample, shared by quantiles of one value.
	sample string
	keep   func(*scoredRow) bool
	value  func(*scoredRow) float64
	q      float64
}

// ttrMetrics are the metrics that read the human baseline, marked
// Estimated when any baseline in the view is an estimate.
var ttrMetrics = map[string]bool{
	"ttr_mean": true, "human_ttr_mean": true, "ttr_reduction": true,
	"ttr_median": true, "ttr_p90": true, "ttr_p95": true,
}

func hasHuman(r *scoredRow) bool { return r.has(flagHasHuman) }
func anyRow(*scoredRow) bool     { return true }

// meanSpec is the mean of value over the rows that pass keep.
func meanSpec(keep func(*scoredRow) bool, value func(*scoredRow) float64) additiveSpec {
	return additiveSpec{k: 2, value: ratioOfSums, row: func(r *scoredRow, dst []float64) bool {
		if !keep(r) {
			return false
		}
		dst[0], dst[1] = value(r), 1
		return true
	}}
}

// countSpec is a ratio of two per-row counts, such as true positives over
// rows graded true_positive.
func countSpec(num, den func(*scoredRow) float64) additiveSpec {
	return additiveSpec{k: 2, value: ratioOfSums, row: func(r *scoredRow, dst []float64) bool {
		dst[0], dst[1] = num(r), den(r)
		return dst[1] > 0
	}}
}

func ratioOfSums(s []float64) float64 {
	if s[1] == 0 {
		return math.NaN()
	}
	return s[0] / s[1]
}

func flagCount(flags ...uint32) func(*scoredRow) float64 {
	return func(r *scoredRow) float64 {
		for _, f := range flags {
			if !r.has(f) {
				return 0
			}
		}
		return 1
	}
}

// additiveSpecFor returns the additive definition of a metric, if it has
// one. Proportions with a prediction-dependent denominator are included
// for the paired bootstrap of Compare.
func (v *viewContext) additiveSpecFor(name string) (additiveSpec, bool) {
	tp := int(gradeIndex(datasets.GradeTruePositive))
	switch name {
	case "f1":
		return additiveSpec{k: 3, row: classRow(tp), value: func(s []float64) float64 {
			return f1FromCounts(s[0], s[1], s[2])
		}}, true
	case "macro_f1":
		return v.macroF1Spec(), true
	case "ece":
		bins := v.s.opts.CalibrationBins
		return additiveSpec{k: 3 * bins, value: eceFromSums, row: func(r *scoredRow, dst []float64) bool {
			return calibrationRow(r, bins, dst)
		}}, true
	case "ttr_mean":
		return meanSpec(hasHuman, func(r *scoredRow) float64 { return r.ttr }), true
	case "human_ttr_mean":
		return meanSpec(hasHuman, func(r *scoredRow) float64 { return r.human }), true
	case "ttr_reduction":
		return additiveSpec{k: 2, value: reductionFromSums, row: func(r *scoredRow, dst []float64) bool {
			dst[0], dst[1] = r.ttr, r.human
			return r.has(flagHasHuman)
		}}, true
	case "tokens_mean":
		return meanSpec(anyRow, func(r *scoredRow) float64 { return r.tokens }), true
	case "cost_mean":
		return meanSpec(hasCost, costOf), true
	case "cost_total":
		spec := meanSpec(hasCost, costOf)
		spec.value = func(s []float64) float64 { return s[0] }
		return spec, true
	case "precision":
		return countSpec(flagCount(flagPredTP, flagGoldTP), flagCount(flagPredTP)), true
	case "auto_close_precision":
		return countSpec(flagCount(flagAutoClosed, flagGoldNoise), flagCount(flagAutoClosed)), true
	case "action_precision":
		return countSpec(
			func(r *scoredRow) float64 { return float64(r.actionsHit) },
			func(r *scoredRow) float64 { return float64(r.actionsProposed) }), true
	case "action_recall":
		return countSpec(
			func(r *scoredRow) float64 { return float64(r.actionsFound) },
			func(r *scoredRow) float64 { return float64(r.actionsExpected) }), true
	}
	return additiveSpec{}, false
}

// quantileSpecFor returns the quantile definition of a metric, if any.
func quantileSpecFor(name string) (quantileSpec, bool) {
	ttr := func(r *scoredRow) float64 { return r.ttr }
	latency := func(r *scoredRow) float64 { return r.latency }
	switch name {
	case "ttr_median":
		return quantileSpec{"ttr", hasHuman, ttr, 0.5}, true
	case "ttr_p90":
		return quantileSpec{"ttr", hasHuman, ttr, 0.9}, true
	case "ttr_p95":
		return quantileSpec{"ttr", hasHuman, ttr, 0.95}, true
	case "latency_p50":
		return quantileSpec{"latency", hasLatency, latency, 0.5}, true
	case "latency_p95":
		return quantileSpec{"latency", hasLatency, latency, 0.95}, true
	}
	return quantileSpec{}, false
}

func hasCost(r *scoredRow) bool    { return r.has(flagHasCost) }
func hasLatency(r *scoredRow) bool { return r.has(flagHasLatency) }
func costOf(r *scoredRow) float64  { return r.cost }

// reductionFromSums returns 1 − Σ pipeline / Σ human.
func reductionFromSums(s []float64) float64 {
	if s[1] <= 0 {
		return math.NaN()
	}
	return 1 - s[0]/s[1]
}

// classRow writes the one-vs-rest (tp, fp, fn) of grade g. A failed row
// is a false negative of its gold grade and a false positive of none.
func classRow(g int) func(*scoredRow, []float64) bool {
	return func(r *scoredRow, dst []float64) bool {
		gold, pred := int(r.gold), int(r.pred)
		switch {
		case gold == g && pred == g:
			dst[0] = 1
		case pred == g:
			dst[1] = 1
		case gold == g:
			dst[2] = 1
		}
		return true
	}
}

// macroF1Spec averages the one-vs-rest F1 over the grades present in the
// view's gold labels. A grade drawn out of a resample entirely scores 0.
func (v *viewContext) macroF1Spec() additiveSpec {
	var present []int
	seen := make([]bool, len(datasets.Grades))
	v.eachRow(func(_ int32, r *scoredRow) {
		if r.gold >= 0 && !seen[r.gold] {
			seen[r.gold] = true
			present = append(present, int(r.gold))
		}
	})
	k := 3 * len(datasets.Grades)
	return additiveSpec{
		k: k,
		row: func(r *scoredRow, dst []float64) bool {
			for g := range datasets.Grades {
				classRow(g)(r, dst[3*g:3*g+3])
			}
			return true
		},
		value: func(s []float64) float64 {
			if len(present) == 0 {
				return math.NaN()
			}
			total := 0.0
			for _, g := range present {
				if f := f1FromCounts(s[3*g], s[3*g+1], s[3*g+2]); !math.IsNaN(f) {
					total += f
				}
			}
			return total / float64(len(present))
		},
	}
}

// calibrationRow writes, for the row's confidence bin b, the components
// (1, confidence, correct) at 3b, 3b+1, 3b+2. Rows without a confidence,
// including every failed row, do not count.
func calibrationRow(r *scoredRow, bins int, dst []float64) bool {
	if !r.has(flagHasConfidence) {
		return false
	}
	b := binOf(r.confidence, bins)
	dst[3*b] = 1
	dst[3*b+1] = r.confidence
	dst[3*b+2] = float64(b2i(r.has(flagCorrect)))
	return true
}

// specUnits builds one unit per incident of the view from the rows that
// count for the spec, and returns the number of such rows. Incidents
// without such a row are left out unless keepEmpty is set, which keeps
// unit i aligned with incident i for paired resampling.
func (v *viewContext) specUnits(spec additiveSpec, keepEmpty bool) (*units, int) {
	u := newUnits(spec.k, len(v.incidents))
	dense := make([]float64, spec.k)
	row := make([]float64, spec.k)
	rows := 0
	for _, inc := range v.incidents {
		clear(dense)
		n := 0
		for _, ri := range v.d.incidents[inc].rows {
			clear(row)
			if !spec.row(&v.d.rows[ri], row) {
				continue
			}
			for i, x := range row {
				dense[i] += x
			}
			n++
		}
		if n > 0 || keepEmpty {
			u.add(dense)
			rows += n
		}
	}
	return u, rows
}
