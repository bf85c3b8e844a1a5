package gates

import "github.com/soceval/soceval/metrics"

// Status is the outcome of one rule or of a whole policy.
type Status string

// Rule and policy statuses, from best to worst.
const (
	Pass Status = "pass"
	// Warn means a soft limit was crossed or a regression was seen that is
	// not statistically significant. Warnings do not fail the gate.
	Warn Status = "warn"
	// Inconclusive means there were too few cases, or no data, to decide.
	Inconclusive Status = "inconclusive"
	Fail         Status = "fail"
	// Invalid is an Outcome status only: the run itself cannot be judged
	// (incomplete, over its error budget, or its rows do not match its
	// manifest), whatever its rules say.
	Invalid Status = "invalid"
)

// Exit codes of soceval gate, stable for scripts.
const (
	// ExitPassed means no rule failed; warnings and, unless the policy
	// sets inconclusive: fail, inconclusive rules are allowed.
	ExitPassed = 0
	// ExitFailed means at least one rule failed.
	ExitFailed = 1
	// ExitInvalid means the run is incomplete or invalid.
	ExitInvalid = 3
)

// ExitCode maps the outcome to the process exit code of soceval gate:
// 0 passed (warnings and inconclusive rules allowed), 1 a gate failed,
// 3 the run is invalid. Exit code 2, bad usage or input such as an
// invalid policy, is the CLI's to return before any evaluation.
func (o Outcome) ExitCode() int {
	switch {
	case o.Status == Invalid || !o.Valid:
		return ExitInvalid
	case o.Status == Fail:
		return ExitFailed
	default:
		return ExitPassed
	}
}

// RuleResult is the evaluation of one rule for one agent.
type RuleResult struct {
	// Rule is the rule's display name: its name field, or a generated
	// description such as "recall max_drop 0.02".
	Rule   string `json:"rule"`
	Metric string `json:"metric"`
	// Slice is "dimension=value", empty for the whole run.
	Slice  string `json:"slice,omitempty"`
	Agent  string `json:"agent"`
	Status Status `json:"status"`
	// Observed is the candidate's estimate of the metric.
	Observed metrics.Estimate `json:"observed"`
	// Judged is the number compared with the limit: the point estimate or
	// an interval bound, or the delta for regression rules.
	Judged float64 `json:"judged"`
	// Limit is the bound the rule sets.
	Limit float64 `json:"limit"`
	// Delta is set for regression rules against a baseline.
	Delta *metrics.Delta `json:"delta,omitempty"`
	// Message explains the status in one sentence with the numbers.
	Message string `json:"message"`
	// Soft is true for rules whose crossing warns instead of failing.
	Soft bool `json:"soft,omitempty"`
	// Kind is "absolute" for min/max rules and "regression" for max_drop
	// rules.
	Kind string `json:"kind"`
	// Bound is the part of the estimate an absolute rule judges: "point",
	// "lower" or "upper".
	Bound string `json:"bound,omitempty"`
	// Alpha is a regression rule's significance level.
	Alpha float64 `json:"alpha,omitempty"`
	// AdjustedP is a regression test's p-value after the policy's
	// multiple-comparison correction (equal to Delta.PValue with
	// correction: none).
	AdjustedP *float64 `json:"adjusted_p,omitempty"`
	// CasesNeeded is set on inconclusive results: the number of cases at
	// which the rule could be decided, estimated as described in Message.
	CasesNeeded int `json:"cases_needed,omitempty"`
}

// Outcome is the content of a run's gates.json.
type Outcome struct {
	Status Status `json:"status"`
	// Valid is false when the run cannot be judged, for example because it
	// is incomplete or its error budget was exceeded. Problems lists the reasons.
	Valid    bool         `json:"valid"`
	Problems []string     `json:"problems,omitempty"`
	Policy   string       `json:"policy"`
	Baseline string       `json:"baseline,omitempty"`
	Results  []RuleResult `json:"results"`
	// Inconclusive is the policy's handling of inconclusive rules: "warn"
	// (listed, exit 0) or "fail".
	Inconclusive string `json:"inconclusive,omitempty"`
	// Correction is the multiple-comparison correction applied to the
	// regression rules' p-values: "holm" or "none".
	Correction string `json:"correction,omitempty"`
}

// Count returns the number of rule results with status s.
func (o Outcome) Count(s Status) int {
	n := 0
	for _, r := range o.Results {
		if r.Status == s {
			n++
		}
	}
	return n
}
