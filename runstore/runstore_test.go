package runstore

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func ptr(f float64) *float64 { return &f }

func sampleRows() []Result {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return []Result{
		{
			IncidentID: "inc-1", Agent: "rules-v1", Repeat: 0,
			Grade: "true_positive", Category: "phishing", Confidence: ptr(0.9),
			Actions: []string{"quarantine_email", "block_url"}, Rationale: "<script>x</script>",
			Disposition: AgentResolved, LatencyMS: 12.5, TokensIn: 10, TokensOut: 3,
			ToolCalls: []ToolCall{{Name: "lookup_url", Arguments: `{"url":"a"}`, Result: "no data", DurationMS: 1}},
			StartedAt: start,
			Gold: Gold{Grade: "true_positive", Category: "phishing", Actions: []string{"block_url"},
				HumanTTRSeconds: ptr(1800), HumanTTREstimated: true, Title: "t", Source: "s",
				Severity: "high", IncidentCategory: "phishing", Tags: []string{"a", "b"}},
		},
		{
			IncidentID: "inc-2", Agent: "rules-v1", Repeat: 1,
			Disposition: Errored, FormatError: "reply contains no JSON object",
			StartedAt: start.Add(time.Second),
			Gold:      Gold{Grade: "false_positive", Title: "u"},
		},
	}
}

func TestParquetRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), ResultsFile)
	want := sampleRows()
	if err := WriteResults(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResultsFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// parquet-go reads nil slices back as empty ones; compare after
	// normalising them.
	for i := range got {
		normalise(&got[i])
		normalise(&want[i])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip mismatch:\ngot  %+v\nwant %+v", got, want)
	}
	if got[1].Confidence != nil {
		t.Errorf("unset confidence read back as %v, want nil", *got[1].Confidence)
	}
	if got[1].Gold.HumanTTRSeconds != nil {
		t.Errorf("unset human TTR read back as %v, want nil", *got[1].Gold.HumanTTRSeconds)
	}
}

func normalise(r *Result) {
	if len(r.Actions) == 0 {
		r.Actions = nil
	}
	if len(r.ToolCalls) == 0 {
		r.ToolCalls = nil
	}
	if len(r.Gold.Actions) == 0 {
		r.Gold.Actions = nil
	}
	if len(r.Gold.Tags) == 0 {
		r.Gold.Tags = nil
	}
}

func TestReadResultsRejectsOtherSchema(t *testing.T) {
	type renamed struct {
		IncidentID string `parquet:"incident"`
		Grade      string `parquet:"grade"`
	}
	path := filepath.Join(t.TempDir(), ResultsFile)
	if err := parquet.WriteFile(path, []renamed{{"inc-1", "true_positive"}}); err != nil {
		t.Fatal(err)
	}

	_, err := ReadResultsFile(path)
	if err == nil {
		t.Fatal("ReadResultsFile accepted a file with another schema")
	}
	if !strings.Contains(err.Error(), "schema does not match") {
		t.Errorf("error %q does not name the schema mismatch", err)
	}
}

func TestResumeDropsPartialLineAndDuplicates(t *testing.T) {
	dir := t.TempDir()
	log, err := CreateLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	rows := sampleRows()
	for i := range rows {
		if _, err := log.Append(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}

	// Simulate a crash in the middle of writing a third row, and a
	// duplicate of the first row written by an older version.
	path := filepath.Join(dir, ResultsLogFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	firstLine := strings.SplitAfter(string(data), "\n")[0]
	data = append(data, firstLine...)
	data = append(data, `{"incident_id":"inc-3","agent":"rul`...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	log, got, err := ResumeLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("resumed %d rows, want 2", len(got))
	}

	dup := rows[0]
	written, err := log.Append(&dup)
	if err != nil {
		t.Fatal(err)
	}
	if written {
		t.Error("Append wrote a row whose key was already logged")
	}
	third := Result{IncidentID: "inc-3", Agent: "rules-v1", Disposition: Escalated, Grade: "true_positive"}
	if _, err := log.Append(&third); err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}

	all, err := ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range all {
		ids = append(ids, r.IncidentID)
	}
	if strings.Join(ids, ",") != "inc-1,inc-2,inc-3" {
		t.Errorf("rows after resume = %v, want inc-1,inc-2,inc-3", ids)
	}
}

func TestManifestRejectsNewerSchema(t *testing.T) {
	dir := t.TempDir()
	if err := WriteManifest(dir, &Manifest{SchemaVersion: SchemaVersion + 1, RunID: "r"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(dir); err == nil || !strings.Contains(err.Error(), "upgrade soceval") {
		t.Errorf("ReadManifest error = %v, want one asking to upgrade", err)
	}
}
