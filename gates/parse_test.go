package gates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBadPolicies(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/bad-*.yaml files: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			p, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, p)
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *PolicyError: %v", err, err)
			}
			checkGolden(t, name+".golden", err.Error()+"\n")
		})
	}
}

func TestParseGoodPolicy(t *testing.T) {
	p, err := Load(filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	if p.Confidence != 0.9 || p.Correction != CorrectionNone || p.Inconclusive != Fail || p.ErrorBudget != 0.1 {
		t.Errorf("settings = %v %v %v %v, want 0.9 none fail 0.1", p.Confidence, p.Correction, p.Inconclusive, p.ErrorBudget)
	}
	if len(p.Rules) != 2 {
		t.Fatalf("got %d rules, want 2", len(p.Rules))
	}

	r := p.Rules[0]
	if r.Name != "phishing-coverage" || r.Metric != "agent_coverage" || r.Agent != "triage-llm" {
		t.Errorf("rule 0 identity = %q %q %q", r.Name, r.Metric, r.Agent)
	}
	if r.Slice == nil || r.Slice.Dimension != "category" || r.Slice.Value != "phishing" {
		t.Errorf("rule 0 slice = %v, want category=phishing", r.Slice)
	}
	if r.Min == nil || *r.Min != 0.75 || r.Max != nil || r.Bound != BoundLower || r.MinCases != 30 {
		t.Errorf("rule 0 limits = %v %v %q %d", r.Min, r.Max, r.Bound, r.MinCases)
	}
	if r.Line != 6 || r.Index != 0 {
		t.Errorf("rule 0 at index %d line %d, want 0 and 6", r.Index, r.Line)
	}

	r = p.Rules[1]
	if !r.Regression() || *r.MaxDrop != 0.02 || r.Alpha != 0.01 || !r.Soft || r.Bound != BoundPoint {
		t.Errorf("rule 1 = %+v, want soft max_drop 0.02 at alpha 0.01", r)
	}
	if got := r.Title(); got != "recall max_drop 0.02" {
		t.Errorf("rule 1 Title() = %q", got)
	}
}

func TestParseDefaults(t *testing.T) {
	p, err := Parse([]byte("rules: [{metric: recall, max_drop: 0.02}]"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Confidence != 0.95 || p.Correction != CorrectionHolm || p.Inconclusive != Warn || p.ErrorBudget != 0.05 {
		t.Errorf("defaults = %v %v %v %v, want 0.95 holm warn 0.05", p.Confidence, p.Correction, p.Inconclusive, p.ErrorBudget)
	}
	if p.Rules[0].Alpha != 0.05 {
		t.Errorf("default alpha = %v, want 0.05", p.Rules[0].Alpha)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := Default()
	if p.Source != DefaultSource {
		t.Errorf("Source = %q", p.Source)
	}

	want := map[string]bool{
		"must-pass-threats-never-auto-closed": false,
		"missed-threat-rate":                  false,
		"auto-close-precision":                false,
		"format-failures":                     false,
		"recall-regression":                   false,
		"missed-threat-regression":            false,
		"precision-regression":                false,
		"unsafe-actions":                      false,
	}
	for _, r := range p.Rules {
		if _, ok := want[r.Name]; !ok {
			t.Errorf("unexpected rule %q: document it in docs/gates.md and list it here", r.Name)
		}
		want[r.Name] = true
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("default policy lacks rule %q", name)
		}
	}

	// docs/gates.md documents every rule of the default policy.
	doc, err := os.ReadFile(filepath.Join("..", "docs", "gates.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range want {
		if !strings.Contains(string(doc), name) {
			t.Errorf("docs/gates.md does not mention default rule %q", name)
		}
	}
}

func TestSuggestion(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{"recal", ` (did you mean "recall"?)`},
		{"missed_threats_rate", ` (did you mean "missed_threat_rate"?)`},
		{"Recall", ` (did you mean "recall"?)`},
		{"zzzzzzzz", ""},
	}
	valid := []string{"recall", "precision", "missed_threat_rate"}
	for _, tc := range tests {
		if got := suggestion(tc.got, valid); got != tc.want {
			t.Errorf("suggestion(%q) = %q, want %q", tc.got, got, tc.want)
		}
	}
}
