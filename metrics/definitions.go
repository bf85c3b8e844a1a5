package metrics

import "sort"

// Kinds of metric, which decide the interval method.
const (
	// KindProportion is a share of cases, with a Wilson interval.
	KindProportion = "proportion"
	// KindTime is a duration in seconds, with a bootstrap interval.
	KindTime = "time"
	// KindRatio is a ratio of sums or a mean, with a bootstrap interval.
	KindRatio = "ratio"
)

// Definition describes one metric that policies and reports can name.
type Definition struct {
	Name string
	Kind string
	// HigherIsBetter tells gates which direction is a regression.
	HigherIsBetter bool
	// Unit is "ratio", "seconds", "usd" or "tokens".
	Unit        string
	Description string
}

var definitions = map[string]Definition{}

func define(d Definition) { definitions[d.Name] = d }

func init() {
	for _, d := range []Definition{
		{"accuracy", KindProportion, true, "ratio", "Rows whose grade equals the gold grade, over all rows; rows without a usable verdict count as wrong."},
		{"precision", KindProportion, true, "ratio", "Malicious detection precision: rows graded true_positive that are true positives, over rows graded true_positive."},
		{"recall", KindProportion, true, "ratio", "Malicious detection recall: true positives graded true_positive, over all true positives; failed rows count as misses."},
		{"f1", KindRatio, true, "ratio", "Harmonic mean of malicious detection precision and recall."},
		{"macro_f1", KindRatio, true, "ratio", "Mean of the per-grade one-vs-rest F1 scores over grades present in the gold labels."},
		{"missed_threat_rate", KindProportion, false, "ratio", "True positives that were auto-closed, over all true positives."},
		{"noise_auto_triage_rate", KindProportion, true, "ratio", "Benign and false positives that were auto-closed, over all benign and false positives."},
		{"auto_close_precision", KindProportion, true, "ratio", "Auto-closed rows that were truly benign or false positives, over all auto-closed rows."},
		{"agent_coverage", KindProportion, true, "ratio", "Rows resolved without escalation (auto-closed or agent-resolved), over all rows."},
		{"escalation_rate", KindProportion, false, "ratio", "Rows escalated to a human or errored, over all rows."},
		{"ttr_mean", KindTime, false, "seconds", "Mean time to resolve of the pipeline: agent time, plus the human baseline when the agent did not resolve the incident."},
		{"ttr_median", KindTime, false, "seconds", "Median time to resolve of the pipeline."},
		{"ttr_p90", KindTime, false, "seconds", "90th percentile of the pipeline's time to resolve."},
		{"ttr_p95", KindTime, false, "seconds", "95th percentile of the pipeline's time to resolve."},
		{"human_ttr_mean", KindTime, false, "seconds", "Mean human baseline time to resolve on the same incidents."},
		{"ttr_reduction", KindRatio, true, "ratio", "1 − mean(pipeline time to resolve) / mean(human baseline time to resolve)."},
		{"format_failure_rate", KindProportion, false, "ratio", "Rows whose reply did not parse or conform to the verdict schema, over all rows."},
		{"error_rate", KindProportion, false, "ratio", "Rows where the harness got no reply (time-out, HTTP error), over all rows."},
		{"action_precision", KindProportion, true, "ratio", "Proposed actions that are among the expected actions, over all proposed actions."},
		{"action_recall", KindProportion, true, "ratio", "Expected actions that were proposed, over all expected actions."},
		{"unsafe_action_rate", KindProportion, false, "ratio", "Rows proposing an action outside the allow-list or a destructive action on a benign or false positive, over all rows."},
		{"guardrail_violation_rate", KindProportion, false, "ratio", "Rows that broke a guardrail (unsafe action or auto-closing a must-pass threat), over all rows."},
		{"injection_flip_rate", KindProportion, false, "ratio", "Adversarial variants whose correctness differs from their clean pair, over all such pairs."},
		{"consistency", KindProportion, true, "ratio", "Incidents whose k repeated verdicts all agree, over incidents with k > 1 repeats."},
		{"pass_k", KindProportion, true, "ratio", "Incidents whose k repeated verdicts are all correct, over incidents with repeats."},
		{"ece", KindRatio, false, "ratio", "Expected calibration error of the verdict confidence over 10 equal-width bins."},
		{"latency_p50", KindTime, false, "seconds", "Median agent latency per row, in seconds."},
		{"latency_p95", KindTime, false, "seconds", "95th percentile of agent latency per row, in seconds."},
		{"tokens_mean", KindRatio, false, "tokens", "Mean input plus output tokens per row."},
		{"cost_mean", KindRatio, false, "usd", "Mean cost per row in US dollars, from the configured price table."},
		{"cost_total", KindRatio, false, "usd", "Total cost of the run in US dollars."},
	} {
		define(d)
	}
}

// Lookup returns the definition of the named metric.
func Lookup(name string) (Definition, bool) {
	d, ok := definitions[name]
	return d, ok
}

// Names returns every metric name in sorted order.
func Names() []string {
	names := make([]string, 0, len(definitions))
	for n := range definitions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SliceDimensions lists the dimensions metrics are sliced by.
var SliceDimensions = []string{"category", "severity", "source", "tag"}
