package runstore

import (
	"fmt"
	"testing"
	"time"
)

// benchRows returns n distinct rows of one agent, shaped like a
// --predictions run's.
func benchRows(n int) []Result {
	rows := make([]Result, n)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = Result{
			IncidentID: fmt.Sprintf("syn-%08d", i), Agent: "synthetic:accuracy=0.9",
			Grade: "benign_positive", Category: "phishing", Confidence: ptr(0.8),
			Rationale: "synthetic verdict (benign positive)", Disposition: AutoClosed,
			LatencyMS: 904, TokensIn: 1268, TokensOut: 96, Replayed: true, StartedAt: start,
			Gold: Gold{Grade: "benign_positive", Category: "phishing", HumanTTRSeconds: ptr(1200),
				Title: "Suspicious sign-in", Source: "synthetic", Severity: "medium",
				IncidentCategory: "phishing", Tags: []string{"synthetic"}},
		}
	}
	return rows
}

// BenchmarkAppend1M appends 1,000,000 rows to a results log.
func BenchmarkAppend1M(b *testing.B) {
	rows := benchRows(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		log, err := CreateLog(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for i := range rows {
			if _, err := log.Append(&rows[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := log.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadLog1M reads a 1,000,000-row results log back, as a run
// does before writing results.parquet.
func BenchmarkReadLog1M(b *testing.B) {
	dir := b.TempDir()
	log, err := CreateLog(dir)
	if err != nil {
		b.Fatal(err)
	}
	rows := benchRows(1_000_000)
	for i := range rows {
		if _, err := log.Append(&rows[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := log.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got, err := ReadResults(dir)
		if err != nil || len(got) != len(rows) {
			b.Fatalf("read %d rows, err %v", len(got), err)
		}
	}
}

// BenchmarkDedupe1M checks 1,000,000 distinct rows for repeated keys.
func BenchmarkDedupe1M(b *testing.B) {
	rows := benchRows(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		if got := dedupe(rows); len(got) != len(rows) {
			b.Fatalf("kept %d rows", len(got))
		}
	}
}

// BenchmarkResultsParquet1M writes 1,000,000 rows to results.parquet and
// reads them back.
func BenchmarkResultsParquet1M(b *testing.B) {
	rows := benchRows(1_000_000)
	path := b.TempDir() + "/" + ResultsFile
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteResults(path, rows); err != nil {
			b.Fatal(err)
		}
		got, err := ReadResultsFile(path)
		if err != nil || len(got) != len(rows) {
			b.Fatalf("read %d rows, err %v", len(got), err)
		}
	}
}
