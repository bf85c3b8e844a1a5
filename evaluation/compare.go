package evaluation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// CompareMetrics are the metrics soceval compare tests, in display order.
var CompareMetrics = []string{
	"accuracy", "precision", "recall", "f1", "missed_threat_rate",
	"noise_auto_triage_rate", "auto_close_precision", "agent_coverage",
	"ttr_mean", "ttr_reduction", "format_failure_rate", "latency_p50",
}

// Side is one side of a comparison: a run folder and one of its agents,
// written RUN or RUN#AGENT.
type Side struct {
	Dir      string
	Agent    string
	Manifest *runstore.Manifest
	Rows     []runstore.Result
}

// ParseSide reads the run and agent named by spec ("RUN" or "RUN#AGENT").
// Without an agent, a run with one agent uses it, and a run with several
// uses agent when it is set.
func ParseSide(spec, agent string) (*Side, error) {
	dir, name, _ := strings.Cut(spec, "#")
	m, err := runstore.ReadManifest(dir)
	if err != nil {
		return nil, inputErr(err)
	}
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		return nil, inputErr(err)
	}

	names := agentNames(m)
	if name == "" {
		name = agent
	}
	switch {
	case name == "" && len(names) == 1:
		name = names[0]
	case name == "":
		return nil, inputErr(fmt.Errorf("run %s has %d agents (%s); name one as %s#AGENT or with --agent", dir, len(names), strings.Join(names, ", "), dir))
	case !slices.Contains(names, name):
		return nil, inputErr(fmt.Errorf("run %s has no agent %q; its agents are %s", dir, name, strings.Join(names, ", ")))
	}
	return &Side{Dir: dir, Agent: name, Manifest: m, Rows: rowsOf(rows, name)}, nil
}

// Comparison is the paired comparison of two sides.
type Comparison struct {
	Baseline, Candidate *Side
	Deltas              []metrics.Delta
	Flips               []metrics.Flip
	// Notes are footnotes, such as metrics that could not be compared.
	Notes []string
}

// Compare tests every metric of CompareMetrics between base and cand on
// the incidents both hold. Runs on different datasets are refused unless
// force is set, since a paired test needs the same incidents.
func Compare(base, cand *Side, force bool) (*Comparison, error) {
	if base.Manifest.Dataset.SHA256 != cand.Manifest.Dataset.SHA256 && !force {
		return nil, inputErr(fmt.Errorf("runs %s and %s were made on different datasets (sha256 %s and %s): "+
			"a paired comparison needs the same incidents; pass --force to compare the incidents they share",
			base.Manifest.RunID, cand.Manifest.RunID, short(base.Manifest.Dataset.SHA256), short(cand.Manifest.Dataset.SHA256)))
	}

	for _, side := range []*Side{base, cand} {
		if m := side.Manifest; m.Status != runstore.StatusComplete && !force {
			return nil, inputErr(fmt.Errorf("run %s is %s (%d of %d rows): a comparison on part of the incidents misleads; "+
				"finish it with soceval run --resume %s, or pass --force to compare the rows it has",
				m.RunID, m.Status, countRows(side.Dir), m.ExpectedRows, side.Dir))
		}
	}

	c := &Comparison{Baseline: base, Candidate: cand}
	for _, name := range CompareMetrics {
		d, err := metrics.Compare(base.Rows, cand.Rows, name, scoringOptions(cand.Manifest))
		if err != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("%s not compared: %v", name, err))
			continue
		}
		c.Deltas = append(c.Deltas, d)
	}
	if len(c.Deltas) == 0 {
		return nil, inputErr(fmt.Errorf("nothing to compare between %s and %s: %s", base.Dir, cand.Dir, strings.Join(c.Notes, "; ")))
	}
	c.Flips = metrics.Flips(base.Rows, cand.Rows)
	return c, nil
}

// countRows returns the number of result rows stored in a run folder.
func countRows(dir string) int {
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		return 0
	}
	return len(rows)
}
