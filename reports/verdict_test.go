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
