package reports

import (
	"math"
	"slices"
	"testing"

	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
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
		{"ttr_median", 42, "42.0 s"},
		{"ttr_median", 252, "4.2 min"},
		{"ttr_median", 3600, "60.0 min"},
		{"ttr_median", 7500, "2.1 h"},
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
		{"ttr_median", -30, "−30.0 s"},
		{"ttr_median", 90, "+1.5 min"},
		{"recall", math.Inf(1), "n/a"},
	}
	for _, c := range cases {
		if got := formatDiff(c.metric, c.v); got != c.want {
			t.Errorf("formatDiff(%s, %v) = %q, want %q", c.metric, c.v, got, c.want)
		}
	}
}

func TestTimeUnitFor(t *testing.T) {
	cases := []struct {
		values []float64
		want   string
	}{
		{[]float64{0.2, 0.9}, "ms"},
		{[]float64{0.2, 59.9}, "s"},
		{[]float64{0.2, 60}, "min"},
		{[]float64{-1350, 0.9}, "min"},
		{[]float64{3600}, "min"},
		{[]float64{7199}, "min"},
		{[]float64{7200}, "h"},
		{[]float64{math.NaN(), 30}, "s"},
		{nil, "s"},
	}
	for _, c := range cases {
		if got := timeUnitFor(c.values...).name; got != c.want {
			t.Errorf("timeUnitFor(%v) = %q, want %q", c.values, got, c.want)
		}
	}
}

// TestTimeColumnOneUnit checks the medians of one table column: 0.2 s,
// 0.9 s and 1350 s (22 min 30 s) are all written in minutes, because the
// largest is minutes, and the sub-second ones as "<1 s".
func TestTimeColumnOneUnit(t *testing.T) {
	f := formatFor("ttr_median", 0.2, 0.9, 1350)
	cases := []struct {
		v    float64
		want string
	}{
		{0.2, "<1 s"},
		{0.9, "<1 s"},
		{1350, "22.5 min"},
		{0, "0 min"},
		{2, "<0.1 min"},    // 0.033 min rounds to 0.0
		{3, "0.1 min"},     // 0.05 min rounds up
		{3600, "60.0 min"}, // an interval bound above the values keeps their unit
	}
	for _, c := range cases {
		if got := f.value(c.v); got != c.want {
			t.Errorf("value(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	e := metrics.Estimate{Value: 1350, Lower: 0.2, Upper: 3600, N: 40, Interval: metrics.IntervalBootstrap}
	if got, want := f.estimate(e), "22.5 min [<1 s, 60.0 min]"; got != want {
		t.Errorf("estimate = %q, want %q", got, want)
	}
	if got, want := formatFor("ttr_median", 0.4).value(0.0004), "<1 ms"; got != want {
		t.Errorf("sub-millisecond in ms = %q, want %q", got, want)
	}
}

// TestZeroRateInterval checks one convention for rates of 0 of n: the
// Wilson lower bound is exactly 0 and prints "0%", even when the formula
// left a rounding error such as 1e-18.
func TestZeroRateInterval(t *testing.T) {
	cases := []struct {
		name string
		e    metrics.Estimate
		want string
	}{
		{"exact zero", prop(0, 104, 0, 0.0356), "0% [0%, 3.6%]"},
		{"rounding error", prop(0, 104, 1.2e-18, 0.0356), "0% [0%, 3.6%]"},
		{"all of n", prop(12, 12, 0.7575, 0.9999999999), "100% [75.8%, 100%]"},
		{"small but real", prop(1, 5000, 0.0000353, 0.0011), "0.02% [<0.01%, 0.11%]"},
	}
	for _, c := range cases {
		if got := formatEstimate("missed_threat_rate", c.e); got != c.want {
			t.Errorf("%s: formatEstimate = %q, want %q", c.name, got, c.want)
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

// TestBreakdownTimeColumn checks that the time column of a breakdown table
// writes medians of 0.2 s, 0.9 s and 22 min 30 s in one unit, minutes.
func TestBreakdownTimeColumn(t *testing.T) {
	a := &sampleData().Summary.Agents[0]
	medians := map[string]metrics.Estimate{
		"phishing":          boot(0.2, 0, 0.4, 100),
		"malware":           boot(0.9, 0.1, 3600, 60),
		"credential_access": boot(1350, 0.5, 1800, 40),
	}
	for i := range a.Slices {
		if e, ok := medians[a.Slices[i].Value]; ok {
			a.Slices[i].Metrics["ttr_median"] = e
		}
	}

	var table *sliceTable
	for _, st := range buildSliceTables(a) {
		if st.Dimension == "category" {
			table = &st
		}
	}
	if table == nil {
		t.Fatal("no category table")
	}
	col := slices.Index(table.Columns, "ttr_median")
	if col < 0 {
		t.Fatalf("no ttr_median column in %v", table.Columns)
	}
	want := map[string]cell{
		"phishing":          {"<1 s", "[0 min, <1 s]"},
		"malware":           {"<1 s", "[<1 s, 60.0 min]"},
		"credential access": {"22.5 min", "[<1 s, 30.0 min]"},
	}
	for _, r := range table.Rows {
		if got := r.Cells[col]; got != want[r.Value] {
			t.Errorf("%s: cell %+v, want %+v", r.Value, got, want[r.Value])
		}
	}
}

// TestGateRowZeroRate checks a gate rule on 0 of 104 threats whose Wilson
// lower bound came out as 1e-18: it prints like every other 0 of n.
func TestGateRowZeroRate(t *testing.T) {
	o := &gates.Outcome{Status: gates.Pass, Valid: true, Results: []gates.RuleResult{{
		Rule: "missed-threat-rate", Metric: "missed_threat_rate", Agent: "rules-v1", Status: gates.Pass,
		Observed: prop(0, 104, 1e-18, 0.0356), Judged: 0.0356, Limit: 0.05,
	}}}
	if got, want := gateRows(o)[0].Observed, "0% [0%, 3.6%]"; got != want {
		t.Errorf("observed = %q, want %q", got, want)
	}
}
