package datasets

import (
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// TestLoadInvalidGolden loads every file under testdata/invalid and compares
// the error with its .golden file. The goldens were written with -update
// and checked by hand against each input.
func TestLoadInvalidGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range files {
		if strings.HasSuffix(file, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			_, err := Load(file)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load(%s) error = %v, want a *ValidationError", file, err)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, filepath.Ext(file)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("error differs from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
	if n < 10 {
		t.Fatalf("found %d invalid inputs, want at least 10", n)
	}
}

func TestValidateProblemFields(t *testing.T) {
	ok := Incident{ID: "a", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Title: "t", Label: Label{Grade: GradeTruePositive}}
	nan := math.NaN()
	tests := []struct {
		name   string
		mutate func(*Incident)
		field  string
		substr string
	}{
		{"missing id", func(in *Incident) { in.ID = " " }, "id", "missing"},
		{"zero created_at", func(in *Incident) { in.CreatedAt = time.Time{} }, "created_at", "missing"},
		{"far future", func(in *Incident) { in.CreatedAt = time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC) }, "created_at", "out of range"},
		{"missing title", func(in *Incident) { in.Title = "" }, "title", "missing"},
		{"unknown severity", func(in *Incident) { in.Severity = "sev1" }, "severity", `unknown severity "sev1"`},
		{"missing grade", func(in *Incident) { in.Label.Grade = "" }, "label.grade", "missing"},
		{"abbreviated grade", func(in *Incident) { in.Label.Grade = "FP" }, "label.grade", "did you mean false_positive?"},
		{"NaN ttr", func(in *Incident) { in.Label.HumanTTRSeconds = &nan }, "label.human_ttr_seconds", "NaN is not a duration"},
		{"estimate without ttr", func(in *Incident) { in.Label.HumanTTREstimated = true }, "label.human_ttr_estimated", "human_ttr_seconds is null"},
		{"alert without id", func(in *Incident) { in.Alerts = []Alert{{Title: "x"}} }, "alerts[0].id", "missing"},
		{"alert time out of range", func(in *Incident) { in.Alerts = []Alert{{ID: "x", Time: time.Unix(-1, 0)}} }, "alerts[0].time", "out of range"},
		{"entity without type", func(in *Incident) { in.Evidence = []Entity{{Value: "v"}} }, "evidence[0].type", "missing"},
		{"entity without value", func(in *Incident) { in.Evidence = []Entity{{Type: "ip"}} }, "evidence[0].value", "missing"},
		{"enrichment without tool", func(in *Incident) { in.Enrichments = []Enrichment{{Argument: "a"}} }, "enrichments[0].tool", "missing"},
		{"blank tag", func(in *Incident) { in.Tags = []string{"x", ""} }, "tags[1]", "empty tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.mutate(&in)
			err := Validate("set", []Incident{in})
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate error = %v, want a *ValidationError", err)
			}
			if len(verr.Problems) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(verr.Problems), err)
			}
			p := verr.Problems[0]
			if p.File != "set" || p.Row != 1 || p.Field != tt.field {
				t.Errorf("problem at %q row %d field %q, want set row 1 field %q", p.File, p.Row, p.Field, tt.field)
			}
			if !strings.Contains(p.Message, tt.substr) {
				t.Errorf("message %q does not contain %q", p.Message, tt.substr)
			}
		})
	}

	if err := Validate("set", []Incident{ok}); err != nil {
		t.Errorf("valid incident: %v", err)
	}
}

func TestValidationErrorCapsList(t *testing.T) {
	var incidents []Incident
	for range 25 {
		incidents = append(incidents, Incident{})
	}
	err := Validate("big", incidents)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	// Each empty incident lacks id, created_at, title and label.grade.
	if len(verr.Problems) != 100 {
		t.Fatalf("got %d problems, want 100", len(verr.Problems))
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "100 problems:\n") {
		t.Errorf("message starts %q, want the count first", msg[:20])
	}
	if !strings.HasSuffix(msg, "\n\t... and 80 more") {
		t.Errorf("message does not end with the count of unlisted problems:\n%s", msg)
	}
	if got := strings.Count(msg, "\n\tbig: row "); got != maxReportedProblems {
		t.Errorf("listed %d problems, want %d", got, maxReportedProblems)
	}
}
