package datasets

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// resultsRow has the top-level columns of a run's results.parquet, so the
// test does not depend on the runstore package.
type resultsRow struct {
	IncidentID  string  `parquet:"incident_id"`
	Agent       string  `parquet:"agent"`
	Repeat      int     `parquet:"repeat"`
	Grade       string  `parquet:"grade"`
	Category    string  `parquet:"category"`
	Disposition string  `parquet:"disposition"`
	LatencyMS   float64 `parquet:"latency_ms"`
	Gold        struct {
		Grade string `parquet:"grade"`
		Title string `parquet:"title"`
	} `parquet:"gold"`
}

type predictionRow struct {
	IncidentID string `parquet:"incident_id"`
	Grade      string `parquet:"grade"`
}

type flowRow struct {
	Host  string `parquet:"host"`
	Bytes int64  `parquet:"bytes"`
	ID    string `parquet:"id"`
}

// sparseIncidentRow has two of the required columns, so it is treated as a
// damaged incident file and gets a problem per column.
type sparseIncidentRow struct {
	ID        string     `parquet:"id"`
	CreatedAt *time.Time `parquet:"created_at,optional,timestamp(nanosecond)"`
}

func TestLoadForeignParquet(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results.parquet")
	writeParquetRows(t, results, []resultsRow{{IncidentID: "a", Agent: "x", Grade: GradeTruePositive, Disposition: "ok"}})
	predictions := filepath.Join(dir, "predictions.parquet")
	writeParquetRows(t, predictions, []predictionRow{{IncidentID: "a", Grade: GradeTruePositive}})
	flows := filepath.Join(dir, "flows.parquet")
	writeParquetRows(t, flows, []flowRow{{Host: "h", Bytes: 1, ID: "f1"}})
	sparse := filepath.Join(dir, "sparse.parquet")
	writeParquetRows(t, sparse, []sparseIncidentRow{{ID: "a"}})

	tests := []struct {
		name     string
		file     string
		problems int
		first    string
	}{
		{"run results", results, 1,
			results + ": not an incident file: it has none of the columns id, created_at, title, label; it looks like soceval run results (results.parquet); open its run folder with soceval report or soceval compare, and validate the incident set the run used instead"},
		{"predictions", predictions, 1,
			predictions + ": not an incident file: it has none of the columns id, created_at, title, label; it looks like predictions (incident_id, grade); score a predictions JSONL file with soceval run --predictions FILE"},
		{"unknown table", flows, 1,
			flows + ": not an incident file: it has only id of the columns id, created_at, title, label; an incident file has the record described in docs/datasets.md; convert other data with soceval dataset import or a script"},
		// The schema has 26 leaf columns and the file has 2 of them, so
		// each of the other 24 is reported as missing.
		{"sparse incident file", sparse, 24,
			sparse + ": title: missing column; the file must have every column of the schema in docs/datasets.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.file)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load error = %v, want a *ValidationError", err)
			}
			if len(verr.Problems) != tt.problems {
				t.Errorf("got %d problems, want %d:\n%v", len(verr.Problems), tt.problems, err)
			}
			if got := verr.Problems[0].String(); got != tt.first {
				t.Errorf("first problem\n got %s\nwant %s", got, tt.first)
			}
		})
	}
}

func TestNotIncidentMessageThreshold(t *testing.T) {
	tests := []struct {
		name    string
		fields  []string
		foreign bool
	}{
		{"required fields only", []string{"id", "created_at", "title", "label"}, false},
		{"two required fields", []string{"id", "title"}, false},
		{"misspelt incident", []string{"id", "titel", "created", "label", "source", "category", "severity", "tags"}, false},
		{"one required field and few others", []string{"id", "host", "bytes"}, true},
		{"predictions", []string{"incident_id", "grade", "agent"}, true},
		{"empty object", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := notIncidentMessage(tt.fields, requiredFields, incidentFields, "fields")
			if got := msg != ""; got != tt.foreign {
				t.Errorf("foreign = %v (message %q), want %v", got, msg, tt.foreign)
			}
		})
	}
}
