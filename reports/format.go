package reports

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/soceval/soceval/metrics"
)

// formatValue formats a metric value in the unit of its definition:
// percentages for ratios, times, dollars and token counts. It returns
// "n/a" for undefined values. A time is written in the unit that suits
// its own magnitude; values shown together use formatFor instead.
func formatValue(metric string, v float64) string {
	return formatFor(metric, v).value(v)
}

// formatEstimate formats an estimate as "value [lower, upper]", or "n/a",
// with one time unit for all three numbers.
func formatEstimate(metric string, e metrics.Estimate) string {
	return formatForEstimates(metric, e).estimate(e)
}

// formatInterval formats an estimate's interval as "[lower, upper]", or
// returns "" when the estimate has none.
func formatInterval(metric string, e metrics.Estimate) string {
	return formatForEstimates(metric, e).interval(e)
}

// formatDiff formats a candidate-minus-baseline difference: percentage
// points for ratios, signed times and amounts otherwise.
func formatDiff(metric string, d float64) string {
	return formatFor(metric, d).diff(d)
}

// numberFormat formats the values of one metric that are shown together,
// such as a table column or a comparison row, so that their times share
// one unit and read as one scale.
type numberFormat struct {
	metric string
	unit   string
	time   timeUnit
}

// formatFor returns the format for metric values shown beside values;
// times get the unit of the largest of them.
func formatFor(metric string, values ...float64) numberFormat {
	f := numberFormat{metric: metric, unit: unitOf(metric)}
	if f.unit == "seconds" {
		f.time = timeUnitFor(values...)
	}
	return f
}

// formatForEstimates is formatFor over the point values of the defined
// estimates es. Interval bounds do not choose the unit, so that a wide
// upper bound of an hour does not write a median of 22.5 min as 0.4 h.
func formatForEstimates(metric string, es ...metrics.Estimate) numberFormat {
	values := make([]float64, 0, len(es))
	for _, e := range es {
		if e.Defined() {
			values = append(values, e.Value)
		}
	}
	return formatFor(metric, values...)
}

func (f numberFormat) value(v float64) string {
	if !isFinite(v) {
		return "n/a"
	}
	switch f.unit {
	case "seconds":
		return f.time.format(v)
	case "usd":
		return formatUSD(v)
	case "tokens":
		return fmt.Sprintf("%.0f", v)
	default:
		return formatPercent(v)
	}
}

// estimate formats e as "value [lower, upper]", or "n/a".
func (f numberFormat) estimate(e metrics.Estimate) string {
	if !e.Defined() {
		return "n/a"
	}
	s := f.value(e.Value)
	if iv := f.interval(e); iv != "" {
		s += " " + iv
	}
	return s
}

// interval formats e's interval as "[lower, upper]", or returns "" when
// e has none.
func (f numberFormat) interval(e metrics.Estimate) string {
	if !e.Defined() || e.Interval == metrics.IntervalNone || !isFinite(e.Lower) || !isFinite(e.Upper) {
		return ""
	}
	lower, upper := intervalBounds(e)
	return "[" + f.value(lower) + ", " + f.value(upper) + "]"
}

// diff formats a candidate-minus-baseline difference d.
func (f numberFormat) diff(d float64) string {
	if !isFinite(d) {
		return "n/a"
	}
	sign := "+"
	if d < 0 {
		sign = "−"
		d = -d
	}
	if f.unit == "ratio" {
		return sign + trimZero(fmt.Sprintf("%.1f", d*100)) + " pp"
	}
	return sign + f.value(d)
}

// intervalBounds returns e's bounds. A Wilson interval of 0 of n cases
// starts at exactly 0, and one of n of n cases ends at exactly 1. Setting
// them keeps the formula's floating-point rounding, such as a lower bound
// of 1e-18, from printing as "<0.01%" beside a value of "0%".
func intervalBounds(e metrics.Estimate) (lower, upper float64) {
	lower, upper = e.Lower, e.Upper
	if e.Interval == metrics.IntervalWilson && e.Den > 0 {
		if e.Num == 0 {
			lower = 0
		}
		if e.Num == e.Den {
			upper = 1
		}
	}
	return lower, upper
}

// ratioNoise is the size below which a ratio is floating-point rounding
// of zero: no share of fewer than a billion cases is that small.
const ratioNoise = 1e-9

// formatPercent formats a ratio as a percentage with one decimal, or more
// decimals for small non-zero values so that 0.04% does not read as 0%.
func formatPercent(v float64) string {
	if math.Abs(v) < ratioNoise {
		v = 0
	}
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
