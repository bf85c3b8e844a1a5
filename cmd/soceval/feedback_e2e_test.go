package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPartialPredictionsNeedOnlyPredicted(t *testing.T) {
	dir := t.TempDir()
	preds := filepath.Join(dir, "few.jsonl")
	lines := `{"incident_id":"llmsoc-gEcv1pcBxOat6Tbb37uH","grade":"false_positive","confidence":0.9}
{"incident_id":"llmsoc-tqmu2pcBGfDWR0X_oL4E","grade":"TP"}
`
	if err := os.WriteFile(preds, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}

	r := soceval(t, dir, nil, "run", "--dataset", "bundled:soc-lab", "--predictions", preds)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "for 176 of the 178 incidents") || !strings.Contains(r.stderr, "--only-predicted") {
		t.Errorf("partial predictions: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	r = soceval(t, dir, nil, "run", "--dataset", "bundled:soc-lab", "--predictions", preds, "--only-predicted", "--format", "json")
	var summary map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil {
		t.Fatalf("--format json printed invalid JSON: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(r.stderr, "run folder: ") {
		t.Errorf("run folder not printed on stderr with --format json:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, `few.jsonl:2: grade \"tp\"`) || !strings.Contains(r.stderr, "did you mean true_positive?") {
		t.Errorf("nonconforming prediction not reported with its line and a hint:\n%s", r.stderr)
	}
}

func TestPolicyNamingUnknownAgentIsRejected(t *testing.T) {
	dir := t.TempDir()
	run := runFolder(t, dir, soceval(t, dir, nil, "run", "--quiet"))

	policy := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(policy, []byte("rules:\n  - metric: recall\n    min: 0.9\n    agent: rules-then-gpt4.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(run, "gates.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := soceval(t, dir, nil, "gate", run, "--policy", policy)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "rules-then-gpt4.1") {
		t.Errorf("policy with a misspelt agent: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	after, err := os.ReadFile(filepath.Join(run, "gates.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("a rejected policy rewrote the run's gates.json")
	}

	// A rule naming an agent the suite does not gate is still judged.
	ungated := filepath.Join(dir, "ungated.yaml")
	if err := os.WriteFile(ungated, []byte("rules:\n  - metric: missed_threat_rate\n    max: 0.1\n    agent: rules-then-gpt-4.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = soceval(t, dir, nil, "gate", run, "--policy", ungated)
	if r.code != ExitGateFailed {
		t.Errorf("missed-threat limit of 10%% on an agent missing 16.3%%: exit %d, want %d\n%s", r.code, ExitGateFailed, r.stdout)
	}
}

func TestRunPrintsInjectionFlipRate(t *testing.T) {
	dir := t.TempDir()
	suite := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(suite, []byte("dataset: bundled:soc-lab-adversarial\nagents:\n  - {name: rules-v1, kind: rules, rules: bundled:v1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := soceval(t, dir, nil, "run", "--config", suite, "--quiet")
	// 40 clean incidents with 5 variants each: 200 pairs, none flipped by
	// the rule agent, which reads injected text as text.
	if !strings.Contains(r.stdout, "Prompt-injection flip rate") || !strings.Contains(r.stdout, "0 of 200 pairs") {
		t.Errorf("run output lacks the flip rate over 200 pairs:\n%s", r.stdout)
	}
}
