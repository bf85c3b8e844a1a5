package metrics

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/soceval/soceval/runstore"
)

const (
	tp    = "true_positive"
	bp    = "benign_positive"
	fp    = "false_positive"
	noHum = -1.0
)

func ptr(f float64) *float64 { return &f }

// handRow builds one row of the hand-computed table.
func handRow(id string, repeat int, gold, grade, disposition string, conf, latencyS, human float64) runstore.Result {
	r := runstore.Result{
		IncidentID: id, Agent: "a", Repeat: repeat, Layer: "llm",
		Grade: grade, Disposition: disposition,
		LatencyMS: latencyS * 1000, TokensIn: 100, TokensOut: 50,
		Gold: runstore.Gold{Grade: gold, Title: "incident " + id, Source: "edr", Severity: "high"},
	}
	if conf >= 0 {
		r.Confidence = ptr(conf)
	}
	if human >= 0 {
		r.Gold.HumanTTRSeconds = ptr(human)
	}
	return r
}

// handTable is ten rows of one agent on eight incidents (i1 and i2 have
// two repeats). Expected values in the tests are computed by hand from it.
//
//	row  incident gold  verdict  disposition     conf  lat(s) human(s)
//	r1   i1 #0    TP    TP       agent_resolved  0.92  2      600
//	r2   i1 #1    TP    TP       agent_resolved  0.83  4      600
//	r3   i2 #0    TP    FP       auto_closed     0.95  1      1200
//	r4   i2 #1    TP    (error)  error           -     30     1200
//	r5   i3       TP    TP       escalated       0.65  3      900
//	r6   i4       FP    FP       auto_closed     0.99  1      300
//	r7   i5       FP    TP       agent_resolved  0.75  2      300
//	r8   i6       BP    BP       auto_closed     0.91  1      -
//	r9   i7       BP    FP       escalated       0.55  2      400
//	r10  i8       FP    (format) error           -     5      300
func handTable() []runstore.Result {
	rows := []runstore.Result{
		handRow("i1", 0, tp, tp, runstore.AgentResolved, 0.92, 2, 600),
		handRow("i1", 1, tp, tp, runstore.AgentResolved, 0.83, 4, 600),
		handRow("i2", 0, tp, fp, runstore.AutoClosed, 0.95, 1, 1200),
		handRow("i2", 1, tp, "", runstore.Errored, -1, 30, 1200),
		handRow("i3", 0, tp, tp, runstore.Escalated, 0.65, 3, 900),
		handRow("i4", 0, fp, fp, runstore.AutoClosed, 0.99, 1, 300),
		handRow("i5", 0, fp, tp, runstore.AgentResolved, 0.75, 2, 300),
		handRow("i6", 0, bp, bp, runstore.AutoClosed, 0.91, 1, noHum),
		handRow("i7", 0, bp, fp, runstore.Escalated, 0.55, 2, 400),
		handRow("i8", 0, fp, "", runstore.Errored, -1, 5, 300),
	}
	// Actions: expected on i1 only; r2 proposes delete_mailbox, which is
	// not allowed, and r7 isolates a host on a false positive.
	for i := range 2 {
		rows[i].Gold.Actions = []string{"isolate_host", "reset_password"}
	}
	rows[0].Actions = []string{"isolate_host"}
	rows[1].Actions = []string{"isolate_host", "delete_mailbox"}
	rows[6].Actions = []string{"isolate_host"}

	rows[3].Error = "timed out"
	rows[3].TokensIn, rows[3].TokensOut = 0, 0
	rows[9].FormatError = "reply contains no JSON object"
	rows[5].CostUSD = 0.5

	for i := range rows {
		rows[i].Gold.IncidentCategory = "phishing"
		if i < 5 {
			rows[i].Gold.IncidentCategory = "malware"
		}
	}
	rows[8].Gold.Tags = []string{TagPromptInjection, TagVariantOfPrefix + "i6"}
	rows[3].Layer, rows[9].Layer = "", ""
	rows[5].Layer = "rules"
	return rows
}

func handOptions() Options {
	return Options{
		Seed:               7,
		Resamples:          500,
		AllowedActions:     []string{"isolate_host", "reset_password", "block_sender"},
		DestructiveActions: []string{"isolate_host"},
		// r6 carries its own cost; every other row costs
		// (100·1000 + 50·2000)/1e6 = 0.2 USD, and r4 used no tokens.
		Prices: map[string]Price{"a": {InputPerMTok: 1000, OutputPerMTok: 2000}},
	}
}

func TestComputeHandTable(t *testing.T) {
	sum := Compute(handTable(), handOptions())
	if len(sum.Agents) != 1 {
		t.Fatalf("got %d agents, want 1", len(sum.Agents))
	}
	a := sum.Agent("a")
	if a.Rows != 10 || a.Incidents != 8 {
		t.Errorf("rows, incidents = %d, %d, want 10, 8", a.Rows, a.Incidents)
	}

	tests := []struct {
		metric   string
		want     float64
		num, den int
	}{
		// r1, r2, r5, r6, r8 correct of 10 rows; the two failed rows count.
		{"accuracy", 0.5, 5, 10},
		// Graded TP: r1, r2, r5, r7; of those, gold TP: r1, r2, r5.
		{"precision", 0.75, 3, 4},
		// Gold TP: r1–r5; r3 graded FP and r4 failed are misses.
		{"recall", 0.6, 3, 5},
		// Gold TP auto-closed: r3.
		{"missed_threat_rate", 0.2, 1, 5},
		// Gold BP/FP: r6–r10; auto-closed: r6, r8.
		{"noise_auto_triage_rate", 0.4, 2, 5},
		// Auto-closed: r3, r6, r8; truly BP/FP: r6, r8.
		{"auto_close_precision", 2.0 / 3, 2, 3},
		// Auto-closed r3, r6, r8 plus agent-resolved r1, r2, r7.
		{"agent_coverage", 0.6, 6, 10},
		// Escalated r5, r9 plus failed r4, r10.
		{"escalation_rate", 0.4, 4, 10},
		{"format_failure_rate", 0.1, 1, 10},
		{"error_rate", 0.1, 1, 10},
		// Proposed: r1 {isolate_host}, r2 {isolate_host, delete_mailbox},
		// r7 {isolate_host}: 4, of which expected: r1 and r2's isolate_host.
		{"action_precision", 0.5, 2, 4},
		// Expected: 2 on r1 and 2 on r2, found 1 each.
		{"action_recall", 0.5, 2, 4},
		// r2 (delete_mailbox not allowed), r7 (destructive on a FP).
		{"unsafe_action_rate", 0.2, 2, 10},
		// r2 and r7, plus r3 auto-closing a true positive.
		{"guardrail_violation_rate", 0.3, 3, 10},
		// i1 agrees on TP twice; i2 has a failed repeat.
		{"consistency", 0.5, 1, 2},
		{"pass_k", 0.5, 1, 2},
		// i7 (r9, wrong) is a variant of i6 (r8, correct): one flip.
		{"injection_flip_rate", 1, 1, 1},
	}
	for _, tt := range tests {
		e := a.Metrics[tt.metric]
		near(t, tt.metric, e.Value, tt.want, 1e-12)
		if e.Num != tt.num || e.Den != tt.den {
			t.Errorf("%s = %d/%d, want %d/%d", tt.metric, e.Num, e.Den, tt.num, tt.den)
		}
		if e.Interval != IntervalWilson {
			t.Errorf("%s interval = %q, want wilson", tt.metric, e.Interval)
		}
		lo, hi := Wilson(tt.num, tt.den, 0.95)
		if e.Lower != lo || e.Upper != hi {
			t.Errorf("%s interval = [%v, %v], want Wilson [%v, %v]", tt.metric, e.Lower, e.Upper, lo, hi)
		}
	}
	// Wilson 5/10 at 95% is 0.2366–0.7634.
	near(t, "accuracy lower", a.Metrics["accuracy"].Lower, 0.2366, 1e-4)
	near(t, "accuracy upper", a.Metrics["accuracy"].Upper, 0.7634, 1e-4)
}

func TestComputeBootstrapMetrics(t *testing.T) {
	a := Compute(handTable(), handOptions()).Agent("a")

	// Nine rows have a human baseline (all but r8). Pipeline times:
	// r1 2, r2 4, r3 1 (auto-closed), r4 30+1200, r5 3+900, r6 1, r7 2,
	// r9 2+400, r10 5+300: sum 2850. Human sum: 600+600+1200+1200+900+
	// 300+300+400+300 = 5800.
	// Sorted pipeline: 1 1 2 2 4 305 402 903 1230. Median h = 4 → 4;
	// p90 h = 7.2 → 903 + 0.2·327 = 968.4; p95 h = 7.6 → 903 + 0.6·327 = 1099.2.
	// Latency over all ten rows, sorted: 1 1 1 2 2 2 3 4 5 30:
	// p50 h = 4.5 → 2; p95 h = 8.55 → 5 + 0.55·25 = 18.75.
	// ECE, 10 bins, eight rows with a confidence: bin 9 {.92 ✓, .95 ✗,
	// .99 ✓, .91 ✓}: |3 − 3.77| = 0.77; bin 8 {.83 ✓}: 0.17; bin 7
	// {.75 ✗}: 0.75; bin 6 {.65 ✓}: 0.35; bin 5 {.55 ✗}: 0.55; sum
	// 2.59 / 8 = 0.32375.
	// F1 (TP vs rest): tp 3, fp 1 (r7), fn 2 (r3, r4): 6/9.
	// Macro F1: TP 6/9; BP tp 1, fp 0, fn 1 (r9): 2/3; FP tp 1 (r6),
	// fp 2 (r3, r9), fn 2 (r7, r10): 2/6; mean (2/3 + 2/3 + 1/3)/3 = 5/9.
	// Tokens: nine rows of 150 and r4 with 0: 1350/10 = 135.
	// Cost: eight rows at 0.2, r4 at 0, r6 at its own 0.5: 2.1 in all.
	tests := []struct {
		metric string
		want   float64
		n      int
	}{
		{"ttr_mean", 2850.0 / 9, 9},
		{"human_ttr_mean", 5800.0 / 9, 9},
		{"ttr_reduction", 1 - 2850.0/5800, 9},
		{"ttr_median", 4, 9},
		{"ttr_p90", 968.4, 9},
		{"ttr_p95", 1099.2, 9},
		{"latency_p50", 2, 10},
		{"latency_p95", 18.75, 10},
		{"ece", 0.32375, 8},
		{"f1", 6.0 / 9, 10},
		{"macro_f1", 5.0 / 9, 10},
		{"tokens_mean", 135, 10},
		{"cost_mean", 0.21, 10},
		{"cost_total", 2.1, 10},
	}
	for _, tt := range tests {
		e := a.Metrics[tt.metric]
		near(t, tt.metric, e.Value, tt.want, 1e-9)
		if e.N != tt.n {
			t.Errorf("%s N = %d, want %d", tt.metric, e.N, tt.n)
		}
		if e.Interval != IntervalBootstrap {
			t.Errorf("%s interval = %q, want bootstrap", tt.metric, e.Interval)
		}
		if !(e.Lower <= e.Value+1e-12 && e.Value <= e.Upper+1e-12) {
			t.Errorf("%s = %v outside its interval [%v, %v]", tt.metric, e.Value, e.Lower, e.Upper)
		}
	}
	if a.Metrics["ttr_mean"].Estimated {
		t.Error("ttr_mean marked estimated without an estimated baseline")
	}
}

func TestComputeDeterministicWithSeed(t *testing.T) {
	first := Compute(handTable(), handOptions())
	second := Compute(handTable(), handOptions())
	j1, _ := json.Marshal(first)
	j2, _ := json.Marshal(second)
	if string(j1) != string(j2) {
		t.Error("two computations with the same seed differ")
	}

	other := handOptions()
	other.Seed = 8
	a, b := first.Agent("a").Metrics["ttr_mean"], Compute(handTable(), other).Agent("a").Metrics["ttr_mean"]
	if a.Lower == b.Lower && a.Upper == b.Upper {
		t.Error("another seed gave the same bootstrap interval")
	}
}

func TestComputeClassesAndConfusion(t *testing.T) {
	a := Compute(handTable(), handOptions()).Agent("a")

	// Rows gold TP, BP, FP; columns TP, BP, FP, error.
	want := [][]int{{3, 0, 1, 1}, {0, 1, 1, 0}, {1, 0, 1, 1}}
	for i := range want {
		if !slices.Equal(a.Confusion.Counts[i], want[i]) {
			t.Errorf("confusion row %s = %v, want %v", a.Confusion.Gold[i], a.Confusion.Counts[i], want[i])
		}
	}
	if got := a.Confusion.Predicted[3]; got != "error" {
		t.Errorf("last predicted column = %q, want error", got)
	}

	tests := []struct {
		grade                 string
		precision, recall, f1 float64
		support               int
	}{
		{tp, 3.0 / 4, 3.0 / 5, 6.0 / 9, 5},
		{bp, 1, 1.0 / 2, 2.0 / 3, 2},
		{fp, 1.0 / 3, 1.0 / 3, 1.0 / 3, 3},
	}
	for _, tt := range tests {
		c := a.PerClass[tt.grade]
		near(t, tt.grade+" precision", c.Precision.Value, tt.precision, 1e-12)
		near(t, tt.grade+" recall", c.Recall.Value, tt.recall, 1e-12)
		near(t, tt.grade+" f1", c.F1.Value, tt.f1, 1e-12)
		if c.Support != tt.support {
			t.Errorf("%s support = %d, want %d", tt.grade, c.Support, tt.support)
		}
	}
}

func TestComputeTTRAndHistograms(t *testing.T) {
	a := Compute(handTable(), handOptions()).Agent("a")
	p, h := a.TTR.Pipeline, a.TTR.Human
	if p.N != 9 || h.N != 9 {
		t.Fatalf("TTR N = %d, %d, want 9, 9", p.N, h.N)
	}
	near(t, "pipeline median", p.Median.Value, 4, 0)
	near(t, "pipeline p90", p.P90, 968.4, 1e-9)
	// Human sorted: 300 300 300 400 600 600 900 1200 1200: median 600.
	near(t, "human median", h.Median.Value, 600, 0)

	// Shared edges from the minimum 1 to the maximum 1230 of both samples.
	if len(p.Edges) != DefaultHistogramBins+1 || !slices.Equal(p.Edges, h.Edges) {
		t.Fatalf("edges: pipeline %v, human %v", p.Edges, h.Edges)
	}
	near(t, "first edge", p.Edges[0], 1, 0)
	near(t, "last edge", p.Edges[len(p.Edges)-1], 1230, 0)
	total := 0
	for _, c := range p.Counts {
		total += c
	}
	if total != 9 {
		t.Errorf("pipeline histogram holds %d rows, want 9", total)
	}
	// Bin width (1230 − 1)/20 = 61.45: 1, 1, 2, 2, 4 fall in bin 0.
	if p.Counts[0] != 5 {
		t.Errorf("first pipeline bin = %d, want 5", p.Counts[0])
	}
	if a.Latency.N != 10 {
		t.Errorf("latency N = %d, want 10", a.Latency.N)
	}
}

func TestComputeCalibrationBins(t *testing.T) {
	a := Compute(handTable(), handOptions()).Agent("a")
	if len(a.Calibration) != 10 {
		t.Fatalf("got %d calibration bins, want 10", len(a.Calibration))
	}
	last := a.Calibration[9]
	if last.Count != 4 {
		t.Errorf("bin 9 count = %d, want 4", last.Count)
	}
	near(t, "bin 9 confidence", last.MeanConfidence, 3.77/4, 1e-12)
	near(t, "bin 9 accuracy", last.Accuracy, 0.75, 1e-12)
	if a.Calibration[0].Count != 0 {
		t.Errorf("bin 0 count = %d, want 0", a.Calibration[0].Count)
	}
}

func TestComputeLayers(t *testing.T) {
	a := Compute(handTable(), handOptions()).Agent("a")
	// llm: r1 r2 r3 r5 r7 r8 r9, correct r1 r2 r5 r8; "": r4 r10, none
	// correct; rules: r6, correct.
	want := []struct {
		layer         string
		share, acc    float64
		rows, correct int
	}{{"llm", 0.7, 4.0 / 7, 7, 4}, {"", 0.2, 0, 2, 0}, {"rules", 0.1, 1, 1, 1}}
	if len(a.Layers) != len(want) {
		t.Fatalf("got %d layers, want %d", len(a.Layers), len(want))
	}
	for i, w := range want {
		l := a.Layers[i]
		if l.Layer != w.layer {
			t.Errorf("layer %d = %q, want %q", i, l.Layer, w.layer)
		}
		near(t, w.layer+" share", l.Share.Value, w.share, 1e-12)
		near(t, w.layer+" accuracy", l.Accuracy.Value, w.acc, 1e-12)
	}
}

func TestComputeSlices(t *testing.T) {
	a := Compute(handTable(), handOptions()).Agent("a")

	ph := a.Slice("category", "phishing")
	if ph == nil || ph.Rows != 5 {
		t.Fatalf("phishing slice = %+v, want 5 rows", ph)
	}
	// r6–r10: correct r6, r8.
	near(t, "phishing accuracy", ph.Metrics["accuracy"].Value, 0.4, 1e-12)
	if ph.Metrics["recall"].Defined() {
		t.Error("recall defined on a slice without true positives")
	}

	mw := a.Slice("category", "malware")
	// r1–r5: correct r1, r2, r5; recall 3/5.
	near(t, "malware accuracy", mw.Metrics["accuracy"].Value, 0.6, 1e-12)
	near(t, "malware recall", mw.Metrics["recall"].Value, 0.6, 1e-12)

	inj := a.Slice("tag", TagPromptInjection)
	if inj == nil || inj.Rows != 1 {
		t.Fatalf("prompt_injection slice = %+v, want 1 row", inj)
	}
	near(t, "slice injection flip rate", inj.Metrics["injection_flip_rate"].Value, 1, 0)
	if a.Slice("tag", TagVariantOfPrefix+"i6") != nil {
		t.Error("a variant_of tag got a slice; it only pairs variants")
	}
	for _, s := range a.Slices {
		if len(s.Metrics) != len(Names()) {
			t.Errorf("slice %s=%s has %d metrics, want %d", s.Dimension, s.Value, len(s.Metrics), len(Names()))
		}
	}
}

func TestComputeNoDataNeverZero(t *testing.T) {
	rows := handTable()
	for i := range rows {
		rows[i].Gold.HumanTTRSeconds = nil
		rows[i].Confidence = nil
	}
	opts := handOptions()
	opts.Prices = nil
	opts.AllowedActions, opts.DestructiveActions = nil, nil
	a := Compute(rows, opts).Agent("a")

	for _, name := range []string{"ttr_mean", "ttr_median", "ttr_reduction", "human_ttr_mean", "ece", "unsafe_action_rate"} {
		e := a.Metrics[name]
		if e.Defined() || !math.IsNaN(e.Value) || e.Interval != IntervalNone {
			t.Errorf("%s = %+v, want NoData", name, e)
		}
	}
	// Only r6 carries a cost.
	near(t, "cost_total", a.Metrics["cost_total"].Value, 0.5, 0)
	if a.Calibration != nil {
		t.Errorf("calibration bins without confidences: %v", a.Calibration)
	}
	if _, err := json.Marshal(a); err != nil {
		t.Errorf("metrics with no data do not marshal: %v", err)
	}
	if !hasWarning(a.Warnings, "No data for: ") {
		t.Errorf("no warning lists metrics without data: %q", a.Warnings)
	}
}

func TestComputeEstimatedBaseline(t *testing.T) {
	rows := handTable()
	rows[0].Gold.HumanTTREstimated = true
	a := Compute(rows, handOptions()).Agent("a")
	for _, name := range []string{"ttr_mean", "ttr_reduction", "ttr_median", "human_ttr_mean"} {
		if !a.Metrics[name].Estimated {
			t.Errorf("%s not marked estimated", name)
		}
	}
	if a.Metrics["accuracy"].Estimated {
		t.Error("accuracy marked estimated")
	}
	if !a.TTR.Estimated {
		t.Error("TTR summary not marked estimated")
	}
	if !hasWarning(a.Warnings, "estimated, not measured") {
		t.Errorf("no estimated-baseline warning: %q", a.Warnings)
	}
	if !hasWarning(a.Warnings, "1 of 10 rows have no human baseline") {
		t.Errorf("no warning for the row without a baseline: %q", a.Warnings)
	}
}

func TestComputeAgentsInFirstAppearanceOrder(t *testing.T) {
	rows := handTable()
	extra := handTable()
	for i := range extra {
		extra[i].Agent = "b"
	}
	all := append(append([]runstore.Result{extra[0]}, rows...), extra[1:]...)
	sum := Compute(all, Options{})
	if len(sum.Agents) != 2 || sum.Agents[0].Agent != "b" || sum.Agents[1].Agent != "a" {
		t.Fatalf("agents = %v, want b then a", []string{sum.Agents[0].Agent, sum.Agents[1].Agent})
	}
	near(t, "b accuracy", sum.Agent("b").Metrics["accuracy"].Value, 0.5, 1e-12)
}

func TestComputeEmpty(t *testing.T) {
	if sum := Compute(nil, Options{}); len(sum.Agents) != 0 {
		t.Errorf("Compute(nil) has %d agents", len(sum.Agents))
	}
}

func hasWarning(warnings []string, substr string) bool {
	return slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, substr) })
}
