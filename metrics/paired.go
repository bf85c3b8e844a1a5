package metrics

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
	// Pairs is the number of incidents present in both runs.
	Pairs int `json:"pairs"`
	// Better and Worse count discordant pairs for McNemar's test: pairs
	// correct only in the candidate, and pairs correct only in the baseline.
	Better int `json:"better,omitempty"`
	Worse  int `json:"worse,omitempty"`
}
