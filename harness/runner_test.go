package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

func conf(f float64) *float64 { return &f }

func TestDispose(t *testing.T) {
	p := Policy{CloseThreshold: 0.8}
	strict := Policy{CloseThreshold: 0.8, RequireConfidence: true}
	tests := []struct {
		name   string
		policy Policy
		v      *Verdict
		want   string
	}{
		{"no verdict", p, nil, runstore.Errored},
		{"confident false positive", p, &Verdict{Grade: "false_positive", Confidence: conf(0.8)}, runstore.AutoClosed},
		{"unsure false positive", p, &Verdict{Grade: "false_positive", Confidence: conf(0.79)}, runstore.Escalated},
		{"confident benign positive", p, &Verdict{Grade: "benign_positive", Confidence: conf(0.95)}, runstore.AutoClosed},
		{"benign without confidence", p, &Verdict{Grade: "benign_positive"}, runstore.AutoClosed},
		{"benign without confidence, strict", strict, &Verdict{Grade: "benign_positive"}, runstore.Escalated},
		{"escalate wins", p, &Verdict{Grade: "false_positive", Confidence: conf(1), Escalate: true}, runstore.Escalated},
		{"threat with actions", p, &Verdict{Grade: "true_positive", Actions: []string{"isolate_device"}}, runstore.AgentResolved},
		{"threat without actions", p, &Verdict{Grade: "true_positive"}, runstore.Escalated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.Dispose(tt.v); got != tt.want {
				t.Errorf("Dispose = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestReadPredictionsReportsEveryProblem(t *testing.T) {
	input := strings.Join([]string{
		`{"incident_id":"a","grade":"true_positive","agent":"x"}`,
		`not json`,
		`{"grade":"false_positive"}`,
		`{"incident_id":"a","grade":"false_positive","agent":"x"}`,
		``,
		`{"incident_id":"b","grade":"maybe"}`,
		`{"incident_id":"c","grade":"FP","confidence":1.5}`,
		`{"incident_id":"d","grade":"true_positive","confidence":"high"}`,
		`{"incident_id":"e","grade":"true_positive","agnt":"x"}`,
	}, "\n")

	byAgent, order, err := ReadPredictions(strings.NewReader(input), "p.jsonl", "default")
	if err == nil {
		t.Fatal("ReadPredictions accepted invalid lines")
	}
	for _, want := range []string{
		"p.jsonl:2: invalid JSON",
		`p.jsonl:3: field "incident_id": missing`,
		`p.jsonl:4: field "incident_id": duplicate prediction for "a"`,
		`p.jsonl:8: field "confidence": expected a number, found a JSON string`,
		`p.jsonl:9: field "agnt": unknown field`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Join(order, ",") != "x,default" {
		t.Errorf("agents = %v, want x,default", order)
	}
	if byAgent["default"]["b"].Grade != "maybe" {
		t.Error("a prediction with an unknown grade was dropped; it must be kept and replayed as a format failure")
	}

	got := Nonconforming("p.jsonl", byAgent)
	want := []string{
		`p.jsonl:6: grade "maybe" is not one of true_positive, benign_positive, false_positive`,
		`p.jsonl:7: grade "fp" is not one of true_positive, benign_positive, false_positive (did you mean false_positive?)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Nonconforming =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRecordedAgentReplays(t *testing.T) {
	preds := map[string]Prediction{
		"a": {IncidentID: "a", Grade: "false_positive", Confidence: conf(0.9), LatencyMS: 1500, TokensIn: 100},
		"b": {IncidentID: "b", Grade: "maybe"},
	}
	agent := NewRecordedAgent("rec", "p.jsonl", preds)

	out, err := agent.Triage(context.Background(), &datasets.Incident{ID: "a"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict == nil || out.Verdict.Grade != "false_positive" {
		t.Fatalf("verdict = %+v, want false_positive", out.Verdict)
	}
	if out.Latency != 1500*time.Millisecond {
		t.Errorf("latency = %v, want the recorded 1.5s", out.Latency)
	}
	if !out.Replayed {
		t.Error("recorded outcome not marked as replayed")
	}

	out, err = agent.Triage(context.Background(), &datasets.Incident{ID: "b"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != nil || !strings.Contains(out.FormatError, `grade "maybe"`) {
		t.Errorf("unknown grade gave verdict %+v, format error %q; want a format failure", out.Verdict, out.FormatError)
	}

	if _, err := agent.Triage(context.Background(), &datasets.Incident{ID: "c"}, 0); err == nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("missing recording error = %v, want one naming the incident", err)
	}
}

// scripted is a test agent whose outcome for each incident is fixed.
type scripted struct {
	name  string
	calls atomic.Int64
	fn    func(ctx context.Context, in *datasets.Incident, repeat int) (Outcome, error)
}

func (s *scripted) Name() string { return s.name }
func (s *scripted) Triage(ctx context.Context, in *datasets.Incident, repeat int) (Outcome, error) {
	s.calls.Add(1)
	return s.fn(ctx, in, repeat)
}

func incidents(n int) []datasets.Incident {
	out := make([]datasets.Incident, n)
	for i := range out {
		out[i] = datasets.Incident{ID: fmt.Sprintf("inc-%03d", i), Title: "t", Label: datasets.Label{Grade: "true_positive"}}
	}
	return out
}

func TestPipelineSettlesInOrder(t *testing.T) {
	rules := &scripted{name: "rules", fn: func(_ context.Context, in *datasets.Incident, _ int) (Outcome, error) {
		if in.ID == "settled" {
			return Outcome{Verdict: &Verdict{Grade: "false_positive", Confidence: conf(0.9)}, Latency: time.Millisecond, Attempts: 1}, nil
		}
		return Outcome{Verdict: &Verdict{Grade: "true_positive", Escalate: true}, Latency: time.Millisecond, Attempts: 1}, nil
	}}
	llm := &scripted{name: "llm", fn: func(context.Context, *datasets.Incident, int) (Outcome, error) {
		return Outcome{Verdict: &Verdict{Grade: "true_positive", Actions: []string{"isolate_device"}}, Latency: time.Second, TokensIn: 10, Attempts: 1}, nil
	}}
	p := NewPipeline("layered", Policy{CloseThreshold: 0.8}, rules, llm)

	out, err := p.Triage(context.Background(), &datasets.Incident{ID: "settled"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out.Layer != "rules" || llm.calls.Load() != 0 {
		t.Errorf("settled incident: layer %q, llm calls %d; want rules and 0", out.Layer, llm.calls.Load())
	}

	out, err = p.Triage(context.Background(), &datasets.Incident{ID: "open"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out.Layer != "llm" {
		t.Errorf("escalated incident settled by layer %q, want llm", out.Layer)
	}
	if out.Latency != time.Second+time.Millisecond || out.TokensIn != 10 || out.Attempts != 2 {
		t.Errorf("totals latency %v tokens %d attempts %d; want 1.001s, 10, 2", out.Latency, out.TokensIn, out.Attempts)
	}
}

func TestRunnerWritesEachKeyOnce(t *testing.T) {
	dir := t.TempDir()
	log, err := runstore.CreateLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	agent := &scripted{name: "a", fn: func(_ context.Context, in *datasets.Incident, repeat int) (Outcome, error) {
		if in.ID == "inc-002" {
			return Outcome{FormatError: "reply contains no JSON object", RawOutput: "<html>"}, nil
		}
		return Outcome{Verdict: &Verdict{Grade: "true_positive", Actions: []string{"x"}}}, nil
	}}
	done := map[runstore.Key]bool{{IncidentID: "inc-000", Agent: "a", Repeat: 1}: true}

	r := &Runner{Agents: []Agent{agent}, Policy: Policy{CloseThreshold: 0.8}, Repeats: 2, Concurrency: 4, Log: log}
	if err := r.Run(context.Background(), incidents(5), done); err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}

	rows, err := runstore.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 9 {
		t.Errorf("rows = %d, want 5 incidents x 2 repeats - 1 already done = 9", len(rows))
	}
	formatFailures := 0
	for _, row := range rows {
		if row.FormatError != "" {
			formatFailures++
			if row.Disposition != runstore.Errored || row.RawOutput != "<html>" {
				t.Errorf("format failure row: disposition %q raw %q", row.Disposition, row.RawOutput)
			}
		}
		if row.Gold.Grade != "true_positive" {
			t.Errorf("row %s has gold grade %q, want the incident's label", row.IncidentID, row.Gold.Grade)
		}
	}
	if formatFailures != 2 {
		t.Errorf("format failures = %d, want 2 (inc-002 x 2 repeats)", formatFailures)
	}
}

func TestRunnerStopsOnErrorBudget(t *testing.T) {
	dir := t.TempDir()
	log, err := runstore.CreateLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	agent := &scripted{name: "down", fn: func(context.Context, *datasets.Incident, int) (Outcome, error) {
		return Outcome{}, errors.New("connection refused")
	}}

	r := &Runner{Agents: []Agent{agent}, Concurrency: 1, ErrorBudget: 3, Log: log}
	err = r.Run(context.Background(), incidents(50), nil)
	log.Close()
	if !errors.Is(err, ErrErrorBudget) {
		t.Fatalf("Run error = %v, want ErrErrorBudget", err)
	}
	if n := agent.calls.Load(); n >= 50 {
		t.Errorf("agent called %d times; the run should stop soon after 4 errors", n)
	}
}

func TestRunnerDropsCallsCutByCancel(t *testing.T) {
	dir := t.TempDir()
	log, err := runstore.CreateLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	agent := &scripted{name: "slow", fn: func(ctx context.Context, in *datasets.Incident, _ int) (Outcome, error) {
		if in.ID == "inc-003" {
			cancel()
		}
		if in.ID >= "inc-003" {
			<-ctx.Done()
			return Outcome{}, ctx.Err()
		}
		return Outcome{Verdict: &Verdict{Grade: "true_positive"}}, nil
	}}

	r := &Runner{Agents: []Agent{agent}, Concurrency: 1, Log: log}
	err = r.Run(ctx, incidents(10), nil)
	log.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if row.Error != "" {
			t.Errorf("row %s recorded the cancellation as an error: %s", row.IncidentID, row.Error)
		}
	}
	if len(rows) != 3 {
		t.Errorf("rows = %d, want the 3 completed before the cancel", len(rows))
	}
}
