package suite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultSuiteIsValid(t *testing.T) {
	s := Default()
	if s.Dataset == "" || len(s.Agents) == 0 {
		t.Fatalf("default suite has dataset %q and %d agents", s.Dataset, len(s.Agents))
	}
	for _, g := range s.GateAgents {
		if s.Agent(g) == nil {
			t.Errorf("gate agent %q is not in the default suite", g)
		}
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load("testdata/bad.yaml")
	if err == nil {
		t.Fatal("Load accepted an invalid suite")
	}
	want, readErr := os.ReadFile("testdata/bad.golden")
	if readErr != nil {
		t.Fatal(readErr)
	}
	if got := err.Error() + "\n"; got != string(want) {
		t.Errorf("errors differ from testdata/bad.golden:\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadRejectsUnknownField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte("dataset: x.jsonl\nagentz: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), `unknown field "agentz" (did you mean "agents"?)`) {
		t.Errorf("Load error = %v, want one naming the unknown field agentz", err)
	}
}

func TestResolveKeepsBundledAndAbsolute(t *testing.T) {
	s := &Suite{Dir: "conf"}
	tests := map[string]string{
		"data.jsonl":      filepath.Join("conf", "data.jsonl"),
		"bundled:soc-lab": "bundled:soc-lab",
		"/abs/data.jsonl": "/abs/data.jsonl",
		"":                "",
	}
	for in, want := range tests {
		if got := s.Resolve(in); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnknownFieldSuggestsName(t *testing.T) {
	data := "dataset: x.jsonl\nagents:\n  - name: a\n    kind: llm\n    prompt: triage/v1\n    modle: gpt-4o\n"
	_, err := Parse([]byte(data), "s.yaml")
	if err == nil {
		t.Fatal("Parse accepted an unknown field")
	}
	want := `s.yaml: line 6: unknown field "modle" (did you mean "model"?); valid fields: name, kind,`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want it to start with %q", err, want)
	}
}
