package gates

import (
	"testing"

	"github.com/soceval/soceval/metrics"
)

func TestRuleNamingUngatedAgentIsEvaluated(t *testing.T) {
	policy, err := Parse([]byte("rules:\n  - metric: missed_threat_rate\n    max: 0.1\n    agent: pipeline\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// 17 of 104 threats auto-closed: 16.3%, above the 10% limit.
	summary := &metrics.Summary{Agents: []metrics.AgentMetrics{
		{Agent: "rules", Metrics: map[string]metrics.Estimate{"missed_threat_rate": metrics.Proportion(0, 104, 0.95)}},
		{Agent: "pipeline", Metrics: map[string]metrics.Estimate{"missed_threat_rate": metrics.Proportion(17, 104, 0.95)}},
	}}

	out := policy.Evaluate(Input{Candidate: summary, Agents: []string{"rules"}})
	if len(out.Results) != 1 || out.Results[0].Agent != "pipeline" {
		t.Fatalf("results = %+v, want one result for agent pipeline", out.Results)
	}
	if out.Status != Fail {
		t.Errorf("status = %s, want fail", out.Status)
	}
	if got := policy.UnknownAgents(summary); len(got) != 0 {
		t.Errorf("UnknownAgents = %v, want none", got)
	}

	typo, err := Parse([]byte("rules:\n  - metric: recall\n    min: 0.9\n    agent: pipelin\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := typo.UnknownAgents(summary); len(got) != 1 || got[0] != "pipelin" {
		t.Errorf("UnknownAgents = %v, want [pipelin]", got)
	}
}
