package reports

import (
	"math"
	"testing"
)

func TestFormatValue(t *testing.T) {
	cases := []struct {
		metric string
		v      float64
		want   string
	}{
		{"recall", 0.95, "95%"},
		{"recall", 0.9125, "91.2%"},
		{"missed_threat_rate", 0.0004, "0.04%"},
		{"missed_threat_rate", 0.00001, "<0.01%"},
		{"missed_threat_rate", 0, "0%"},
		{"ttr_median", 0.25, "250 ms"},
		{"ttr_median", 42, "42 s"},
		{"ttr_median", 252, "4 min 12 s"},
		{"ttr_median", 7500, "2 h 05 min"},
		{"cost_mean", 0.0031, "$0.0031"},
		{"cost_total", 12.5, "$12.50"},
		{"tokens_mean", 1234.4, "1234"},
		{"recall", math.NaN(), "n/a"},
	}
	for _, c := range cases {
		if got := formatValue(c.metric, c.v); got != c.want {
			t.Errorf("formatValue(%s, %v) = %q, want %q", c.metric, c.v, got, c.want)
		}
	}
}

func TestFormatDiff(t *testing.T) {
	cases := []struct {
		metric string
		v      float64
		want   string
	}{
		{"recall", 0.1, "+10 pp"},
		{"recall", -0.025, "−2.5 pp"},
		{"ttr_median", -30, "−30 s"},
		{"recall", math.Inf(1), "n/a"},
	}
	for _, c := range cases {
		if got := formatDiff(c.metric, c.v); got != c.want {
			t.Errorf("formatDiff(%s, %v) = %q, want %q", c.metric, c.v, got, c.want)
		}
	}
}

func TestFormatPValue(t *testing.T) {
	cases := map[float64]string{0.02148: "0.021", 0.0004: "<0.001", 1: "1.000"}
	for p, want := range cases {
		if got := formatPValue(p); got != want {
			t.Errorf("formatPValue(%v) = %q, want %q", p, got, want)
		}
	}
}
