package reports

import (
	"math"
	"testing"

	"github.com/soceval/soceval/harness"
	"github.com/soceval/soceval/runstore"
)

func TestThresholdCurve(t *testing.T) {
	row := func(gold, grade string, conf float64, escalate bool) runstore.Result {
		return runstore.Result{Agent: "a", Grade: grade, Confidence: &conf, Escalate: escalate,
			Disposition: runstore.Escalated, Gold: runstore.Gold{Grade: gold}}
	}
	rows := []runstore.Result{
		row("false_positive", "false_positive", 0.95, false),
		row("false_positive", "false_positive", 0.75, false),
		row("benign_positive", "benign_positive", 0.55, false),
		row("benign_positive", "benign_positive", 0.99, true), // asks to escalate: never closed
		row("true_positive", "false_positive", 0.8, false),    // a threat that would be closed at <= 0.8
		row("true_positive", "true_positive", 0.99, false),
		{Agent: "b", Grade: "false_positive", Gold: runstore.Gold{Grade: "true_positive"}},
		{Agent: "a", Disposition: runstore.Errored, Gold: runstore.Gold{Grade: "false_positive"}},
	}
	got := ThresholdCurve(rows, "a", []float64{0.5, 0.7, 0.9}, 0.8)

	// Hand count: 5 noise rows (one errored), 2 threats.
	want := []ThresholdPoint{
		{Threshold: 0.5, NoiseAutoClose: 3.0 / 5, MissedThreat: 1.0 / 2},
		{Threshold: 0.7, NoiseAutoClose: 2.0 / 5, MissedThreat: 1.0 / 2},
		{Threshold: 0.8, NoiseAutoClose: 1.0 / 5, MissedThreat: 1.0 / 2, Current: true},
		{Threshold: 0.9, NoiseAutoClose: 1.0 / 5, MissedThreat: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Threshold != w.Threshold || g.Current != w.Current ||
			math.Abs(g.NoiseAutoClose-w.NoiseAutoClose) > 1e-12 || math.Abs(g.MissedThreat-w.MissedThreat) > 1e-12 {
			t.Errorf("point %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestThresholdCurveNoRows(t *testing.T) {
	got := ThresholdCurve(nil, "a", []float64{0.5}, 0.5)
	if len(got) != 1 || !math.IsNaN(got[0].NoiseAutoClose) || !got[0].Current {
		t.Errorf("empty curve = %+v, want one current NaN point", got)
	}
}

// TestThresholdCurveUnstatedConfidence checks that a verdict without a
// confidence counts as fully confident, unless the run escalated it
// because its policy required a confidence.
func TestThresholdCurveUnstatedConfidence(t *testing.T) {
	row := func(gold, grade, disposition string, conf *float64) runstore.Result {
		return runstore.Result{Agent: "a", Grade: grade, Confidence: conf, Disposition: disposition,
			Gold: runstore.Gold{Grade: gold}}
	}
	rows := []runstore.Result{
		row("false_positive", "false_positive", runstore.AutoClosed, nil),     // closed at every threshold
		row("false_positive", "false_positive", runstore.Escalated, nil),      // require_confidence: never closed
		row("false_positive", "false_positive", runstore.Escalated, ptr(0.6)), // closed at <= 0.6
		row("true_positive", "benign_positive", runstore.AutoClosed, nil),     // a threat closed at every threshold
		row("true_positive", "true_positive", runstore.AgentResolved, nil),    // never closable
	}
	got := ThresholdCurve(rows, "a", []float64{0.5, 0.9}, 0.8)

	// Hand count: 3 noise rows, 2 threats.
	want := []ThresholdPoint{
		{Threshold: 0.5, NoiseAutoClose: 2.0 / 3, MissedThreat: 1.0 / 2},
		{Threshold: 0.8, NoiseAutoClose: 1.0 / 3, MissedThreat: 1.0 / 2, Current: true},
		{Threshold: 0.9, NoiseAutoClose: 1.0 / 3, MissedThreat: 1.0 / 2},
	}
	checkCurve(t, got, want)
}

// TestThresholdCurveAgreesWithPolicy compares the curve with the
// disposition policy itself: at every threshold, the rows the curve
// closes are the rows harness.Policy auto-closes.
func TestThresholdCurveAgreesWithPolicy(t *testing.T) {
	type verdictRow struct {
		gold string
		v    harness.Verdict
	}
	var cases []verdictRow
	for _, gold := range []string{"true_positive", "false_positive", "benign_positive"} {
		for _, grade := range []string{"true_positive", "false_positive", "benign_positive"} {
			for _, conf := range []*float64{nil, ptr(0.3), ptr(0.5), ptr(0.75), ptr(0.8), ptr(0.95), ptr(1)} {
				for _, esc := range []bool{false, true} {
					cases = append(cases, verdictRow{gold, harness.Verdict{Grade: grade, Confidence: conf, Escalate: esc}})
				}
			}
		}
	}
	thresholds := []float64{0.5, 0.7, 0.8, 0.9, 1}

	for _, requireConf := range []bool{false, true} {
		// The run's dispositions use the default threshold, as a real run does.
		run := harness.Policy{CloseThreshold: harness.DefaultCloseThreshold, RequireConfidence: requireConf}
		rows := make([]runstore.Result, len(cases))
		for i, c := range cases {
			rows[i] = runstore.Result{Agent: "a", Grade: c.v.Grade, Confidence: c.v.Confidence, Escalate: c.v.Escalate,
				Disposition: run.Dispose(&c.v), Gold: runstore.Gold{Grade: c.gold}}
		}
		curve := ThresholdCurve(rows, "a", thresholds, harness.DefaultCloseThreshold)

		for _, pt := range curve {
			p := harness.Policy{CloseThreshold: pt.Threshold, RequireConfidence: requireConf}
			var noise, threats, closedNoise, closedThreats int
			for _, c := range cases {
				closed := p.Dispose(&c.v) == runstore.AutoClosed
				if c.gold == "true_positive" {
					threats++
					if closed {
						closedThreats++
					}
				} else {
					noise++
					if closed {
						closedNoise++
					}
				}
			}
			wantNoise, wantMissed := float64(closedNoise)/float64(noise), float64(closedThreats)/float64(threats)
			if math.Abs(pt.NoiseAutoClose-wantNoise) > 1e-12 || math.Abs(pt.MissedThreat-wantMissed) > 1e-12 {
				t.Errorf("require_confidence=%v threshold %.2f: curve %v/%v, policy %v/%v",
					requireConf, pt.Threshold, pt.NoiseAutoClose, pt.MissedThreat, wantNoise, wantMissed)
			}
		}
	}
}

func checkCurve(t *testing.T, got, want []ThresholdPoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Threshold != w.Threshold || g.Current != w.Current ||
			math.Abs(g.NoiseAutoClose-w.NoiseAutoClose) > 1e-12 || math.Abs(g.MissedThreat-w.MissedThreat) > 1e-12 {
			t.Errorf("point %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestFlatCurve(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name   string
		points []ThresholdPoint
		want   bool
	}{
		{"empty", nil, false},
		{"one point", []ThresholdPoint{{Threshold: 0.8, NoiseAutoClose: 0.5}}, false},
		{"same shares", []ThresholdPoint{{0.5, 0.7, 0.3, false}, {0.9, 0.7, 0.3, true}}, true},
		{"no data", []ThresholdPoint{{0.5, nan, nan, false}, {0.9, nan, nan, true}}, true},
		{"noise changes", []ThresholdPoint{{0.5, 0.7, 0.3, false}, {0.9, 0.6, 0.3, true}}, false},
		{"misses change", []ThresholdPoint{{0.5, 0.7, 0.3, false}, {0.9, 0.7, 0.2, true}}, false},
	}
	for _, c := range cases {
		if got := flatCurve(c.points); got != c.want {
			t.Errorf("%s: flatCurve = %v, want %v", c.name, got, c.want)
		}
	}
}
