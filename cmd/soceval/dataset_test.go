package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soceval/soceval/datasets"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code = Main(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

func TestDatasetValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	data := `{"id":"a","created_at":"2025-07-04T16:05:49Z","title":"t","label":{"grade":"TP"}}
{"id":"a","created_at":"yesterday","title":"t","label":{"grade":"true_positive"}}
`
	if err := os.WriteFile(bad, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "dataset", "validate", "bundled:soc-lab", bad)
	if code != ExitUsage {
		t.Errorf("exit code %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{
		"bundled:soc-lab: ok, 178 incidents",
		bad + `:1: label.grade: unknown grade "TP"`,
		bad + ":2: created_at: invalid timestamp",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	if code, _, _ := runCLI(t, "dataset", "validate", "bundled:soc-lab"); code != ExitPassed {
		t.Errorf("valid set: exit code %d", code)
	}
}

func TestDatasetStatsJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "dataset", "stats", "--format", "json", "bundled:soc-lab")
	if code != ExitPassed {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	var got struct {
		Incidents int              `json:"incidents"`
		ByGrade   []datasets.Count `json:"by_grade"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	// 104 + 8 true positives, 74 false positives.
	if got.Incidents != 178 || got.ByGrade[0].N != 104 || got.ByGrade[2].N != 74 {
		t.Errorf("stats = %+v", got)
	}

	code, md, _ := runCLI(t, "dataset", "stats", "--format", "markdown", "bundled:soc-lab")
	if code != ExitPassed || !strings.Contains(md, "| grade    | true_positive") {
		t.Errorf("markdown stats (exit %d):\n%s", code, md)
	}
}

func TestDatasetGenerateAndSample(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "syn.parquet")
	preds := filepath.Join(dir, "preds.jsonl")
	code, _, errOut := runCLI(t, "dataset", "generate", "--n", "500", "--seed", "3", "-o", set, "--predictions", preds, "--accuracy", "0.8")
	if code != ExitPassed {
		t.Fatalf("generate: exit code %d: %s", code, errOut)
	}
	ds, err := datasets.Load(set)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Incidents) != 500 {
		t.Errorf("generated %d incidents, want 500", len(ds.Incidents))
	}
	f, err := os.Open(preds)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := datasets.ReadPredictions(f, preds)
	if err != nil || len(p) != 500 || p[0].IncidentID != ds.Incidents[0].ID {
		t.Fatalf("predictions: %d rows, err %v", len(p), err)
	}

	out := filepath.Join(dir, "sample.csv")
	code, _, errOut = runCLI(t, "dataset", "sample", "--n", "40", "--seed", "9", "--stratify", "grade", set, "-o", out)
	if code != ExitPassed {
		t.Fatalf("sample: exit code %d: %s", code, errOut)
	}
	sample, err := datasets.Load(out)
	if err != nil || len(sample.Incidents) != 40 {
		t.Fatalf("sample: %v", err)
	}
}

func TestDatasetImportMatchesBundled(t *testing.T) {
	src := "../../../shared/data/excytin-bench"
	if _, err := os.Stat(src); err != nil {
		t.Skipf("source data not found beside the checkout: %v", err)
	}
	out := filepath.Join(t.TempDir(), "ex.jsonl")
	code, _, errOut := runCLI(t, "dataset", "import", "--from", "excytin", src, "-o", out)
	if code != ExitPassed {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	ds, err := datasets.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Incidents) != 8 || ds.Incidents[0].ID != "excytin-5" {
		t.Errorf("imported %d incidents, first %q", len(ds.Incidents), ds.Incidents[0].ID)
	}
}

func TestDatasetUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"dataset"},
		{"dataset", "frobnicate"},
		{"dataset", "stats", "--format", "xml", "bundled:soc-lab"},
		{"dataset", "import", "--from", "splunk", ".", "-o", "x.jsonl"},
		{"dataset", "generate", "--n", "10", "-o", "x.txt"},
	} {
		if code, _, _ := runCLI(t, args...); code != ExitUsage {
			t.Errorf("%v: exit code %d, want %d", args, code, ExitUsage)
		}
	}
}
