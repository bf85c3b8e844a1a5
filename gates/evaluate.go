package gates

import (
	"fmt"
	"slices"

	"github.com/soceval/soceval/metrics"
)

// CompareFunc returns the paired comparison of one metric between the
// baseline and the candidate run for one agent, restricted to a slice
// when slice is not nil. PairedRows builds one from two runs' rows.
type CompareFunc func(agent string, slice *SliceRef, metric string) (metrics.Delta, error)

// Input is the data a policy is evaluated on.
type Input struct {
	// Candidate is the metrics of the run being gated.
	Candidate *metrics.Summary
	// Agents lists the agents to gate; empty means every agent in
	// Candidate. A listed agent missing from the run makes its rules
	// inconclusive.
	Agents []string
	// Baseline is the metrics of the reference run, such as the last
	// release. It is optional; its RunID is recorded in the outcome. A
	// baseline with a single agent is the baseline of every candidate
	// agent, so that two versions with different names can be compared;
	// otherwise agents are paired by name.
	Baseline *metrics.Summary
	// Compare runs the paired tests of regression rules. Nil means no
	// baseline was given, which leaves regression rules inconclusive.
	Compare CompareFunc
	// Problems lists why the run cannot be judged (see CheckRun). Any
	// problem makes the outcome invalid.
	Problems []string
}

// Evaluate applies every rule to every gated agent and combines the
// results. The overall status is, from worst to best:
//
//   - invalid when the input lists run problems;
//   - fail when a rule fails, or when a rule that is not soft is
//     inconclusive and the policy sets inconclusive: fail;
//   - inconclusive when a rule is inconclusive;
//   - warn when a rule warns;
//   - pass otherwise.
//
// Rules are still evaluated on an invalid run, so the report can show
// them.
func (p *Policy) Evaluate(in Input) Outcome {
	out := Outcome{
		Valid:        len(in.Problems) == 0,
		Problems:     slices.Clone(in.Problems),
		Policy:       p.Source,
		Results:      []RuleResult{},
		Inconclusive: string(p.Inconclusive),
		Correction:   p.Correction,
	}
	if in.Baseline != nil {
		out.Baseline = in.Baseline.RunID
	}

	agents := gatedAgents(in)
	if len(agents) == 0 {
		out.Valid = false
		out.Problems = append(out.Problems, "the run has no scored agent: it holds no result rows to gate")
	}

	var tests []*regressionTest
	for i := range p.Rules {
		r := &p.Rules[i]
		for _, agent := range ruleAgents(r, agents) {
			if r.Regression() {
				res, test := p.regression(r, agent, in)
				out.Results = append(out.Results, res)
				if test != nil {
					test.result = len(out.Results) - 1
					tests = append(tests, test)
				}
				continue
			}
			out.Results = append(out.Results, p.absolute(r, agent, candidateMetrics(in.Candidate, agent)))
		}
	}
	p.decideRegressions(tests, out.Results)

	for i := range out.Results {
		soften(&out.Results[i])
	}
	out.Status = p.overall(out)
	return out
}

// gatedAgents returns the agents named in the input, or every agent of
// the candidate run in its order.
func gatedAgents(in Input) []string {
	if len(in.Agents) > 0 {
		return in.Agents
	}
	if in.Candidate == nil {
		return nil
	}
	var names []string
	for _, a := range in.Candidate.Agents {
		names = append(names, a.Agent)
	}
	return names
}

// ruleAgents returns the agents a rule applies to: the gated agents, or
// the one agent the rule names. A rule that names an agent is evaluated
// for it even when the run's gate does not judge that agent otherwise, so
// a rule the policy author wrote never disappears. A named agent that is
// not in the run yields an inconclusive result; UnknownAgents lets callers
// reject such a policy first.
func ruleAgents(r *Rule, gated []string) []string {
	if r.Agent == "" {
		return gated
	}
	return []string{r.Agent}
}

// UnknownAgents returns the agents that rules of p name but that the
// candidate run does not have, usually a misspelt name.
func (p *Policy) UnknownAgents(candidate *metrics.Summary) []string {
	var unknown []string
	for i := range p.Rules {
		name := p.Rules[i].Agent
		if name != "" && candidateMetrics(candidate, name) == nil && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
	}
	return unknown
}

func candidateMetrics(s *metrics.Summary, agent string) *metrics.AgentMetrics {
	if s == nil {
		return nil
	}
	return s.Agent(agent)
}

// newResult fills the fields every result of rule r shares.
func newResult(r *Rule, agent string) RuleResult {
	res := RuleResult{
		Rule:     r.Title(),
		Metric:   r.Metric,
		Slice:    r.Slice.String(),
		Agent:    agent,
		Soft:     r.Soft,
		Observed: metrics.NoData(),
	}
	if r.Regression() {
		res.Kind = KindRegression
		res.Alpha = r.Alpha
		res.Limit = *r.MaxDrop
	} else {
		res.Kind = KindAbsolute
		res.Bound = r.Bound
	}
	return res
}

// soften turns a soft rule's failure into a warning.
func soften(res *RuleResult) {
	if res.Soft && res.Status == Fail {
		res.Status = Warn
		res.Message = "soft rule, warning only: " + res.Message
	}
}

// overall combines rule statuses as documented on Evaluate.
func (p *Policy) overall(out Outcome) Status {
	if !out.Valid {
		return Invalid
	}

	status := Pass
	for _, res := range out.Results {
		s := res.Status
		if s == Inconclusive && !res.Soft && p.Inconclusive == Fail {
			s = Fail
		}
		if rank(s) > rank(status) {
			status = s
		}
	}
	return status
}

func rank(s Status) int {
	switch s {
	case Pass:
		return 0
	case Warn:
		return 1
	case Inconclusive:
		return 2
	case Fail:
		return 3
	case Invalid:
		return 4
	default:
		panic(fmt.Sprintf("gates: unknown status %q", s))
	}
}
