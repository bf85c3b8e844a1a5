package synth

import (
	"path/filepath"
	"testing"

	"github.com/soceval/soceval/datasets"
)

const benchN = 1_000_000

// writeSet streams a synthetic set of n incidents into a Parquet file.
func writeSet(b *testing.B, path string, n int) {
	pw, err := datasets.NewParquetWriter(path)
	if err != nil {
		b.Fatal(err)
	}
	err = Generate(Options{N: n, Seed: 1, VariantShare: DefaultVariantShare}, pw.Write)
	if err != nil {
		b.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkParquetWrite1M generates and writes 1,000,000 incidents.
func BenchmarkParquetWrite1M(b *testing.B) {
	path := filepath.Join(b.TempDir(), "syn.parquet")
	b.ReportAllocs()
	for b.Loop() {
		writeSet(b, path, benchN)
	}
}

// BenchmarkParquetScan1M streams 1,000,000 incidents back in batches.
func BenchmarkParquetScan1M(b *testing.B) {
	path := filepath.Join(b.TempDir(), "syn.parquet")
	writeSet(b, path, benchN)
	b.ReportAllocs()
	for b.Loop() {
		rows := 0
		err := datasets.ScanParquet(path, func(batch []datasets.Incident) error {
			rows += len(batch)
			return nil
		})
		if err != nil || rows != benchN {
			b.Fatalf("scanned %d rows, err %v", rows, err)
		}
	}
}

// BenchmarkParquetLoad1M loads and validates 1,000,000 incidents into
// memory, as soceval run does.
func BenchmarkParquetLoad1M(b *testing.B) {
	path := filepath.Join(b.TempDir(), "syn.parquet")
	writeSet(b, path, benchN)
	b.ReportAllocs()
	for b.Loop() {
		ds, err := datasets.Load(path)
		if err != nil || len(ds.Incidents) != benchN {
			b.Fatalf("loaded %v, err %v", ds, err)
		}
	}
}
