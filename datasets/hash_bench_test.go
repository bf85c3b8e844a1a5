package datasets_test

import (
	"testing"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/datasets/synth"
)

// BenchmarkHash100k hashes the canonical JSONL encoding of 100,000
// synthetic incidents, as Load does for every set.
func BenchmarkHash100k(b *testing.B) {
	var incidents []datasets.Incident
	err := synth.Generate(synth.Options{N: 100_000, Seed: 1, VariantShare: synth.DefaultVariantShare}, func(in *datasets.Incident) error {
		incidents = append(incidents, *in)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := datasets.Hash(incidents); err != nil {
			b.Fatal(err)
		}
	}
}
