package reports

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/soceval/soceval/metrics"
)

// formatValue formats a metric value in the unit of its definition:
// percentages for ratios, durations for seconds, dollars and token counts.
// It returns "n/a" for undefined values.
func formatValue(metric string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	switch unitOf(metric) {
	case "seconds":
		return formatDuration(v)
	case "usd":
		return formatUSD(v)
	case "tokens":
		return fmt.Sprintf("%.0f", v)
	default:
		return formatPercent(v)
	}
}

// formatEstimate formats an estimate as "value [lower, upper]", or "n/a".
func formatEstimate(metric string, e metrics.Estimate) string {
	if !e.Defined() {
		return "n/a"
	}
	s := formatValue(metric, e.Value)
	if iv := formatInterval(metric, e); iv != "" {
		s += " " + iv
	}
	return s
}

// formatInterval formats an estimate's interval as "[lower, upper]", or
// returns "" when the estimate has none.
func formatInterval(metric string, e metrics.Estimate) string {
	if !e.Defined() || e.Interval == metrics.IntervalNone || math.IsNaN(e.Lower) || math.IsNaN(e.Upper) {
		return ""
	}
	return "[" + formatValue(metric, e.Lower) + ", " + formatValue(metric, e.Upper) + "]"
}

// formatDiff formats a candidate-minus-baseline difference: percentage
// points for ratios, signed durations and amounts otherwise.
func formatDiff(metric string, d float64) string {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return "n/a"
	}
	sign := "+"
	if d < 0 {
		sign = "−"
		d = -d
	}
	switch unitOf(metric) {
	case "seconds":
		return sign + formatDuration(d)
	case "usd":
		return sign + formatUSD(d)
	case "tokens":
		return sign + fmt.Sprintf("%.0f", d)
	default:
		return sign + trimZero(fmt.Sprintf("%.1f", d*100)) + " pp"
	}
}

// formatPercent formats a ratio as a percentage with one decimal, or more
// decimals for small non-zero values so that 0.04% does not read as 0%.
func formatPercent(v float64) string {
	p := v * 100
	switch {
	case p == 0 || math.Abs(p) >= 1:
		return trimZero(fmt.Sprintf("%.1f", p)) + "%"
	case math.Abs(p) >= 0.01:
		return trimZero(fmt.Sprintf("%.2f", p)) + "%"
	default:
		return "<0.01%"
	}
}

// formatDuration formats seconds as "850 ms", "42 s", "4 min 12 s" or
// "2 h 05 min".
func formatDuration(sec float64) string {
	switch {
	case sec < 1:
		return fmt.Sprintf("%.0f ms", sec*1000)
	case sec < 60:
		return trimZero(fmt.Sprintf("%.1f", sec)) + " s"
	case sec < 3600:
		m := math.Floor(sec / 60)
		return fmt.Sprintf("%.0f min %02.0f s", m, math.Floor(sec-m*60))
	default:
		h := math.Floor(sec / 3600)
		return fmt.Sprintf("%.0f h %02.0f min", h, math.Floor((sec-h*3600)/60))
	}
}

// formatUSD formats dollars with enough decimals for per-incident costs.
func formatUSD(v float64) string {
	switch {
	case v == 0:
		return "$0"
	case math.Abs(v) < 0.01:
		return fmt.Sprintf("$%.4f", v)
	default:
		return fmt.Sprintf("$%.2f", v)
	}
}

// formatPValue formats a p-value the way benchstat does: three decimals,
// or "<0.001".
func formatPValue(p float64) string {
	switch {
	case math.IsNaN(p):
		return "n/a"
	case p < 0.001:
		return "<0.001"
	default:
		return fmt.Sprintf("%.3f", p)
	}
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

func unitOf(metric string) string {
	if d, ok := metrics.Lookup(metric); ok {
		return d.Unit
	}
	return "ratio"
}

// metricTitle returns the human name of a metric for captions and tables.
func metricTitle(metric string) string {
	if t, ok := metricTitles[metric]; ok {
		return t
	}
	return strings.ReplaceAll(metric, "_", " ")
}

var metricTitles = map[string]string{
	"accuracy":                 "Accuracy",
	"precision":                "Threat precision",
	"recall":                   "Threat recall",
	"f1":                       "Threat F1",
	"macro_f1":                 "Macro F1",
	"missed_threat_rate":       "Missed-threat rate",
	"noise_auto_triage_rate":   "Noise auto-triage rate",
	"auto_close_precision":     "Auto-close precision",
	"agent_coverage":           "Handled without escalation",
	"escalation_rate":          "Escalation rate",
	"ttr_mean":                 "Time to resolve (mean)",
	"ttr_median":               "Time to resolve (median)",
	"ttr_p90":                  "Time to resolve (p90)",
	"ttr_p95":                  "Time to resolve (p95)",
	"human_ttr_mean":           "Human time to resolve (mean)",
	"ttr_reduction":            "Time-to-resolve reduction",
	"format_failure_rate":      "Format failure rate",
	"error_rate":               "Error rate",
	"action_precision":         "Action precision",
	"action_recall":            "Action recall",
	"unsafe_action_rate":       "Unsafe action rate",
	"guardrail_violation_rate": "Guardrail violation rate",
	"injection_flip_rate":      "Prompt-injection flip rate",
	"consistency":              "Consistency across repeats",
	"pass_k":                   "All repeats correct (pass^k)",
	"ece":                      "Calibration error (ECE)",
	"latency_p50":              "Latency (median)",
	"latency_p95":              "Latency (p95)",
	"tokens_mean":              "Tokens per incident",
	"cost_mean":                "Cost per incident",
	"cost_total":               "Total cost",
}

// cleanText replaces control characters, which break terminals and XML,
// with U+FFFD and folds line breaks into spaces, for one-line cells.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return '\uFFFD'
		case unicode.Is(unicode.Bidi_Control, r):
			return '\uFFFD'
		}
		return r
	}, s)
}

// truncate shortens s to at most n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

var nan = math.NaN()
