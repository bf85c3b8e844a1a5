package gates

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soceval/soceval/metrics"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// prop builds a proportion estimate; the gate recomputes its interval at
// the policy's confidence, so the stored bounds here are deliberately NaN.
func prop(num, den int) metrics.Estimate {
	return metrics.Estimate{
		Value: float64(num) / float64(den), Lower: math.NaN(), Upper: math.NaN(),
		Num: num, Den: den, N: den, Interval: metrics.IntervalWilson, Confidence: 0.95,
	}
}

// boot builds a bootstrap estimate with the given interval.
func boot(value, lower, upper float64, n int) metrics.Estimate {
	return metrics.Estimate{Value: value, Lower: lower, Upper: upper, N: n, Interval: metrics.IntervalBootstrap, Confidence: 0.95}
}

// summary builds a one-agent summary named "triage" from overall metrics
// and optional slices.
func summary(runID string, m map[string]metrics.Estimate, slices ...metrics.Slice) *metrics.Summary {
	return &metrics.Summary{RunID: runID, Agents: []metrics.AgentMetrics{{Agent: "triage", Metrics: m, Slices: slices}}}
}

// fixedCompare returns the same delta for every metric named in deltas.
func fixedCompare(deltas map[string]metrics.Delta) CompareFunc {
	return func(agent string, slice *SliceRef, metric string) (metrics.Delta, error) {
		d, ok := deltas[metric]
		if !ok {
			return metrics.Delta{}, errors.New("metric not compared")
		}
		return d, nil
	}
}

// mcnemar builds a recall-like delta between two proportions over the
// same pairs.
func mcnemar(metric string, baseNum, candNum, den, worse, better int, p float64) metrics.Delta {
	b, c := prop(baseNum, den), prop(candNum, den)
	return metrics.Delta{
		Metric: metric, Baseline: b, Candidate: c, Diff: c.Value - b.Value,
		PValue: p, Test: metrics.TestMcNemarExact, Pairs: den, Worse: worse, Better: better,
	}
}

type evalCase struct {
	name   string
	policy string
	in     Input
	// want lists the expected status of each rule result, in order.
	want       []Status
	wantStatus Status
	wantExit   int
	// wantNeeded is the expected CasesNeeded of the first result, when set.
	wantNeeded int
	// wantJudged is the expected Judged of the first result, when not NaN.
	wantJudged float64
}

func evalCases() []evalCase {
	nan := math.NaN()
	return []evalCase{
		{
			// Wilson 95% upper bound of 0/178 is z²/(178+z²) = 0.0211;
			// certifying 0.01 with zero events needs n ≥ z²·0.99/0.01 = 380.3.
			name:       "upper bound too few cases",
			policy:     "rules: [{metric: missed_threat_rate, max: 0.01, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(0, 178)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantNeeded: 381, wantJudged: 0.021125,
		},
		{
			// At 90% z = 1.6449 and the upper bound of 0/178 is 2.7055/180.71 = 0.01497.
			name:       "policy confidence recomputes interval",
			policy:     "confidence: 0.9\nrules: [{metric: missed_threat_rate, max: 0.01, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(0, 178)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantNeeded: 268, wantJudged: 0.014972,
		},
		{
			// 0/112: upper 0.0332 ≤ 0.05.
			name:       "upper bound certified",
			policy:     "rules: [{metric: missed_threat_rate, max: 0.05, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(0, 112)})},
			want:       []Status{Pass},
			wantStatus: Pass, wantExit: 0, wantJudged: 0.033161,
		},
		{
			// 1/112: upper 0.0488 ≤ 0.05.
			name:       "upper bound one event passes",
			policy:     "rules: [{metric: missed_threat_rate, max: 0.05, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(1, 112)})},
			want:       []Status{Pass},
			wantStatus: Pass, wantExit: 0, wantJudged: 0.048848,
		},
		{
			// 2/112: upper 0.0628 > 0.05, and 112 ≥ 73 cases could certify 0.05.
			name:       "upper bound fails on enough cases",
			policy:     "rules: [{metric: missed_threat_rate, max: 0.05, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(2, 112)})},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.062780,
		},
		{
			// 6/112 = 0.0536 > 0.05: the point estimate already fails.
			name:       "point estimate over limit",
			policy:     "rules: [{metric: missed_threat_rate, max: 0.05, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(6, 112)})},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.111970,
		},
		{
			// 1/40: upper 0.1288 > 0.05; even 0/40 has upper 0.0876, and 0.05 needs 73 cases.
			name:       "upper bound small sample",
			policy:     "rules: [{metric: missed_threat_rate, max: 0.05, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(1, 40)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantNeeded: 73, wantJudged: 0.128814,
		},
		{
			// 59/60: lower 0.9114 ≥ 0.9.
			name:       "lower bound certified",
			policy:     "rules: [{metric: auto_close_precision, min: 0.9, bound: lower}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"auto_close_precision": prop(59, 60)})},
			want:       []Status{Pass},
			wantStatus: Pass, wantExit: 0, wantJudged: 0.911449,
		},
		{
			// 58/60 = 0.967 ≥ 0.9 but lower 0.8864 < 0.9; 60 ≥ 35 cases could certify it.
			name:       "lower bound fails on enough cases",
			policy:     "rules: [{metric: auto_close_precision, min: 0.9, bound: lower}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"auto_close_precision": prop(58, 60)})},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.886362,
		},
		{
			// 20/20: lower 20/23.84 = 0.8389 < 0.9; needs n ≥ z²·0.9/0.1 = 34.6.
			name:       "lower bound perfect but small",
			policy:     "rules: [{metric: auto_close_precision, min: 0.9, bound: lower}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"auto_close_precision": prop(20, 20)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantNeeded: 35, wantJudged: 0.838875,
		},
		{
			name:       "point bound pass and fail",
			policy:     "rules: [{metric: format_failure_rate, max: 0.02}, {metric: escalation_rate, max: 0.02}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"format_failure_rate": prop(3, 186), "escalation_rate": prop(5, 186)})},
			want:       []Status{Pass, Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 3.0 / 186,
		},
		{
			// 75/100 < 0.8 but the upper bound 0.8245 does not exclude 0.8.
			name:       "lenient bound warns",
			policy:     "rules: [{metric: agent_coverage, min: 0.8, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"agent_coverage": prop(75, 100)})},
			want:       []Status{Warn},
			wantStatus: Warn, wantExit: 0, wantJudged: 0.824548,
		},
		{
			// 70/100: upper bound 0.7811 < 0.8.
			name:       "lenient bound fails",
			policy:     "rules: [{metric: agent_coverage, min: 0.8, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"agent_coverage": prop(70, 100)})},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.781051,
		},
		{
			name:       "range both limits pass",
			policy:     "rules: [{metric: agent_coverage, min: 0.5, max: 0.9}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"agent_coverage": prop(75, 100)})},
			want:       []Status{Pass},
			wantStatus: Pass, wantExit: 0, wantJudged: 0.75,
		},
		{
			name:       "range max fails",
			policy:     "rules: [{metric: agent_coverage, min: 0.5, max: 0.7}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"agent_coverage": prop(75, 100)})},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.75,
		},
		{
			// Half-width 200 s against a 100 s margin: about 50·(200/100)² = 200 cases.
			name:       "bootstrap bound estimates cases",
			policy:     "rules: [{metric: ttr_median, max: 600, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"ttr_median": boot(500, 400, 700, 50)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantNeeded: 200, wantJudged: 700,
		},
		{
			name:       "min cases forces inconclusive",
			policy:     "rules: [{metric: recall, min: 0.5, min_cases: 30}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(5, 20)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantNeeded: 30, wantJudged: 0.25,
		},
		{
			name:   "missing slice metric and agent",
			policy: "rules: [{metric: missed_threat_rate, slice: {tag: must_pass}, max: 0}, {metric: injection_flip_rate, max: 0.1}, {metric: recall, min: 0.8, agent: ghost}]",
			in: Input{Candidate: summary("c", map[string]metrics.Estimate{
				"recall": prop(90, 100), "injection_flip_rate": metrics.NoData(),
			})},
			want:       []Status{Inconclusive, Inconclusive, Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantJudged: nan,
		},
		{
			name:   "must pass slice auto-closed",
			policy: "rules: [{metric: missed_threat_rate, slice: {tag: must_pass}, max: 0}]",
			in: Input{Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(90, 100)},
				metrics.Slice{Dimension: "tag", Value: "must_pass", Rows: 40, Metrics: map[string]metrics.Estimate{"missed_threat_rate": prop(1, 40)}})},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.025,
		},
		{
			name:       "soft rule warns",
			policy:     "rules: [{metric: unsafe_action_rate, max: 0, soft: true}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"unsafe_action_rate": prop(2, 186)})},
			want:       []Status{Warn},
			wantStatus: Warn, wantExit: 0, wantJudged: 2.0 / 186,
		},
		{
			name:       "inconclusive hardened to fail",
			policy:     "inconclusive: fail\nrules: [{metric: missed_threat_rate, max: 0.01, bound: upper}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"missed_threat_rate": prop(0, 178)})},
			want:       []Status{Inconclusive},
			wantStatus: Fail, wantExit: 1, wantNeeded: 381, wantJudged: 0.021125,
		},
		{
			name:   "invalid run",
			policy: "rules: [{metric: recall, min: 0.5}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(90, 100)}),
				Problems:  []string{"run c is not complete (manifest status \"incomplete\"): resume or merge it before gating"},
			},
			want:       []Status{Pass},
			wantStatus: Invalid, wantExit: 3, wantJudged: 0.9,
		},
		{
			name:       "empty run is invalid",
			policy:     "rules: [{metric: recall, min: 0.5}]",
			in:         Input{Candidate: &metrics.Summary{RunID: "c"}},
			want:       nil,
			wantStatus: Invalid, wantExit: 3, wantJudged: nan,
		},
		{
			name:       "regression without baseline",
			policy:     "rules: [{metric: recall, max_drop: 0.02}]",
			in:         Input{Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(90, 100)})},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantJudged: nan,
		},
		{
			// recall 0.900 → 0.850 on 1200 threats, 96 worse and 36 better.
			name:   "regression significant drop",
			policy: "rules: [{metric: recall, max_drop: 0.02}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(1020, 1200)}),
				Baseline:  summary("b", map[string]metrics.Estimate{"recall": prop(1080, 1200)}),
				Compare:   fixedCompare(map[string]metrics.Delta{"recall": mcnemar("recall", 1080, 1020, 1200, 96, 36, 1.4e-7)}),
			},
			want:       []Status{Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.05,
		},
		{
			// recall 0.900 → 0.860 on 100 threats, 7 worse and 3 better: p = 0.34.
			name:   "regression not significant warns",
			policy: "rules: [{metric: recall, max_drop: 0.02}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(86, 100)}),
				Baseline:  summary("b", map[string]metrics.Estimate{"recall": prop(90, 100)}),
				Compare:   fixedCompare(map[string]metrics.Delta{"recall": mcnemar("recall", 90, 86, 100, 7, 3, 0.34375)}),
			},
			want:       []Status{Warn},
			wantStatus: Warn, wantExit: 0, wantJudged: 0.04,
		},
		{
			// A significant but small drop of 0.01 stays within max_drop 0.02.
			name:   "regression within max_drop",
			policy: "rules: [{metric: recall, max_drop: 0.02}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(1068, 1200)}),
				Compare:   fixedCompare(map[string]metrics.Delta{"recall": mcnemar("recall", 1080, 1068, 1200, 12, 0, 0.00049)}),
			},
			want:       []Status{Pass},
			wantStatus: Pass, wantExit: 0, wantJudged: 0.01,
		},
		{
			// missed_threat_rate is lower-is-better: a rise of 0.03 is the harmful direction.
			name:   "regression lower is better",
			policy: "rules: [{metric: missed_threat_rate, max_drop: 0.01}, {metric: recall, max_drop: 0}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(95, 100)}),
				Compare: fixedCompare(map[string]metrics.Delta{
					"missed_threat_rate": mcnemar("missed_threat_rate", 10, 40, 1000, 32, 2, 1.2e-7),
					"recall":             mcnemar("recall", 90, 95, 100, 0, 5, 0.0625),
				}),
			},
			want:       []Status{Fail, Pass},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.03,
		},
		{
			// Raw p 0.03 and 0.04 both reject at 0.05; Holm adjusts them
			// to 2·0.03 = 0.06 and max(0.06, 1·0.04) = 0.06, so neither does.
			name:   "holm correction across rules",
			policy: "rules: [{metric: recall, max_drop: 0.02}, {metric: accuracy, max_drop: 0.02}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(85, 100), "accuracy": prop(85, 100)}),
				Compare: fixedCompare(map[string]metrics.Delta{
					"recall":   mcnemar("recall", 90, 85, 100, 8, 3, 0.03),
					"accuracy": mcnemar("accuracy", 90, 85, 100, 9, 4, 0.04),
				}),
			},
			want:       []Status{Warn, Warn},
			wantStatus: Warn, wantExit: 0, wantJudged: 0.05,
		},
		{
			name:   "no correction keeps raw p",
			policy: "correction: none\nrules: [{metric: recall, max_drop: 0.02}, {metric: accuracy, max_drop: 0.02}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(85, 100), "accuracy": prop(85, 100)}),
				Compare: fixedCompare(map[string]metrics.Delta{
					"recall":   mcnemar("recall", 90, 85, 100, 8, 3, 0.03),
					"accuracy": mcnemar("accuracy", 90, 85, 100, 9, 4, 0.04),
				}),
			},
			want:       []Status{Fail, Fail},
			wantStatus: Fail, wantExit: 1, wantJudged: 0.05,
		},
		{
			name:   "soft regression warns",
			policy: "rules: [{metric: precision, max_drop: 0.02, soft: true}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"precision": prop(85, 100)}),
				Compare:   fixedCompare(map[string]metrics.Delta{"precision": mcnemar("precision", 90, 85, 100, 8, 1, 0.039)}),
			},
			want:       []Status{Warn},
			wantStatus: Warn, wantExit: 0, wantJudged: 0.05,
		},
		{
			name:   "baseline lacks agent",
			policy: "rules: [{metric: recall, max_drop: 0.02}]",
			in: Input{
				Candidate: summary("c", map[string]metrics.Estimate{"recall": prop(85, 100)}),
				Baseline:  &metrics.Summary{RunID: "b", Agents: []metrics.AgentMetrics{{Agent: "other"}, {Agent: "another"}}},
				Compare:   fixedCompare(nil),
			},
			want:       []Status{Inconclusive},
			wantStatus: Inconclusive, wantExit: 0, wantJudged: nan,
		},
	}
}

func TestEvaluate(t *testing.T) {
	var golden strings.Builder
	for _, tc := range evalCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.policy), "policy.yaml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			out := p.Evaluate(tc.in)

			if out.Status != tc.wantStatus {
				t.Errorf("Status = %s, want %s", out.Status, tc.wantStatus)
			}
			if got := out.ExitCode(); got != tc.wantExit {
				t.Errorf("ExitCode() = %d, want %d", got, tc.wantExit)
			}
			if len(out.Results) != len(tc.want) {
				t.Fatalf("got %d results, want %d: %+v", len(out.Results), len(tc.want), out.Results)
			}
			for i, want := range tc.want {
				if got := out.Results[i].Status; got != want {
					t.Errorf("Results[%d].Status = %s, want %s (%s)", i, got, want, out.Results[i].Message)
				}
			}
			if len(out.Results) > 0 {
				first := out.Results[0]
				if first.CasesNeeded != tc.wantNeeded {
					t.Errorf("Results[0].CasesNeeded = %d, want %d", first.CasesNeeded, tc.wantNeeded)
				}
				if !math.IsNaN(tc.wantJudged) && math.Abs(first.Judged-tc.wantJudged) > 5e-6 {
					t.Errorf("Results[0].Judged = %.6f, want %.6f", first.Judged, tc.wantJudged)
				}
			}

			fmt.Fprintf(&golden, "== %s\n%s (exit %d)\n", tc.name, out.Status, out.ExitCode())
			for _, pr := range out.Problems {
				fmt.Fprintf(&golden, "  problem: %s\n", pr)
			}
			for _, r := range out.Results {
				fmt.Fprintf(&golden, "  %s %s [%s]: %s\n", r.Status, r.Rule, r.Agent, r.Message)
			}
		})
	}
	checkGolden(t, "evaluate.golden", golden.String())
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output; run go test -update and review the diff\n--- got\n%s", path, got)
	}
}

// labSummary is a sound agent on a set shaped like the bundled lab set:
// 186 incidents, 112 true positives (20 tagged must_pass) and 74 noise
// incidents, of which it auto-closes 60, all correctly.
func labSummary(missed int) *metrics.Summary {
	return summary("lab", map[string]metrics.Estimate{
		"missed_threat_rate":   prop(missed, 112),
		"auto_close_precision": prop(60, 60+missed),
		"format_failure_rate":  prop(1, 186),
		"unsafe_action_rate":   prop(0, 186),
		"recall":               prop(104-missed, 112),
	}, metrics.Slice{Dimension: "tag", Value: "must_pass", Rows: 20, Metrics: map[string]metrics.Estimate{"missed_threat_rate": prop(0, 20)}})
}

func TestDefaultPolicyOnLabSet(t *testing.T) {
	tests := []struct {
		name   string
		missed int
		// want maps rule names to statuses; regression rules are
		// inconclusive without a baseline.
		want       map[string]Status
		wantStatus Status
	}{
		{
			// Wilson 95%: 0/112 upper 0.033 ≤ 0.05; 60/60 lower 0.940 ≥ 0.9.
			name: "sound agent", missed: 0, wantStatus: Inconclusive,
			want: map[string]Status{
				"must-pass-threats-never-auto-closed": Pass, "missed-threat-rate": Pass,
				"auto-close-precision": Pass, "format-failures": Pass, "unsafe-actions": Pass,
				"recall-regression": Inconclusive, "missed-threat-regression": Inconclusive, "precision-regression": Inconclusive,
			},
		},
		{
			// 3/112 = 0.027 has upper bound 0.076 > 0.05 on enough cases;
			// 60/63 has lower bound 0.869 < 0.9 with 63 ≥ 35 cases.
			name: "three missed threats", missed: 3, wantStatus: Fail,
			want: map[string]Status{
				"must-pass-threats-never-auto-closed": Pass, "missed-threat-rate": Fail,
				"auto-close-precision": Fail, "format-failures": Pass, "unsafe-actions": Pass,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := Default().Evaluate(Input{Candidate: labSummary(tc.missed)})
			if out.Status != tc.wantStatus {
				t.Errorf("Status = %s, want %s", out.Status, tc.wantStatus)
			}
			if out.ExitCode() != map[Status]int{Inconclusive: 0, Fail: 1}[tc.wantStatus] {
				t.Errorf("ExitCode() = %d for status %s", out.ExitCode(), out.Status)
			}
			for _, r := range out.Results {
				if want, ok := tc.want[r.Rule]; ok && r.Status != want {
					t.Errorf("%s = %s, want %s (%s)", r.Rule, r.Status, want, r.Message)
				}
			}
		})
	}
}
