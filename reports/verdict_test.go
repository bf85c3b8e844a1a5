package reports

import (
	"testing"

	"github.com/soceval/soceval/gates"
)

func TestInconclusiveCountNamesTheCause(t *testing.T) {
	regression := gates.RuleResult{Status: gates.Inconclusive, Kind: gates.KindRegression}
	absolute := gates.RuleResult{Status: gates.Inconclusive, Kind: gates.KindAbsolute}
	passed := gates.RuleResult{Status: gates.Pass, Kind: gates.KindAbsolute}

	tests := []struct {
		name string
		o    gates.Outcome
		want string
	}{
		{"no baseline", gates.Outcome{Results: []gates.RuleResult{regression, regression, passed}},
			"2 of 3 rules compare with a baseline run, and none was given"},
		{"too few cases", gates.Outcome{Results: []gates.RuleResult{absolute, passed}},
			"1 of 2 rules had too little data to decide"},
		{"both", gates.Outcome{Results: []gates.RuleResult{regression, absolute, passed}},
			"2 of 3 rules could not be decided (1 need a baseline run, 1 had too little data)"},
		{"baseline given", gates.Outcome{Baseline: "r1", Results: []gates.RuleResult{regression, passed}},
			"1 of 2 rules had too little data to decide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inconclusiveCount(&tt.o, len(tt.o.Results)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVerdictNamesRuleAgents checks that the banner tells apart rules of
// the same name that judged different agents.
func TestVerdictNamesRuleAgents(t *testing.T) {
	rule := func(agent string, s gates.Status) gates.RuleResult {
		return gates.RuleResult{Rule: "missed-threat-rate", Metric: "missed_threat_rate", Agent: agent, Status: s}
	}
	cases := []struct {
		name    string
		results []gates.RuleResult
		want    string
	}{
		{"two agents", []gates.RuleResult{rule("gpt-4o", gates.Fail), rule("gpt-4.1", gates.Fail)},
			"2 of 2 rules failed: missed-threat-rate (gpt-4o), missed-threat-rate (gpt-4.1)."},
		{"one agent", []gates.RuleResult{rule("gpt-4o", gates.Fail), rule("gpt-4o", gates.Pass)},
			"1 of 2 rules failed: missed-threat-rate."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &gates.Outcome{Status: gates.Fail, Valid: true, Results: c.results}
			if got := verdictOf(o).Detail; got != c.want {
				t.Errorf("detail = %q, want %q", got, c.want)
			}
		})
	}
}
