package evaluation

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/reports"
	"github.com/soceval/soceval/runstore"
)

// maxFlipsShown is how many flipped incidents the report details.
const maxFlipsShown = 25

// FinishOptions adjust how a stored run is scored, gated and reported.
type FinishOptions struct {
	// Baseline is a run folder to compare with and to judge regression
	// rules against.
	Baseline string
	// Policy overrides the policy recorded in the run's manifest.
	Policy *gates.Policy
	// Force compares runs made on different datasets.
	Force bool
	// History is a folder of earlier run folders for the trend chart.
	History string
	// StepSummary, when set, is a file that summary.md is appended to,
	// such as the file $GITHUB_STEP_SUMMARY names.
	StepSummary string
	Log         *slog.Logger
}

// Finished is a scored, gated and reported run.
type Finished struct {
	Dir      string
	Manifest *runstore.Manifest
	Rows     []runstore.Result
	Summary  *metrics.Summary
	Outcome  *gates.Outcome
	Deltas   []metrics.Delta
	// Data is the input the reports were rendered from.
	Data *reports.Data

	// agent, when set, is the agent the report leads with.
	agent string
}

// Finish scores the run in dir, evaluates its gate policy and writes
// metrics.json, gates.json, junit.xml, summary.md and report.html. It
// works on any stored run, complete or not; an incomplete run is gated as
// invalid.
func Finish(dir string, opts FinishOptions) (*Finished, error) {
	m, err := runstore.ReadManifest(dir)
	if err != nil {
		return nil, inputErr(err)
	}
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		return nil, inputErr(err)
	}

	f := &Finished{Dir: dir, Manifest: m, Rows: rows}
	policy := opts.Policy
	if policy == nil {
		if policy, err = LoadPolicy(m.Policy); err != nil {
			return f, inputErr(fmt.Errorf("loading the run's policy: %w", err))
		}
	}
	baseline, err := loadBaseline(opts.Baseline, m, opts.Force)
	if err != nil {
		return f, err
	}

	// Inputs are checked before anything is written, so a bad policy or
	// baseline leaves the stored run as it was.
	f.Summary = metrics.Compute(rows, scoringOptions(m))
	f.Summary.RunID = m.RunID
	if unknown := policy.UnknownAgents(f.Summary); len(unknown) > 0 {
		return f, inputErr(fmt.Errorf("policy %s names agents that run %s does not have: %s; its agents are %s",
			policy.Source, m.RunID, strings.Join(unknown, ", "), strings.Join(agentNames(m), ", ")))
	}
	if err := runstore.WriteJSON(filepath.Join(dir, runstore.MetricsFile), f.Summary); err != nil {
		return f, err
	}

	in := gates.Input{Candidate: f.Summary, Agents: m.GateAgents, Problems: policy.CheckRun(m, rows)}
	if baseline != nil {
		in.Baseline = baseline.summary
		baseRows := baseline.rows
		if baseline.agent != "" {
			baseRows = rowsOf(baseRows, baseline.agent)
		}
		in.Compare = gates.PairedRows(baseRows, rows, scoringOptions(m))
	}
	outcome := policy.Evaluate(in)
	f.Outcome = &outcome
	if err := runstore.WriteJSON(filepath.Join(dir, runstore.GatesFile), f.Outcome); err != nil {
		return f, err
	}

	f.Data = f.reportData(baseline, opts)
	return f, f.writeReports(f.Data, opts)
}

// baselineRun is a loaded baseline run.
type baselineRun struct {
	dir string
	// agent is the baseline agent named as RUN#AGENT, or "".
	agent    string
	manifest *runstore.Manifest
	rows     []runstore.Result
	summary  *metrics.Summary
}

func loadBaseline(spec string, candidate *runstore.Manifest, force bool) (*baselineRun, error) {
	if spec == "" {
		return nil, nil
	}
	dir, agent, _ := strings.Cut(spec, "#")
	m, err := runstore.ReadManifest(dir)
	if err != nil {
		return nil, inputErr(fmt.Errorf("baseline: %w", err))
	}
	if m.Dataset.SHA256 != candidate.Dataset.SHA256 && !force {
		return nil, inputErr(fmt.Errorf("baseline %s was made on another dataset (%s, sha256 %s) than run %s (%s, sha256 %s): "+
			"a paired comparison needs the same incidents; pass --force to compare the incidents they share",
			m.RunID, m.Dataset.Name, short(m.Dataset.SHA256), candidate.RunID, candidate.Dataset.Name, short(candidate.Dataset.SHA256)))
	}
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		return nil, inputErr(fmt.Errorf("baseline: %w", err))
	}
	s := metrics.Compute(rows, scoringOptions(m))
	s.RunID = m.RunID
	return &baselineRun{dir: dir, agent: agent, manifest: m, rows: rows, summary: s}, nil
}

// baselineAgentFor returns the baseline agent that agent is compared
// with: the agent of the same name, else the baseline's only agent.
func baselineAgentFor(base []runstore.Result, agent string) string {
	var names []string
	for i := range base {
		if base[i].Agent == agent {
			return agent
		}
		if !slices.Contains(names, base[i].Agent) {
			names = append(names, base[i].Agent)
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return agent
}

// rowsOf returns the rows of one agent.
func rowsOf(rows []runstore.Result, agent string) []runstore.Result {
	var out []runstore.Result
	for i := range rows {
		if rows[i].Agent == agent {
			out = append(out, rows[i])
		}
	}
	return out
}

// primaryAgent is the agent a report leads with: the first gated agent,
// else the run's first agent.
func (f *Finished) primaryAgent() string {
	if f.agent != "" {
		return f.agent
	}
	if len(f.Manifest.GateAgents) > 0 {
		return f.Manifest.GateAgents[0]
	}
	if len(f.Summary.Agents) > 0 {
		return f.Summary.Agents[0].Agent
	}
	return ""
}

func (f *Finished) reportData(baseline *baselineRun, opts FinishOptions) *reports.Data {
	agent := f.primaryAgent()
	d := &reports.Data{
		Manifest:  *f.Manifest,
		Summary:   f.Summary,
		Gates:     f.Outcome,
		Agent:     agent,
		Threshold: reports.ThresholdCurve(f.Rows, agent, thresholdGrid, closeThreshold(f.Manifest)),
		MaxFlips:  maxFlipsShown,
	}
	if opts.History != "" {
		d.History = loadHistory(opts.History, agent, f.Manifest.RunID, opts.Log)
	}
	if baseline == nil {
		return d
	}

	baseAgent := baseline.agent
	if baseAgent == "" {
		baseAgent = baselineAgentFor(baseline.rows, agent)
	}
	d.Baseline = &reports.Baseline{Manifest: *baseline.manifest, Summary: baseline.summary, Agent: baseAgent}
	b, c := rowsOf(baseline.rows, baseAgent), rowsOf(f.Rows, agent)
	for _, name := range headlineMetrics {
		if delta, err := metrics.Compare(b, c, name, scoringOptions(f.Manifest)); err == nil {
			d.Deltas = append(d.Deltas, delta)
		}
	}
	f.Deltas = d.Deltas
	flips := metrics.Flips(b, c)
	d.Flips = flips[:min(len(flips), maxFlipsShown)]
	d.Incidents = flippedIncidents(f.Manifest, d.Flips, opts.Log)
	return d
}

// headlineMetrics are compared with the baseline for the report's top.
var headlineMetrics = []string{"noise_auto_triage_rate", "auto_close_precision", "agent_coverage", "ttr_reduction", "missed_threat_rate", "recall", "precision", "accuracy"}

// flippedIncidents loads the records of flipped incidents from the run's
// dataset, to show their evidence. When the dataset is gone or changed,
// the report shows the flips without evidence.
func flippedIncidents(m *runstore.Manifest, flips []metrics.Flip, log *slog.Logger) map[string]*datasets.Incident {
	if len(flips) == 0 {
		return nil
	}
	ds, err := LoadDataset(m.Dataset.Path)
	if err != nil || ds.SHA256 != m.Dataset.SHA256 {
		if log != nil {
			log.Warn("report shows flipped incidents without evidence: dataset unavailable or changed", "dataset", m.Dataset.Path, "error", err)
		}
		return nil
	}
	want := map[string]bool{}
	for _, fl := range flips {
		want[fl.IncidentID] = true
	}
	out := map[string]*datasets.Incident{}
	for i := range ds.Incidents {
		if want[ds.Incidents[i].ID] {
			out[ds.Incidents[i].ID] = &ds.Incidents[i]
		}
	}
	return out
}

// thresholdGrid is the close thresholds the report's trade-off chart
// shows: 0.50 to 1.00 in steps of 0.05.
var thresholdGrid = func() []float64 {
	var ts []float64
	// i/20 rather than i*0.05: 19*0.05 is 0.9500000000000001, which
	// would not count a verdict of confidence 0.95 as closed at 0.95.
	for i := 10; i <= 20; i++ {
		ts = append(ts, float64(i)/20)
	}
	return ts
}()

// closeThreshold returns the close threshold the run used.
func closeThreshold(m *runstore.Manifest) float64 {
	if m.CloseThreshold > 0 {
		return m.CloseThreshold
	}
	return 0.8
}

func (f *Finished) writeReports(d *reports.Data, opts FinishOptions) error {
	files := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{runstore.JUnitFile, func(b *bytes.Buffer) error { return reports.WriteJUnit(b, f.Outcome, "soceval "+f.Manifest.Suite) }},
		{runstore.SummaryFile, func(b *bytes.Buffer) error { return reports.WriteMarkdown(b, d) }},
		{runstore.ReportFile, func(b *bytes.Buffer) error { return reports.WriteHTML(b, d) }},
	}
	for _, file := range files {
		var buf bytes.Buffer
		if err := file.write(&buf); err != nil {
			return fmt.Errorf("writing %s: %w", file.name, err)
		}
		if err := runstore.WriteFileAtomic(filepath.Join(f.Dir, file.name), buf.Bytes()); err != nil {
			return err
		}
		if file.name == runstore.SummaryFile && opts.StepSummary != "" {
			if err := appendFile(opts.StepSummary, buf.Bytes()); err != nil {
				return fmt.Errorf("appending to the step summary %s: %w", opts.StepSummary, err)
			}
		}
	}
	return nil
}

func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scoringOptions returns the metrics options a run's manifest records.
func scoringOptions(m *runstore.Manifest) metrics.Options {
	return metrics.Options{
		Seed:               m.Seed,
		Confidence:         m.Scoring.Confidence,
		AllowedActions:     m.Scoring.AllowedActions,
		DestructiveActions: m.Scoring.DestructiveActions,
	}
}
