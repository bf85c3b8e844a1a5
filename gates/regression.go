package gates

import (
	"errors"
	"fmt"
	"math"

	"github.com/soceval/soceval/metrics"
)

// regressionTest is a regression rule's paired test waiting for the
// multiple-comparison correction before its status is decided.
type regressionTest struct {
	rule   *Rule
	def    metrics.Definition
	delta  metrics.Delta
	drop   float64
	result int
}

// regression runs a max_drop rule's paired comparison for one agent. It
// returns a finished result when the rule cannot be tested, and otherwise
// a pending test for decideRegressions.
func (p *Policy) regression(r *Rule, agent string, in Input) (RuleResult, *regressionTest) {
	res := newResult(r, agent)
	def, _ := metrics.Lookup(r.Metric)
	inconclusive := func(format string, args ...any) (RuleResult, *regressionTest) {
		res.Status = Inconclusive
		res.Message = fmt.Sprintf(format, args...)
		return res, nil
	}

	if in.Compare == nil {
		return inconclusive("no baseline run: regression not checked; pass --baseline RUN, such as the last release's run")
	}
	if candidateMetrics(in.Candidate, agent) == nil {
		return inconclusive("no data: agent %q has no results in the run", agent)
	}
	if in.Baseline != nil && len(in.Baseline.Agents) != 1 && in.Baseline.Agent(agent) == nil {
		return inconclusive("no data: baseline run %s has no results for agent %q", in.Baseline.RunID, agent)
	}

	delta, err := in.Compare(agent, r.Slice, r.Metric)
	if errors.Is(err, metrics.ErrNoData) {
		return inconclusive("no data: %s has no case to compare in the incidents common to both runs: %v", subject(r), err)
	}
	if err != nil {
		return inconclusive("paired comparison of %s failed: %v", subject(r), err)
	}
	res.Delta = &delta
	res.Observed = delta.Candidate

	if delta.Pairs == 0 || !delta.Baseline.Defined() || !delta.Candidate.Defined() || math.IsNaN(delta.Diff) {
		return inconclusive("no data: %s has no paired case to compare (%d incidents in both runs)", subject(r), delta.Pairs)
	}
	if n := min(delta.Baseline.N, delta.Candidate.N); n < r.MinCases {
		res.CasesNeeded = r.MinCases
		return inconclusive("%s compared on only %d cases, below the rule's min_cases %d", subject(r), n, r.MinCases)
	}
	if math.IsNaN(delta.PValue) {
		return inconclusive("paired comparison of %s returned no p-value", subject(r))
	}

	drop := delta.Diff
	if def.HigherIsBetter {
		drop = -drop
	}
	res.Judged = drop
	return res, &regressionTest{rule: r, def: def, delta: delta, drop: drop}
}

// decideRegressions corrects the pending tests' p-values together and
// sets each result's status: fail when the drop exceeds max_drop and the
// corrected p-value is at most alpha, warn when the drop exceeds max_drop
// without significance, pass otherwise.
func (p *Policy) decideRegressions(tests []*regressionTest, results []RuleResult) {
	pvalues := make([]float64, len(tests))
	for i, t := range tests {
		pvalues[i] = t.delta.PValue
	}
	adjusted := pvalues
	if p.Correction == CorrectionHolm {
		adjusted = metrics.HolmAdjust(pvalues)
	}

	for i, t := range tests {
		res := &results[t.result]
		adj := adjusted[i]
		res.AdjustedP = &adj
		maxDrop := *t.rule.MaxDrop

		change := describeChange(t)
		test := describeTest(t, adj, p.Correction == CorrectionHolm && len(tests) > 1)
		alpha := formatLimit(t.rule.Alpha)
		switch {
		case t.drop > maxDrop && adj <= t.rule.Alpha:
			res.Status = Fail
			res.Message = fmt.Sprintf("%s > max_drop %s and significant at alpha %s: %s", change, formatLimit(maxDrop), alpha, test)
		case t.drop > maxDrop:
			res.Status = Warn
			res.Message = fmt.Sprintf("%s > max_drop %s but not significant at alpha %s: %s", change, formatLimit(maxDrop), alpha, test)
		default:
			res.Status = Pass
			res.Message = fmt.Sprintf("%s, within max_drop %s: %s", change, formatLimit(maxDrop), test)
		}
	}
}

// describeChange states the move in the harmful direction, such as
// "recall dropped 0.051 (0.900 -> 0.849)".
func describeChange(t *regressionTest) string {
	verb := "dropped"
	if !t.def.HigherIsBetter {
		verb = "rose"
	}
	if t.drop < 0 {
		verb = "improved"
	}
	b, c := t.delta.Baseline.Value, t.delta.Candidate.Value
	return fmt.Sprintf("%s %s %s (%s -> %s)", subject(t.rule), verb, formatValue(t.def, math.Abs(t.drop)), formatValue(t.def, b), formatValue(t.def, c))
}

// describeTest names the paired test with its p-value and counts.
func describeTest(t *regressionTest, adjusted float64, corrected bool) string {
	d := t.delta
	name := d.Test
	switch d.Test {
	case metrics.TestMcNemarExact:
		name = "McNemar exact"
	case metrics.TestPairedBootstrap:
		name = "paired bootstrap"
	}

	s := fmt.Sprintf("%s p %s", name, formatP(d.PValue))
	if corrected {
		s += fmt.Sprintf(", Holm-adjusted p %s", formatP(adjusted))
	}
	if d.Test == metrics.TestMcNemarExact {
		return s + fmt.Sprintf(" (%d of %d pairs worse, %d better)", d.Worse, d.Pairs, d.Better)
	}
	return s + fmt.Sprintf(" (%d pairs)", d.Pairs)
}
