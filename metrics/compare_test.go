package metrics

import (
	"errors"
	"fmt"
	"testing"

	"github.com/soceval/soceval/runstore"
)

// pairedRuns returns twelve true-positive incidents: both runs correct on
// 2, only the baseline on 1, only the candidate on 9. A wrong verdict
// auto-closes the threat.
func pairedRuns() (base, cand []runstore.Result) {
	verdict := func(id string, agent string, correct bool, latencyS float64) runstore.Result {
		r := runstore.Result{IncidentID: id, Agent: agent, Grade: tp, Disposition: runstore.AgentResolved,
			LatencyMS: latencyS * 1000, Gold: runstore.Gold{Grade: tp, Title: "t " + id}}
		if !correct {
			r.Grade, r.Disposition = fp, runstore.AutoClosed
		}
		return r
	}
	for i := range 12 {
		id := fmt.Sprintf("inc-%02d", i)
		baseOK := i < 3
		candOK := i < 2 || i >= 3
		base = append(base, verdict(id, "base", baseOK, 10+float64(i%3)))
		cand = append(cand, verdict(id, "cand", candOK, 5+float64(i%3)))
	}
	return base, cand
}

func TestCompareMcNemarOneVersusNine(t *testing.T) {
	base, cand := pairedRuns()
	tests := []struct {
		metric        string
		diff          float64
		better, worse int
	}{
		// Correct: baseline 3/12, candidate 11/12.
		{"accuracy", 8.0 / 12, 9, 1},
		{"recall", 8.0 / 12, 9, 1},
		// Auto-closed threats: baseline 9/12, candidate 1/12; lower is better.
		{"missed_threat_rate", -8.0 / 12, 9, 1},
	}
	for _, tt := range tests {
		d, err := Compare(base, cand, tt.metric, Options{Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", tt.metric, err)
		}
		near(t, tt.metric+" diff", d.Diff, tt.diff, 1e-12)
		// 10 discordant pairs split 1 vs 9: p = 22/1024.
		near(t, tt.metric+" p", d.PValue, 0.021484375, 1e-12)
		if d.Better != tt.better || d.Worse != tt.worse {
			t.Errorf("%s better, worse = %d, %d, want %d, %d", tt.metric, d.Better, d.Worse, tt.better, tt.worse)
		}
		if !(d.Lower <= d.Diff && d.Diff <= d.Upper) {
			t.Errorf("%s diff %v outside [%v, %v]", tt.metric, d.Diff, d.Lower, d.Upper)
		}
	}
}

func TestComparePairedBootstrap(t *testing.T) {
	base, cand := pairedRuns()
	// Every candidate row is exactly 5 s faster, so every resample's
	// difference is −5 and no resample reaches 0: p = 2·(0 + 1)/(B + 1).
	d, err := Compare(base, cand, "latency_p50", Options{Resamples: 999})
	if err != nil {
		t.Fatal(err)
	}
	if d.Test != TestPairedBootstrap {
		t.Errorf("test = %q, want %q", d.Test, TestPairedBootstrap)
	}
	near(t, "diff", d.Diff, -5, 1e-12)
	near(t, "lower", d.Lower, -5, 1e-12)
	near(t, "upper", d.Upper, -5, 1e-12)
	near(t, "p", d.PValue, 2.0/1000, 1e-12)

	// tokens_mean is 0 in both runs: no difference, p = 1.
	d, err = Compare(base, cand, "tokens_mean", Options{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "tokens p", d.PValue, 1, 0)
}

func TestComparePrecisionUsesBootstrap(t *testing.T) {
	rows := handTable()
	cand := handTable()
	// The candidate stops grading r7 (a false positive) as a threat:
	// precision goes from 3/4 to 3/3.
	cand[6].Grade, cand[6].Disposition, cand[6].Actions = fp, runstore.AutoClosed, nil
	d, err := Compare(rows, cand, "precision", handOptions())
	if err != nil {
		t.Fatal(err)
	}
	if d.Test != TestPairedBootstrap {
		t.Errorf("precision test = %q, want %q", d.Test, TestPairedBootstrap)
	}
	near(t, "precision diff", d.Diff, 0.25, 1e-12)
}

func TestCompareErrors(t *testing.T) {
	base, cand := pairedRuns()
	if _, err := Compare(base, cand, "speed", Options{}); err == nil {
		t.Error("unknown metric accepted")
	}
	other := append([]runstore.Result(nil), cand...)
	for i := range other {
		other[i].IncidentID = "other-" + other[i].IncidentID
	}
	if _, err := Compare(base, other, "accuracy", Options{}); err == nil {
		t.Error("runs without common incidents accepted")
	}
	dup := append(append([]runstore.Result(nil), base...), base[0])
	if _, err := Compare(dup, cand, "accuracy", Options{}); err == nil {
		t.Error("duplicate baseline rows accepted")
	}
	relabeled := append([]runstore.Result(nil), cand...)
	relabeled[0].Gold.Grade = fp
	if _, err := Compare(base, relabeled, "accuracy", Options{}); err == nil {
		t.Error("differing gold grades accepted")
	}
	if _, err := Compare(base, cand, "unsafe_action_rate", Options{}); !errors.Is(err, ErrNoData) {
		t.Errorf("unsafe_action_rate without action rules: err = %v, want ErrNoData", err)
	}
}

func TestFlipsWorstFirst(t *testing.T) {
	mk := func(id, gold, grade, disposition string) runstore.Result {
		return runstore.Result{IncidentID: id, Grade: grade, Disposition: disposition, Gold: runstore.Gold{Grade: gold}}
	}
	base := []runstore.Result{
		mk("a", tp, tp, runstore.AgentResolved), // newly correct below
		mk("b", tp, tp, runstore.AgentResolved), // threat newly auto-closed
		mk("c", fp, fp, runstore.AutoClosed),    // newly wrong
		mk("d", fp, fp, runstore.AutoClosed),    // disposition changed only
		mk("e", tp, tp, runstore.AgentResolved), // unchanged
		mk("f", tp, fp, runstore.Escalated),     // newly correct
		mk("only-base", tp, tp, runstore.AgentResolved),
	}
	cand := []runstore.Result{
		mk("f", tp, tp, runstore.AgentResolved),
		mk("e", tp, tp, runstore.AgentResolved),
		mk("d", fp, fp, runstore.Escalated),
		mk("c", fp, tp, runstore.AgentResolved),
		mk("b", tp, fp, runstore.AutoClosed),
		mk("a", tp, tp, runstore.AgentResolved),
		mk("only-cand", tp, tp, runstore.AgentResolved),
	}
	base[0].Grade = ""
	base[0].Disposition = runstore.Errored

	flips := Flips(base, cand)
	want := []struct{ id, kind string }{
		{"b", FlipThreatNewlyAutoClosed},
		{"c", FlipNewlyWrong},
		{"a", FlipNewlyCorrect},
		{"f", FlipNewlyCorrect},
		{"d", FlipDispositionChanged},
	}
	if len(flips) != len(want) {
		t.Fatalf("got %d flips, want %d: %+v", len(flips), len(want), flips)
	}
	for i, w := range want {
		if flips[i].IncidentID != w.id || flips[i].Kind != w.kind {
			t.Errorf("flip %d = %s %s, want %s %s", i, flips[i].IncidentID, flips[i].Kind, w.id, w.kind)
		}
	}

	cov := CompareCoverage(base, cand)
	if cov.Common != 6 || cov.Same() || cov.Err() == nil {
		t.Errorf("coverage = %+v, want 6 common and a mismatch", cov)
	}
	if len(cov.OnlyBaseline) != 1 || cov.OnlyBaseline[0] != "only-base" || cov.OnlyCandidate[0] != "only-cand" {
		t.Errorf("coverage lists = %v, %v", cov.OnlyBaseline, cov.OnlyCandidate)
	}
	if err := CompareCoverage(base[:6], cand[:6]).Err(); err != nil {
		t.Errorf("same incidents reported as different: %v", err)
	}
}
