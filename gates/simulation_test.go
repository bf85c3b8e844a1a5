package gates

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// The simulation draws two runs of a triage agent over the same 2,000
// incidents (1,200 true positives) and gates the second against the
// first through metrics.Compute, metrics.Compare (McNemar's exact test
// for recall) and Evaluate. Each threat is easy or hard for the agent,
// so the two runs' outcomes are correlated as real re-runs are: with
// probability 5/6 a threat is easy (detected with probability pEasy),
// otherwise hard (pHard).
const (
	simIncidents = 2000
	simThreats   = 1200
	simSeeds     = 200
	simEasyShare = 5.0 / 6
)

// agentModel is the chance of detecting an easy and a hard threat. The
// recall is simEasyShare·easy + (1−simEasyShare)·hard.
type agentModel struct{ easy, hard float64 }

var (
	// recall90 is 5/6·0.97 + 1/6·0.55 = 0.90.
	recall90 = agentModel{easy: 0.97, hard: 0.55}
	// recall85 is 5/6·0.922 + 1/6·0.49 = 0.85.
	recall85 = agentModel{easy: 0.922, hard: 0.49}
)

// simulateRuns returns the baseline and candidate rows of one seed.
func simulateRuns(seed uint64, base, cand agentModel) (baseline, candidate []runstore.Result) {
	rng := rand.New(rand.NewPCG(seed, 0x9a7e5))
	baseline = make([]runstore.Result, simIncidents)
	candidate = make([]runstore.Result, simIncidents)
	for i := range simIncidents {
		threat := i < simThreats
		easy := rng.Float64() < simEasyShare
		baseline[i] = simulatedRow(rng, simIDs[i], threat, easy, base)
		candidate[i] = simulatedRow(rng, simIDs[i], threat, easy, cand)
	}
	return baseline, candidate
}

var simIDs = func() []string {
	ids := make([]string, simIncidents)
	for i := range ids {
		ids[i] = fmt.Sprintf("inc-%04d", i)
	}
	return ids
}()

// simulatedRow draws one agent's verdict. A missed threat is auto-closed
// as benign; noise incidents are auto-closed as false positives.
func simulatedRow(rng *rand.Rand, id string, threat, easy bool, m agentModel) runstore.Result {
	r := runstore.Result{
		IncidentID: id,
		Agent:      "triage",
		LatencyMS:  800,
		Gold: runstore.Gold{
			Grade: "false_positive", Category: "phishing", IncidentCategory: "phishing",
			Source: "sim", Severity: "medium", Title: id,
		},
	}
	if !threat {
		r.Grade, r.Disposition = "false_positive", runstore.AutoClosed
		return r
	}

	r.Gold.Grade = "true_positive"
	p := m.hard
	if easy {
		p = m.easy
	}
	if rng.Float64() < p {
		r.Grade, r.Disposition = "true_positive", runstore.AgentResolved
	} else {
		r.Grade, r.Disposition = "benign_positive", runstore.AutoClosed
	}
	return r
}

// gateFailures counts the seeds on which policy fails the candidate.
// Regression rules read only the paired test, so the summaries, which
// Evaluate uses to check that both runs hold the agent, are computed
// from the first seed's rows only, to keep the test fast under -race.
// Resamples is low because the bootstrap interval of the difference does
// not enter the gate's decision.
func gateFailures(t *testing.T, policy string, seeds int, base, cand agentModel) int {
	t.Helper()
	p, err := Parse([]byte(policy), "simulation.yaml")
	if err != nil {
		t.Fatal(err)
	}

	opts := metrics.Options{Seed: 1, Resamples: 20}
	firstBase, firstCand := simulateRuns(0, base, cand)
	baseSummary, candSummary := metrics.Compute(firstBase, opts), metrics.Compute(firstCand, opts)

	fails := 0
	for seed := range uint64(seeds) {
		baseline, candidate := simulateRuns(seed, base, cand)
		out := p.Evaluate(Input{
			Candidate: candSummary,
			Baseline:  baseSummary,
			Compare:   PairedRows(baseline, candidate, opts),
		})

		if len(out.Results) != 1 || out.Results[0].Delta == nil {
			t.Fatalf("seed %d: no paired test was run: %+v", seed, out)
		}
		if out.Status == Fail {
			fails++
		}
	}
	return fails
}

func TestSimulationSameAgent(t *testing.T) {
	// With max_drop 0 a fail needs only a significant drop, so this is
	// the rule's false alarm rate at alpha 0.05; any larger max_drop fails
	// on a subset of these seeds. The two-sided test fails only in the
	// harmful direction, about alpha/2 = 2.5% of seeds. The bound is alpha
	// plus three binomial standard deviations over 200 seeds:
	// 0.05·200 + 3·sqrt(200·0.05·0.95) ≈ 19.
	fails := gateFailures(t, "rules: [{metric: recall, max_drop: 0, alpha: 0.05}]", simSeeds, recall90, recall90)
	if fails > 19 {
		t.Errorf("same agent failed the gate on %d of %d seeds, want at most 19 (alpha 0.05 plus slack)", fails, simSeeds)
	}
	t.Logf("same agent failed on %d of %d seeds", fails, simSeeds)
}

func TestSimulationTrueDrop(t *testing.T) {
	// Recall 0.90 → 0.85 on 1,200 threats is a 5-point drop, well over
	// max_drop 0.02, with about 130 worse against 70 better pairs.
	fails := gateFailures(t, "rules: [{metric: recall, max_drop: 0.02, alpha: 0.05}]", simSeeds, recall90, recall85)
	if fails < simSeeds*9/10 {
		t.Errorf("a 5-point recall drop failed the gate on only %d of %d seeds, want at least 90%%", fails, simSeeds)
	}
	t.Logf("0.90 -> 0.85: failed on %d of %d seeds", fails, simSeeds)
}

func TestSimulationImprovementNeverFails(t *testing.T) {
	// The same drop the other way round is an improvement, which must
	// never fail a max_drop rule however significant.
	fails := gateFailures(t, "rules: [{metric: recall, max_drop: 0, alpha: 0.05}]", simSeeds, recall85, recall90)
	if fails != 0 {
		t.Errorf("a recall improvement failed the gate on %d of %d seeds, want 0", fails, simSeeds)
	}
}
