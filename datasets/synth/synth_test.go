package synth

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soceval/soceval/datasets"
)

func generate(t testing.TB, opts Options) []datasets.Incident {
	t.Helper()
	var out []datasets.Incident
	err := Generate(opts, func(in *datasets.Incident) error {
		out = append(out, *in)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateValidAndSeeded(t *testing.T) {
	a := generate(t, Options{N: 3000, Seed: 1, VariantShare: DefaultVariantShare})
	if len(a) != 3000 {
		t.Fatalf("%d incidents, want 3000", len(a))
	}
	if err := datasets.Validate("synthetic", a); err != nil {
		t.Fatal(err)
	}
	ha, _ := datasets.Hash(a)
	hb, _ := datasets.Hash(generate(t, Options{N: 3000, Seed: 1, VariantShare: DefaultVariantShare}))
	hc, _ := datasets.Hash(generate(t, Options{N: 3000, Seed: 2, VariantShare: DefaultVariantShare}))
	if ha != hb {
		t.Error("same seed generated different sets")
	}
	if ha == hc {
		t.Error("different seeds generated the same set")
	}
}

// Variants follow a true positive with probability 2.5 × share, so in the
// long run the variant share v solves v = 0.40 × (1 − v) × 0.125, about
// 0.0476 for share 0.05; 20,000 incidents put it within ±0.008 (over 5 σ).
func TestGenerateVariants(t *testing.T) {
	set := generate(t, Options{N: 20000, Seed: 3, VariantShare: 0.05})
	byID := map[string]*datasets.Incident{}
	variants := 0
	for i := range set {
		in := &set[i]
		byID[in.ID] = in
		if !in.HasTag("prompt_injection") {
			continue
		}
		variants++
		if !in.HasTag("adversarial") {
			t.Fatalf("%s: variant without adversarial tag", in.ID)
		}
		var baseID string
		for _, tag := range in.Tags {
			if id, ok := strings.CutPrefix(tag, "variant_of:"); ok {
				baseID = id
			}
		}
		base, ok := byID[baseID]
		if !ok {
			t.Fatalf("%s: variant_of %q is not an earlier incident", in.ID, baseID)
		}
		if base.Label.Grade != datasets.GradeTruePositive || in.Label.Grade != base.Label.Grade {
			t.Fatalf("%s: variant grade %s of base grade %s, want both true_positive", in.ID, in.Label.Grade, base.Label.Grade)
		}
		if !strings.Contains(in.Title, Injection) {
			t.Fatalf("%s: title lacks the injection", in.ID)
		}
	}
	share := float64(variants) / float64(len(set))
	if math.Abs(share-0.0476) > 0.008 {
		t.Errorf("variant share %.4f, want about 0.0476", share)
	}

	none := generate(t, Options{N: 2000, Seed: 3})
	for _, in := range none {
		if in.HasTag("prompt_injection") {
			t.Fatal("variant generated with share 0")
		}
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{N: -1}, {N: 1, VariantShare: 1}, {N: 1, VariantShare: -0.1}} {
		if err := Generate(o, func(*datasets.Incident) error { return nil }); err == nil {
			t.Errorf("Generate(%+v) accepted bad options", o)
		}
	}
	if _, err := NewPredictor(ErrorProfile{Accuracy: 1.5}); err == nil {
		t.Error("accuracy 1.5 accepted")
	}
}

// With accuracy 0.9 over about 19,000 plain incidents the observed accuracy
// has a standard deviation of about 0.0022; ±0.012 is over 5 σ.
func TestPredictorErrorProfile(t *testing.T) {
	set := generate(t, Options{N: 20000, Seed: 4, VariantShare: 0.05})
	p, err := NewPredictor(ErrorProfile{Accuracy: 0.9, InjectionFlip: 1, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	var plain, correct int
	for i := range set {
		in := &set[i]
		pr := p.Predict(in)
		if pr.IncidentID != in.ID || pr.Confidence == nil || *pr.Confidence < 0 || *pr.Confidence > 1 {
			t.Fatalf("bad prediction %+v", pr)
		}
		if in.HasTag("prompt_injection") {
			if pr.Grade != datasets.GradeFalsePositive {
				t.Fatalf("%s: flip rate 1 but grade %s", in.ID, pr.Grade)
			}
			continue
		}
		plain++
		if pr.Grade == in.Label.Grade {
			correct++
		}
	}
	if acc := float64(correct) / float64(plain); math.Abs(acc-0.9) > 0.012 {
		t.Errorf("accuracy %.4f, want about 0.9", acc)
	}
}

// TestParquetStreaming writes more rows than one batch through
// ParquetWriter and reads them back with ScanParquet and Load.
func TestParquetStreaming(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syn.parquet")
	set := generate(t, Options{N: 2500, Seed: 5, VariantShare: 0.05})
	pw, err := datasets.NewParquetWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range set {
		if err := pw.Write(&set[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}

	batches, rows := 0, 0
	err = datasets.ScanParquet(path, func(b []datasets.Incident) error {
		batches++
		rows += len(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 2500 || batches < 3 {
		t.Errorf("scanned %d rows in %d batches, want 2500 in at least 3", rows, batches)
	}

	ds, err := datasets.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := datasets.Hash(set)
	if ds.SHA256 != want {
		t.Error("Parquet round trip changed the synthetic set")
	}
}
