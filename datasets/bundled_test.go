package datasets

import (
	"fmt"
	"io/fs"
	"math"
	"strings"
	"testing"
)

// Figures published in the sources' provenance notes: LLM-SOC-Alert-Triage
// has 178 alerts, 104 labelled TP and 74 FP; ExCyTIn-Bench has 8 incidents,
// all true attacks, with 189 of their alert ids present in the alert export.
func TestBundledCounts(t *testing.T) {
	ds, err := Bundled(DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Path != "bundled:"+DefaultName || ds.Name != DefaultName {
		t.Errorf("Path, Name = %q, %q", ds.Path, ds.Name)
	}
	sentinel, err := Bundled("sentinel-incidents")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Incidents) != 178 || len(sentinel.Incidents) != 8 {
		t.Errorf("soc-lab has %d incidents, sentinel-incidents %d; want 178 and 8", len(ds.Incidents), len(sentinel.Incidents))
	}
	ds = &Dataset{Incidents: append(append([]Incident{}, ds.Incidents...), sentinel.Incidents...)}

	type key struct{ dataset, grade string }
	counts := map[key]int{}
	alerts := map[string]int{}
	for _, in := range ds.Incidents {
		var dataset string
		for _, tag := range in.Tags {
			if d, ok := strings.CutPrefix(tag, "dataset:"); ok {
				dataset = d
			}
		}
		counts[key{dataset, in.Label.Grade}]++
		alerts[dataset] += len(in.Alerts)
		if in.Label.HumanTTRSeconds == nil || !in.Label.HumanTTREstimated {
			t.Errorf("%s: human_ttr_seconds must be set and marked estimated", in.ID)
		}
	}

	want := map[key]int{
		{"llm-soc-alert-triage", GradeTruePositive}:  104,
		{"llm-soc-alert-triage", GradeFalsePositive}: 74,
		{"excytin-bench", GradeTruePositive}:         8,
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s %s: %d incidents, want %d", k.dataset, k.grade, counts[k], n)
		}
	}
	if alerts["excytin-bench"] != 189 {
		t.Errorf("excytin-bench incidents hold %d alerts, want 189", alerts["excytin-bench"])
	}
	if alerts["llm-soc-alert-triage"] != 178 {
		t.Errorf("llm-soc-alert-triage incidents hold %d alerts, want 178", alerts["llm-soc-alert-triage"])
	}
}

func TestBundledUnknownName(t *testing.T) {
	_, err := Bundled("nope")
	if err == nil || !strings.Contains(err.Error(), `no bundled dataset "nope"; bundled sets: sentinel-incidents, soc-lab`) {
		t.Errorf("error = %v", err)
	}
}

// TestBundledPredictionsReproducePublished scores the recorded verdicts
// against the gold grades of the bundled incidents and compares precision
// and recall (positive = true_positive) with the table in the source's
// provenance note, given there to four decimals.
func TestBundledPredictionsReproducePublished(t *testing.T) {
	ds, err := Bundled(DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	gold := map[string]string{}
	for _, in := range ds.Incidents {
		gold[in.ID] = in.Label.Grade
	}

	published := []struct {
		model             string
		precision, recall float64
	}{
		{"gpt-4o-2024-08-06", 0.6533, 0.9423},
		{"gpt-4.1-2025-04-14", 0.7684, 0.7019},
		{"gpt-4o-mini-2024-07-18", 0.6471, 0.9519},
		{"gpt-4.1-mini", 0.6772, 0.8269},
		{"DeepSeek-V3-0324", 0.7059, 0.9231},
	}
	if got := BundledPredictionNames(); len(got) != len(published) {
		t.Fatalf("BundledPredictionNames() = %v, want %d models", got, len(published))
	}
	for _, p := range published {
		t.Run(p.model, func(t *testing.T) {
			f, err := BundledPredictions.Open(p.model + ".jsonl")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			preds, err := ReadPredictions(f, p.model)
			if err != nil {
				t.Fatal(err)
			}
			if len(preds) != 178 {
				t.Fatalf("%d predictions, want 178", len(preds))
			}

			var tp, fp, fn int
			for _, pr := range preds {
				g, ok := gold[pr.IncidentID]
				if !ok {
					t.Fatalf("prediction for unknown incident %q", pr.IncidentID)
				}
				if pr.Agent != "recorded:"+p.model || pr.Confidence != nil || pr.Rationale == "" {
					t.Fatalf("prediction %+v: want agent recorded:%s, no confidence, a rationale", pr, p.model)
				}
				switch {
				case pr.Grade == GradeTruePositive && g == GradeTruePositive:
					tp++
				case pr.Grade == GradeTruePositive:
					fp++
				case g == GradeTruePositive:
					fn++
				}
			}
			precision := float64(tp) / float64(tp+fp)
			recall := float64(tp) / float64(tp+fn)
			if round4(precision) != p.precision || round4(recall) != p.recall {
				t.Errorf("precision %.4f recall %.4f (TP %d FP %d FN %d), published %.4f %.4f",
					precision, recall, tp, fp, fn, p.precision, p.recall)
			}
		})
	}
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func TestBundledPredictionsFS(t *testing.T) {
	err := fs.WalkDir(BundledPredictions, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasSuffix(path, ".jsonl") {
			return fmt.Errorf("unexpected file %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
