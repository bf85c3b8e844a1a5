package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/soceval/soceval/runstore"
)

func TestCostOfFreeRowsIsZero(t *testing.T) {
	gold := runstore.Gold{Grade: "false_positive"}
	rows := []runstore.Result{
		{IncidentID: "a", Agent: "pipe", Grade: "false_positive", Disposition: runstore.AutoClosed, Gold: gold},
		{IncidentID: "b", Agent: "pipe", Grade: "false_positive", Disposition: runstore.AutoClosed, Gold: gold},
		{IncidentID: "c", Agent: "pipe", Grade: "false_positive", Disposition: runstore.AutoClosed, CostUSD: 0.003, Gold: gold},
		{IncidentID: "a", Agent: "rules", Grade: "false_positive", Disposition: runstore.AutoClosed, Gold: gold},
	}
	s := Compute(rows, Options{Seed: 1, Resamples: 50})

	// The pipeline spent $0.003 over 3 incidents: a mean of $0.001.
	pipe := s.Agent("pipe").Metrics["cost_mean"]
	if pipe.N != 3 || math.Abs(pipe.Value-0.001) > 1e-12 {
		t.Errorf("pipeline cost_mean = %v over %d rows, want 0.001 over 3", pipe.Value, pipe.N)
	}
	// An agent that never reports a cost has no cost data.
	if rules := s.Agent("rules").Metrics["cost_mean"]; rules.Defined() {
		t.Errorf("rules cost_mean = %v, want no data", rules.Value)
	}
}

func TestUnrecordedLatencyIsNoData(t *testing.T) {
	gold := runstore.Gold{Grade: "true_positive"}
	rows := []runstore.Result{
		{IncidentID: "a", Agent: "recorded", Grade: "true_positive", Disposition: runstore.Escalated, Replayed: true, Gold: gold},
		{IncidentID: "b", Agent: "recorded", Grade: "true_positive", Disposition: runstore.Escalated, Replayed: true, Gold: gold},
		{IncidentID: "a", Agent: "live", Grade: "true_positive", Disposition: runstore.Escalated, LatencyMS: 1000, Gold: gold},
		{IncidentID: "b", Agent: "live", Grade: "true_positive", Disposition: runstore.Escalated, LatencyMS: 3000, Gold: gold},
	}
	s := Compute(rows, Options{Seed: 1, Resamples: 50})

	if p50 := s.Agent("recorded").Metrics["latency_p50"]; p50.Defined() {
		t.Errorf("recorded latency_p50 = %v, want no data: the recording has no latency", p50.Value)
	}
	// Median of 1 s and 3 s with linear interpolation: 2 s.
	if p50 := s.Agent("live").Metrics["latency_p50"]; p50.Value != 2 {
		t.Errorf("live latency_p50 = %v, want 2", p50.Value)
	}
}

func TestDeltaJSONWritesNaNAsNull(t *testing.T) {
	d := Delta{Metric: "ttr_mean", Baseline: NoData(), Candidate: NoData(), Diff: 1, Lower: math.NaN(), Upper: 2, PValue: math.NaN()}
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"p_value":null`) || !strings.Contains(string(data), `"lower":null`) {
		t.Errorf("JSON %s lacks null p_value and lower", data)
	}
	var back Delta
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.PValue) || back.Diff != 1 || back.Upper != 2 {
		t.Errorf("round trip = %+v", back)
	}
}

func TestFewIncidentsGiveNoBootstrapPValue(t *testing.T) {
	var base, cand []runstore.Result
	for i, ms := range []float64{100, 200, 300} {
		id := string(rune('a' + i))
		gold := runstore.Gold{Grade: "true_positive"}
		base = append(base, runstore.Result{IncidentID: id, Agent: "b", Grade: "true_positive", Disposition: runstore.Escalated, LatencyMS: ms, Gold: gold})
		cand = append(cand, runstore.Result{IncidentID: id, Agent: "c", Grade: "true_positive", Disposition: runstore.Escalated, LatencyMS: ms * 2, Gold: gold})
	}
	d, err := Compare(base, cand, "latency_p50", Options{Seed: 1, Resamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(d.PValue) {
		t.Errorf("p-value on 3 incidents = %v, want none", d.PValue)
	}
	// Medians 0.2 s and 0.4 s.
	if math.Abs(d.Diff-0.2) > 1e-12 {
		t.Errorf("diff = %v, want 0.2", d.Diff)
	}
}

func TestWilsonEndsAreExact(t *testing.T) {
	for _, n := range []int{1, 7, 104, 1000} {
		if lo, _ := Wilson(0, n, 0.95); lo != 0 {
			t.Errorf("Wilson(0, %d) lower = %g, want exactly 0", n, lo)
		}
		if _, hi := Wilson(n, n, 0.95); hi != 1 {
			t.Errorf("Wilson(%d, %d) upper = %g, want exactly 1", n, n, hi)
		}
	}
}
