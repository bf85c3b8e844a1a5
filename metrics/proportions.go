package metrics

import (
	"math"

	"github.com/soceval/soceval/datasets"
)

// proportionCounts are the numerators and denominators of the
// proportion metrics over one view.
type proportionCounts struct {
	rows, correct, goldTP, goldNoise, predTP, truePos          int
	autoClosed, autoClosedTP, autoClosedNoise, resolved        int
	escalated, formatFailures, errors, unsafe, guardrail       int
	actionsProposed, actionsHit, actionsExpected, actionsFound int
}

func (v *viewContext) countProportions() proportionCounts {
	var c proportionCounts
	v.eachRow(func(_ int32, r *scoredRow) {
		c.rows++
		c.correct += b2i(r.has(flagCorrect))
		goldTP, noise := r.has(flagGoldTP), r.has(flagGoldNoise)
		c.goldTP += b2i(goldTP)
		c.goldNoise += b2i(noise)
		if r.has(flagPredTP) {
			c.predTP++
			c.truePos += b2i(goldTP)
		}
		if r.has(flagAutoClosed) {
			c.autoClosed++
			c.autoClosedTP += b2i(goldTP)
			c.autoClosedNoise += b2i(noise)
		}
		c.resolved += b2i(r.has(flagResolved))
		c.escalated += b2i(r.has(flagEscalated))
		c.formatFailures += b2i(r.has(flagFormatFailure))
		c.errors += b2i(r.has(flagError))
		c.unsafe += b2i(r.has(flagUnsafe))
		c.guardrail += b2i(r.has(flagGuardrail))
		c.actionsProposed += int(r.actionsProposed)
		c.actionsHit += int(r.actionsHit)
		c.actionsExpected += int(r.actionsExpected)
		c.actionsFound += int(r.actionsFound)
	})
	return c
}

// proportions returns every Wilson-interval metric of the view.
func (v *viewContext) proportions() map[string]Estimate {
	if v.proportionCache != nil {
		return v.proportionCache
	}
	m := map[string]Estimate{}
	v.proportionCache = m
	c := v.countProportions()
	conf := v.s.opts.Confidence
	p := func(num, den int) Estimate { return Proportion(num, den, conf) }

	m["accuracy"] = p(c.correct, c.rows)
	m["precision"] = p(c.truePos, c.predTP)
	m["recall"] = p(c.truePos, c.goldTP)
	m["missed_threat_rate"] = p(c.autoClosedTP, c.goldTP)
	m["noise_auto_triage_rate"] = p(c.autoClosedNoise, c.goldNoise)
	m["auto_close_precision"] = p(c.autoClosedNoise, c.autoClosed)
	m["agent_coverage"] = p(c.autoClosed+c.resolved, c.rows)
	m["escalation_rate"] = p(c.escalated, c.rows)
	m["format_failure_rate"] = p(c.formatFailures, c.rows)
	m["error_rate"] = p(c.errors, c.rows)
	m["action_precision"] = p(c.actionsHit, c.actionsProposed)
	m["action_recall"] = p(c.actionsFound, c.actionsExpected)
	m["guardrail_violation_rate"] = p(c.guardrail, c.rows)
	if v.s.actionRules() {
		m["unsafe_action_rate"] = p(c.unsafe, c.rows)
	} else {
		m["unsafe_action_rate"] = NoData()
	}
	return m
}

// f1FromCounts returns 2·tp / (2·tp + fp + fn), the harmonic mean of
// precision and recall written so that it stays defined when either is
// 0; NaN when all three counts are 0.
func f1FromCounts(tp, fp, fn float64) float64 {
	den := 2*tp + fp + fn
	if den == 0 {
		return math.NaN()
	}
	return 2 * tp / den
}

// perClass returns each grade's one-vs-rest precision, recall and F1.
func (v *viewContext) perClass() map[string]ClassScores {
	conf := v.s.opts.Confidence
	out := make(map[string]ClassScores, len(datasets.Grades))
	for g, grade := range datasets.Grades {
		spec := additiveSpec{k: 3, row: classRow(g), value: func(s []float64) float64 {
			return f1FromCounts(s[0], s[1], s[2])
		}}
		u, _ := v.specUnits(spec, false)
		totals := u.totals()
		tp, fp, fn := int(totals[0]), int(totals[1]), int(totals[2])
		f1 := v.bootstrapper("f1:"+grade).sumsEstimate(u, spec.value)
		f1.N = tp + fp + fn
		out[grade] = ClassScores{
			Precision: Proportion(tp, tp+fp, conf),
			Recall:    Proportion(tp, tp+fn, conf),
			F1:        f1,
			Support:   tp + fn,
		}
	}
	return out
}

// confusion returns the confusion matrix over grades, with an "error"
// column for rows without a usable verdict. Rows whose gold grade is not
// a known grade are left out.
func (v *viewContext) confusion() Confusion {
	cm := Confusion{
		Gold:      append([]string(nil), datasets.Grades...),
		Predicted: append(append([]string(nil), datasets.Grades...), "error"),
		Counts:    make([][]int, len(datasets.Grades)),
	}
	for i := range cm.Counts {
		cm.Counts[i] = make([]int, errorColumn+1)
	}
	v.eachRow(func(_ int32, r *scoredRow) {
		if r.gold >= 0 {
			cm.Counts[r.gold][r.pred]++
		}
	})
	return cm
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
