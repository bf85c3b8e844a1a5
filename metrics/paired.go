package metrics

import (
	"encoding/json"

	"github.com/soceval/soceval/runstore"
)

// Paired tests recorded on a Delta.
const (
	TestMcNemarExact    = "mcnemar_exact"
	TestPairedBootstrap = "paired_bootstrap"
)

// Delta is the change of one metric between a baseline and a candidate
// run on the same incidents, with a paired significance test.
type Delta struct {
	Metric    string   `json:"metric"`
	Baseline  Estimate `json:"baseline"`
	Candidate Estimate `json:"candidate"`
	// Diff is candidate minus baseline; Lower and Upper bound its
	// confidence interval.
	Diff  float64 `json:"diff"`
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// PValue is the two-sided p-value of the paired test.
	PValue float64 `json:"p_value"`
	Test   string  `json:"test"`
	// Pairs is the number of (incident, repeat) rows present in both runs.
	Pairs int `json:"pairs"`
	// Better and Worse count discordant pairs for McNemar's test: pairs
	// correct only in the candidate, and pairs correct only in the baseline.
	Better int `json:"better,omitempty"`
	Worse  int `json:"worse,omitempty"`
}

// Flip is one incident whose outcome differs between a baseline and a
// candidate agent, for the flipped-incidents lists of compare and report.
type Flip struct {
	IncidentID string `json:"incident_id"`
	Title      string `json:"title"`
	GoldGrade  string `json:"gold_grade"`
	Category   string `json:"category"`
	// Kind orders flips by harm, worst first: "threat_newly_auto_closed",
	// "newly_wrong", "newly_correct", "disposition_changed".
	Kind      string          `json:"kind"`
	Baseline  runstore.Result `json:"baseline"`
	Candidate runstore.Result `json:"candidate"`
}

type deltaJSON struct {
	Metric    string   `json:"metric"`
	Baseline  Estimate `json:"baseline"`
	Candidate Estimate `json:"candidate"`
	Diff      *float64 `json:"diff"`
	Lower     *float64 `json:"lower"`
	Upper     *float64 `json:"upper"`
	PValue    *float64 `json:"p_value"`
	Test      string   `json:"test"`
	Pairs     int      `json:"pairs"`
	Better    int      `json:"better,omitempty"`
	Worse     int      `json:"worse,omitempty"`
}

// MarshalJSON writes undefined numbers, such as the p-value of a
// comparison on too few incidents, as null.
func (d Delta) MarshalJSON() ([]byte, error) {
	return json.Marshal(deltaJSON{
		Metric: d.Metric, Baseline: d.Baseline, Candidate: d.Candidate,
		Diff: finite(d.Diff), Lower: finite(d.Lower), Upper: finite(d.Upper), PValue: finite(d.PValue),
		Test: d.Test, Pairs: d.Pairs, Better: d.Better, Worse: d.Worse,
	})
}

// UnmarshalJSON reads null numbers back as NaN.
func (d *Delta) UnmarshalJSON(data []byte) error {
	var v deltaJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*d = Delta{
		Metric: v.Metric, Baseline: v.Baseline, Candidate: v.Candidate,
		Diff: orNaN(v.Diff), Lower: orNaN(v.Lower), Upper: orNaN(v.Upper), PValue: orNaN(v.PValue),
		Test: v.Test, Pairs: v.Pairs, Better: v.Better, Worse: v.Worse,
	}
	return nil
}
