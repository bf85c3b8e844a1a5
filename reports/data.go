package reports

import (
	"errors"
	"fmt"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// DefaultMaxFlips is the number of flipped incidents shown when
// Data.MaxFlips is zero.
const DefaultMaxFlips = 25

// Data is everything a report shows. Only Manifest, Summary and Agent are
// required; every other part is optional and its section is replaced by a
// short note when it is missing.
type Data struct {
	Manifest runstore.Manifest
	Summary  *metrics.Summary
	// Gates is the gate evaluation of the run; nil when none was run.
	Gates *gates.Outcome
	// Agent names the primary agent, whose numbers lead the report. Other
	// agents of the run are shown in a comparison table. Empty means the
	// first agent of Summary.
	Agent string
	// Baseline is the run the primary agent is compared with.
	Baseline *Baseline
	// Deltas are paired comparisons of Agent against the baseline. When a
	// headline metric has a delta, its change shows the paired interval
	// and p-value; otherwise the change is the plain difference.
	Deltas []metrics.Delta
	// Flips are incidents whose outcome changed against the baseline. The
	// caller passes the top N; the report sorts them worst first and shows
	// at most MaxFlips.
	Flips []metrics.Flip
	// History holds earlier runs for the trend chart, oldest first.
	History []HistoryPoint
	// Incidents maps incident ids to records, to show the evidence of
	// flipped incidents. Incidents not in the map are shown without it.
	Incidents map[string]*datasets.Incident
	// Threshold is the auto-close trade-off curve of Agent, in increasing
	// threshold order. Build it from result rows with ThresholdCurve. A
	// flat curve (every point the same, as for an agent that states no
	// confidence) is shown as a note instead of a chart.
	Threshold []ThresholdPoint
	// MaxFlips caps the flipped incidents shown; zero means DefaultMaxFlips.
	MaxFlips int
	// Generated is the time printed in the report's footer; zero omits it,
	// which keeps output byte-identical across renders.
	Generated time.Time
}

// Baseline is the reference run and agent that changes are measured
// against.
type Baseline struct {
	Manifest runstore.Manifest
	Summary  *metrics.Summary
	Agent    string
}

// HistoryPoint is one earlier run's headline metrics for the trend chart.
type HistoryPoint struct {
	RunID string
	// Version labels the point on the chart axis: a prompt version, an
	// agent name or a release.
	Version string
	Time    time.Time
	Metrics map[string]metrics.Estimate
}

// ThresholdPoint is one point of the auto-close trade-off: what share of
// noise would be auto-closed, and what share of threats would be missed,
// if the close threshold were Threshold.
type ThresholdPoint struct {
	Threshold      float64
	NoiseAutoClose float64
	MissedThreat   float64
	// Current marks the threshold the run's policy used.
	Current bool
}

// headlineMetrics are the numbers at the top of every output, in order.
var headlineMetrics = []string{
	"noise_auto_triage_rate",
	"agent_coverage",
	"ttr_reduction",
	"missed_threat_rate",
}

// primary returns the metrics of the primary agent.
func (d *Data) primary() (*metrics.AgentMetrics, error) {
	if d == nil || d.Summary == nil {
		return nil, errors.New("report data has no metrics summary")
	}
	if len(d.Summary.Agents) == 0 {
		return nil, fmt.Errorf("metrics summary of run %q has no agent", d.Summary.RunID)
	}
	if d.Agent == "" {
		return &d.Summary.Agents[0], nil
	}
	a := d.Summary.Agent(d.Agent)
	if a == nil {
		return nil, fmt.Errorf("agent %q not found in the metrics of run %q; set Data.Agent to one of the run's agents", d.Agent, d.Summary.RunID)
	}
	return a, nil
}

// baselineAgent returns the baseline agent's metrics, or nil.
func (d *Data) baselineAgent() *metrics.AgentMetrics {
	b := d.Baseline
	if b == nil || b.Summary == nil || len(b.Summary.Agents) == 0 {
		return nil
	}
	if b.Agent == "" {
		return &b.Summary.Agents[0]
	}
	return b.Summary.Agent(b.Agent)
}

// delta returns the paired comparison of metric, or nil.
func (d *Data) delta(metric string) *metrics.Delta {
	for i := range d.Deltas {
		if d.Deltas[i].Metric == metric {
			return &d.Deltas[i]
		}
	}
	return nil
}

func (d *Data) maxFlips() int {
	if d.MaxFlips > 0 {
		return d.MaxFlips
	}
	return DefaultMaxFlips
}

func estimateOf(m map[string]metrics.Estimate, name string) metrics.Estimate {
	if e, ok := m[name]; ok {
		return e
	}
	return metrics.NoData()
}
