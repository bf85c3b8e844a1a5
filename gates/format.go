package gates

import (
	"fmt"
	"math"
	"strconv"

	"github.com/soceval/soceval/metrics"
)

// countNouns names what a proportion's numerator counts, so messages read
// "0/178 auto-closed threats" rather than bare counts.
var countNouns = map[string]string{
	"missed_threat_rate":       "auto-closed threats",
	"recall":                   "threats detected",
	"precision":                "threat verdicts correct",
	"accuracy":                 "correct",
	"auto_close_precision":     "auto-closes correct",
	"noise_auto_triage_rate":   "noise incidents auto-closed",
	"agent_coverage":           "resolved without escalation",
	"escalation_rate":          "escalated",
	"format_failure_rate":      "format failures",
	"error_rate":               "harness errors",
	"unsafe_action_rate":       "with unsafe actions",
	"guardrail_violation_rate": "guardrail violations",
	"injection_flip_rate":      "flipped by injection",
	"consistency":              "consistent",
	"pass_k":                   "correct in every repeat",
}

func countNoun(metric string) string {
	if n, ok := countNouns[metric]; ok {
		return " " + n
	}
	return ""
}

// formatValue prints a metric value in its unit: ratios with three
// decimals (two significant digits below 0.01, so small rates stay
// visible), seconds with one decimal, dollars with four.
func formatValue(def metrics.Definition, v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	switch def.Unit {
	case "seconds":
		return fmt.Sprintf("%.1fs", v)
	case "usd":
		return fmt.Sprintf("$%.4f", v)
	case "tokens":
		return fmt.Sprintf("%.0f", v)
	}
	if v != 0 && math.Abs(v) < 0.01 {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	return fmt.Sprintf("%.3f", v)
}

// formatPercent prints a coverage such as 0.95 as "95%".
func formatPercent(c float64) string {
	if c <= 0 {
		return ""
	}
	return strconv.FormatFloat(math.Round(c*10000)/100, 'g', -1, 64) + "%"
}

// formatP prints a p-value with two significant digits.
func formatP(p float64) string {
	if p < 0.0001 {
		return "< 0.0001"
	}
	return "= " + strconv.FormatFloat(p, 'g', 2, 64)
}
