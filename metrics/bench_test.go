package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/soceval/soceval/runstore"
)

// syntheticRows returns n rows of one agent with a realistic mix of
// grades, dispositions, confidences, latencies, baselines and slices.
func syntheticRows(n int) []runstore.Result {
	rng := rand.New(rand.NewPCG(1, 2))
	grades := []string{tp, bp, fp}
	categories := []string{"phishing", "malware", "credential_access", "network_intrusion"}
	rows := make([]runstore.Result, n)
	for i := range rows {
		gold := grades[rng.IntN(3)]
		grade := gold
		if rng.Float64() < 0.2 {
			grade = grades[rng.IntN(3)]
		}
		disposition := runstore.AgentResolved
		if grade != tp {
			disposition = runstore.AutoClosed
		}
		if rng.Float64() < 0.1 {
			disposition = runstore.Escalated
		}
		if rng.Float64() < 0.01 {
			grade, disposition = "", runstore.Errored
		}
		rows[i] = runstore.Result{
			IncidentID: fmt.Sprintf("inc-%07d", i), Agent: "agent", Grade: grade, Disposition: disposition,
			Confidence: ptr(rng.Float64()), LatencyMS: 500 + rng.ExpFloat64()*2000,
			TokensIn: 1000 + rng.IntN(500), TokensOut: 200 + rng.IntN(100),
			Gold: runstore.Gold{
				Grade: gold, HumanTTRSeconds: ptr(300 + rng.ExpFloat64()*900),
				IncidentCategory: categories[rng.IntN(len(categories))],
				Severity:         []string{"low", "medium", "high"}[rng.IntN(3)],
				Source:           "edr",
			},
		}
	}
	return rows
}

func BenchmarkCompute1M(b *testing.B) {
	rows := syntheticRows(1_000_000)
	opts := Options{Prices: map[string]Price{"agent": {InputPerMTok: 0.15, OutputPerMTok: 0.6}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Compute(rows, opts)
	}
}

func BenchmarkCompute1k(b *testing.B) {
	rows := syntheticRows(1000)
	b.ReportAllocs()
	for b.Loop() {
		Compute(rows, Options{})
	}
}

// benchmarkBootstrapMean bootstraps a mean over n units with 2000
// resamples: unit by unit up to exactBootstrapMaxUnits, from the normal
// limit of the sums above it.
func benchmarkBootstrapMean(b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(3, 4))
	u := newUnits(2, n)
	for range n {
		u.add([]float64{rng.ExpFloat64(), 1})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		bs := &bootstrapper{rng: newRNG(1, "bench"), resamples: DefaultResamples, confidence: 0.95}
		bs.sumsEstimate(u, ratioOfSums)
	}
}

func BenchmarkBootstrapMean2k(b *testing.B) { benchmarkBootstrapMean(b, 2000) }
func BenchmarkBootstrapMean1M(b *testing.B) { benchmarkBootstrapMean(b, 1_000_000) }

// BenchmarkCompareAccuracy1M compares two 1M-row runs on accuracy:
// McNemar's test plus a multinomial bootstrap of the discordant counts.
func BenchmarkCompareAccuracy1M(b *testing.B) {
	base := syntheticRows(1_000_000)
	cand := syntheticRows(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compare(base, cand, "accuracy", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeVariants100k scores 100,000 rows of which 5% are
// prompt-injection variants. Each variant's variant_of:<id> tag is a
// slice of one incident, so this measures the cost of thousands of tiny
// slices.
func BenchmarkComputeVariants100k(b *testing.B) {
	rows := syntheticRows(100_000)
	for i := range rows {
		if i%20 == 19 {
			rows[i].Gold.Tags = []string{TagPromptInjection, TagVariantOfPrefix + rows[i-1].IncidentID}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Compute(rows, Options{})
	}
}
