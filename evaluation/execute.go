package evaluation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/harness"
	"github.com/soceval/soceval/runstore"
)

// SuiteFile is the copy of the suite kept in each run folder, so that an
// interrupted run resumes with the same agents and settings.
const SuiteFile = "suite.yaml"

// IncompleteError reports a run that stopped before every row was done:
// interrupted, out of error budget, or failing to write. The CLI exits 3.
type IncompleteError struct {
	Dir string
	Err error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("run %s is incomplete: %v; finish it with: soceval run --resume %s", e.Dir, e.Err, e.Dir)
}
func (e *IncompleteError) Unwrap() error { return e.Err }

// ExecOptions adjust how a plan is executed.
type ExecOptions struct {
	ToolVersion string
	Log         *slog.Logger
	Progress    func(harness.Progress)
	// Concurrency, when above zero, overrides the concurrency of a resumed
	// run.
	Concurrency int
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

// Execute runs a prepared plan into a new run folder under outDir and
// returns the folder. The results log is written as rows complete; when
// every row is done it becomes results.parquet. A plan runs once: Execute
// closes its agents and, when every row is done, drops its incidents.
func Execute(ctx context.Context, p *Plan, outDir string, opts ExecOptions) (string, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("creating output folder: %w", err)
	}
	dir, runID, err := newRunDir(outDir, p, opts.Now())
	if err != nil {
		return "", err
	}

	m := p.manifest(runID, opts)
	if err := runstore.WriteFileAtomic(filepath.Join(dir, SuiteFile), p.Suite.Raw); err != nil {
		return dir, err
	}
	if err := runstore.WriteManifest(dir, m); err != nil {
		return dir, err
	}
	log, err := runstore.CreateLog(dir)
	if err != nil {
		return dir, err
	}
	return dir, p.runInto(ctx, dir, m, log, nil, opts)
}

// Resume finishes an interrupted run in dir: it rebuilds the plan from the
// run's own suite copy and manifest, checks that the dataset is unchanged,
// and runs only the (incident, agent, repeat) rows not yet in the log.
func Resume(ctx context.Context, dir string, env func(string) string, opts ExecOptions) error {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m, err := runstore.ReadManifest(dir)
	if err != nil {
		return inputErr(err)
	}
	if m.Status == runstore.StatusComplete {
		return nil
	}
	s, err := loadRunSuite(dir, m.SuiteDir)
	if err != nil {
		return inputErr(err)
	}

	p, err := Prepare(s, Options{
		Dataset: m.Dataset.Path, Predictions: m.Predictions, OnlyPredicted: m.OnlyPredicted, Policy: m.Policy,
		Repeats: m.Repeats, Shard: m.Shard, Env: env,
	})
	if err != nil {
		return err
	}
	if opts.Concurrency > 0 {
		p.Suite.Concurrency = opts.Concurrency
	}
	if p.Dataset.SHA256 != m.Dataset.SHA256 {
		return inputErr(fmt.Errorf("dataset %s changed since run %s started (sha256 %s, now %s); start a new run instead",
			m.Dataset.Path, m.RunID, short(m.Dataset.SHA256), short(p.Dataset.SHA256)))
	}

	log, rows, err := runstore.ResumeLog(dir)
	if err != nil {
		return err
	}
	done := make(map[runstore.Key]bool, len(rows))
	for _, r := range rows {
		done[r.Key()] = true
	}
	if opts.Log != nil {
		opts.Log.Info("resuming run", "run", m.RunID, "rows_done", len(done), "rows_expected", m.ExpectedRows)
	}
	m.Status = runstore.StatusRunning
	if err := runstore.WriteManifest(dir, m); err != nil {
		return err
	}
	return p.runInto(ctx, dir, m, log, done, opts)
}

// runInto runs the plan's remaining rows into an open log and closes the
// run: complete with results.parquet, or incomplete with the log kept.
// Once every row is in the log, the plan's incidents and agents are
// released before the rows are read back, so a large run does not hold
// both in memory while results.parquet is written.
func (p *Plan) runInto(ctx context.Context, dir string, m *runstore.Manifest, log *runstore.Log, done map[runstore.Key]bool, opts ExecOptions) error {
	runner := &harness.Runner{
		Agents:      p.Agents,
		Policy:      p.Harness,
		Repeats:     p.Suite.Repeats,
		Concurrency: p.Suite.Concurrency,
		ErrorBudget: p.Suite.MaxErrors,
		Log:         log,
		Logger:      opts.Log,
		Progress:    opts.Progress,
	}
	runErr := runner.Run(ctx, p.Incidents, done)
	closeErr := errors.Join(log.Close(), p.Close())

	if runErr != nil || closeErr != nil {
		m.Status = runstore.StatusIncomplete
		if err := runstore.WriteManifest(dir, m); err != nil {
			return errors.Join(runErr, closeErr, err)
		}
		return &IncompleteError{Dir: dir, Err: cmp.Or(runErr, closeErr)}
	}

	order := p.rowOrder()
	p.release()
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		return err
	}
	order.sort(rows)
	if err := runstore.Finalize(dir, rows); err != nil {
		return err
	}

	finished := opts.Now().UTC()
	m.FinishedAt = &finished
	m.Status = runstore.StatusComplete
	return runstore.WriteManifest(dir, m)
}

func (p *Plan) manifest(runID string, opts ExecOptions) *runstore.Manifest {
	m := &runstore.Manifest{
		SchemaVersion: runstore.SchemaVersion,
		RunID:         runID,
		ToolVersion:   opts.ToolVersion,
		Suite:         p.Suite.Name,
		SuiteSHA256:   p.Suite.SHA256,
		SuiteDir:      absPath(p.Suite.Dir),
		Dataset: runstore.DatasetRef{
			Name: p.Dataset.Name, Path: absPath(p.Suite.Resolve(p.Suite.Dataset)),
			SHA256: p.Dataset.SHA256, Incidents: len(p.Dataset.Incidents),
		},
		Seed:            p.Suite.Seed,
		Repeats:         p.Suite.Repeats,
		Shard:           p.Shard,
		Policy:          policyPath(p.Suite),
		Predictions:     p.Predictions,
		OnlyPredicted:   p.OnlyPredicted,
		GateAgents:      p.Suite.GateAgents,
		CloseThreshold:  p.Harness.CloseThreshold,
		StartedAt:       opts.Now().UTC(),
		Status:          runstore.StatusRunning,
		ExpectedRows:    len(p.Incidents) * len(p.Agents) * p.Suite.Repeats,
		Incidents:       len(p.Incidents),
		IncidentsSHA256: IncidentsHash(p.Incidents),
		ErrorBudget:     p.Suite.MaxErrors,
		Scoring: runstore.Scoring{
			Confidence:         p.Suite.Scoring.Confidence,
			AllowedActions:     p.Suite.Scoring.AllowedActions,
			DestructiveActions: p.Suite.Scoring.DestructiveActions,
		},
	}
	for _, a := range p.Agents {
		spec := runstore.AgentSpec{Name: a.Name()}
		if d, ok := a.(harness.Describer); ok {
			spec = d.Describe()
		}
		if spec.PromptSHA != "" {
			if m.Prompts == nil {
				m.Prompts = map[string]string{}
			}
			m.Prompts[spec.Prompt] = spec.PromptSHA
		}
		m.Agents = append(m.Agents, spec)
	}
	return m
}

// newRunDir creates a fresh run folder named after the time, the suite
// and the shard, adding a counter when the name is taken.
func newRunDir(outDir string, p *Plan, now time.Time) (string, string, error) {
	base := now.UTC().Format("20060102T150405Z") + "-" + safeName(p.Suite.Name)
	if p.Shard != nil {
		base += fmt.Sprintf("-shard%dof%d", p.Shard.Index, p.Shard.Count)
	}
	for i := 1; ; i++ {
		id := base
		if i > 1 {
			id = fmt.Sprintf("%s-%d", base, i)
		}
		dir := filepath.Join(outDir, id)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, id, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 1000 {
			return "", "", fmt.Errorf("creating run folder: %w", err)
		}
	}
}

// safeName keeps letters, digits, dots, dashes and underscores of a name
// from a suite file, so it cannot escape the output folder.
func safeName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
	out = strings.Trim(out, ".")
	if out == "" {
		return "suite"
	}
	return out[:min(len(out), 64)]
}

// IncidentsHash returns the SHA-256 of the sorted ids of incidents.
func IncidentsHash(incidents []datasets.Incident) string {
	ids := make([]string, len(incidents))
	for i := range incidents {
		ids[i] = incidents[i].ID
	}
	return runstore.HashIDs(ids)
}

func short(s string) string { return s[:min(len(s), 12)] }
