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
)

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
}

// Outcome is the content of a run's gates.json.
type Outcome struct {
	Status Status `json:"status"`
	// Valid is false when the run cannot be judged, for example because it
	// is incomplete or its error budget was exceeded. Problems says why.
	Valid    bool         `json:"valid"`
	Problems []string     `json:"problems,omitempty"`
	Policy   string       `json:"policy"`
	Baseline string       `json:"baseline,omitempty"`
	Results  []RuleResult `json:"results"`
}
