package datasets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// TestRoundTripBundled writes the bundled set as JSONL, CSV and Parquet,
// loads each file back and checks that the incidents and the content hash
// are unchanged, then chains the formats (JSONL → Parquet → CSV → JSONL).
func TestRoundTripBundled(t *testing.T) {
	orig, err := Bundled(DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ext := range []string{".jsonl", ".csv", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(dir, "set"+ext)
			if err := WriteFile(path, orig.Incidents); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.SHA256 != orig.SHA256 {
				t.Errorf("sha256 = %s, want %s", got.SHA256, orig.SHA256)
			}
			compareIncidents(t, got.Incidents, orig.Incidents)
		})
	}

	chain := orig.Incidents
	for i, ext := range []string{".parquet", ".csv", ".jsonl"} {
		path := filepath.Join(dir, "chain"+string(rune('0'+i))+ext)
		if err := WriteFile(path, chain); err != nil {
			t.Fatal(err)
		}
		ds, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		chain = ds.Incidents
	}
	compareIncidents(t, chain, orig.Incidents)

	var a, b bytes.Buffer
	if err := WriteJSONL(&a, chain); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSONL(&b, orig.Incidents); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("JSONL after the format chain differs from the original encoding")
	}
}

func compareIncidents(t *testing.T, got, want []Incident) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d incidents, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("incident %d (%s) differs after round trip:\ngot  %+v\nwant %+v", i, want[i].ID, got[i], want[i])
		}
	}
}

// TestRoundTripEdgeValues covers values the bundled set lacks: unset alert
// times, nil lists, a non-UTC zone, nanoseconds, and text with CSV and
// HTML metacharacters.
func TestRoundTripEdgeValues(t *testing.T) {
	zone := time.FixedZone("CEST", 2*3600)
	ttr := 0.0
	in := []Incident{
		{
			ID: "edge-1", CreatedAt: time.Date(2025, 7, 4, 18, 5, 49, 123456789, zone),
			Title: "comma, \"quote\"\nnewline <b>&amp;</b> | pipe", Severity: "high",
			Alerts:   []Alert{{ID: "a1"}, {ID: "a2", Time: time.Date(2025, 7, 4, 16, 0, 0, 0, time.UTC), MitreTechniques: []string{"T1059.003"}}},
			Evidence: []Entity{{Type: "ip", Value: "10.0.0.1"}, {Type: "file", Value: `C:\x.exe`, Attributes: map[string]string{"sha256": "ab", "": "empty key"}}},
			Label:    Label{Grade: GradeBenignPositive, HumanTTRSeconds: &ttr},
		},
		{ID: "edge-2", CreatedAt: time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC), Title: "minimal", Label: Label{Grade: GradeFalsePositive}},
	}
	want := make([]Incident, len(in))
	copy(want, in)
	for i := range want {
		normalize(&want[i])
	}
	if want[0].CreatedAt.Location() != time.UTC {
		t.Fatal("normalize kept the CEST zone")
	}

	dir := t.TempDir()
	for _, ext := range []string{".jsonl", ".csv", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(dir, "edge"+ext)
			if err := WriteFile(path, in); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			compareIncidents(t, got.Incidents, want)
			if !got.Incidents[0].Alerts[0].Time.IsZero() {
				t.Errorf("unset alert time read back as %v", got.Incidents[0].Alerts[0].Time)
			}
		})
	}
	if in[0].CreatedAt.Location() != zone {
		t.Error("writing changed the caller's incident")
	}
}

func TestLoadJSONArray(t *testing.T) {
	path := filepath.Join(t.TempDir(), "set.json")
	data := "[\n" +
		`{"id":"a","created_at":"2025-07-04T16:05:49Z","title":"t","label":{"grade":"true_positive"}},` + "\n" +
		`{"id":"a","created_at":"2025-07-04T16:05:49Z","title":"t","label":{"grade":"true_positive"}}` + "\n]"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + `:3: id: duplicate id "a", first used at line 2; ids must be unique`
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].String() != want {
		t.Fatalf("Load error = %v, want one problem %q", err, want)
	}
}

func TestHashIgnoresFormatDetails(t *testing.T) {
	a := `{"id":"a","created_at":"2025-07-04T18:05:49+02:00","title":"t","label":{"grade":"true_positive"}}`
	b := `{"title":"t","id":"a","label":{"grade":"true_positive","actions":[]},"created_at":"2025-07-04T16:05:49Z","tags":[]}`
	da, err := Read(strings.NewReader(a), "a.jsonl", FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Read(strings.NewReader(b), "b.jsonl", FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	if da.SHA256 != db.SHA256 {
		t.Errorf("same incident hashed differently: %s vs %s", da.SHA256, db.SHA256)
	}
}

// Wrong-schema Parquet files: each is written with parquet-go from a struct
// that differs from the incident schema in one way.
type renamedColumn struct {
	ID        string     `parquet:"id"`
	CreatedAt *time.Time `parquet:"created_at,optional,timestamp(nanosecond)"`
	Titel     string     `parquet:"titel"`
	Label     struct {
		Grade string `parquet:"grade"`
	} `parquet:"label"`
}

type floatTime struct {
	ID        string  `parquet:"id"`
	CreatedAt float64 `parquet:"created_at,optional"`
	Title     string  `parquet:"title"`
}

func TestParquetWrongSchema(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	renamed := filepath.Join(dir, "renamed.parquet")
	r := renamedColumn{ID: "a", CreatedAt: &now, Titel: "t"}
	r.Label.Grade = GradeTruePositive
	writeParquetRows(t, renamed, []renamedColumn{r})

	float := filepath.Join(dir, "float.parquet")
	writeParquetRows(t, float, []floatTime{{ID: "a", CreatedAt: 1.7e9, Title: "t"}})

	tests := []struct {
		file string
		want []string
	}{
		{renamed, []string{
			renamed + `: title: missing column; the file has an unknown column "titel" in its place: rename it to "title"`,
			renamed + `: source: missing column; the file must have every column of the schema in docs/datasets.md`,
		}},
		{float, []string{
			float + `: created_at: column has type optional DOUBLE (levels 0/1), expected optional INT64 TIMESTAMP(isAdjustedToUTC=true,unit=NANOS) (levels 0/1); rewrite the file with the schema in docs/datasets.md`,
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			_, err := Load(tt.file)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load error = %v, want a *ValidationError", err)
			}
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.String())
			}
			for _, w := range tt.want {
				if !containsString(got, w) {
					t.Errorf("problems do not include\n%s\ngot:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeParquetRows[T any](t *testing.T, path string, rows []T) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParquetNotParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "text.parquet")
	if err := os.WriteFile(path, []byte("id,title\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var verr *ValidationError
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), path+": not a readable Parquet file") {
		t.Fatalf("Load error = %v, want a problem naming the file", err)
	}
}

func TestWriteParquetLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.parquet")
	pw, err := NewParquetWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	in := Incident{ID: "a", Title: "t"}
	if err := pw.Write(&in); err != nil {
		t.Fatal(err)
	}
	pw.Abort()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("aborted write left %d files, first %s", len(entries), entries[0].Name())
	}
}

// TestParquetSchemaGolden pins the Parquet schema, which is public
// interface: a change here breaks files users have written.
func TestParquetSchemaGolden(t *testing.T) {
	got := ParquetSchema().String() + "\n"
	const golden = "testdata/parquet_schema.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Parquet schema changed:\n%s\nwant:\n%s", got, want)
	}
}
