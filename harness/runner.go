package harness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// ErrErrorBudget is returned when more rows errored than the run's error
// budget allows; the run stops as incomplete.
var ErrErrorBudget = errors.New("error budget exceeded")

// Runner replays incidents through agents and appends one result row per
// (incident, agent, repeat) to a run's log as each completes.
type Runner struct {
	Agents  []Agent
	Policy  Policy
	Repeats int
	// Concurrency is the number of agent calls in flight at once.
	Concurrency int
	// ErrorBudget is the number of harness errors (not format failures)
	// after which the run stops; 0 means no limit.
	ErrorBudget int
	Log         *runstore.Log
	Logger      *slog.Logger
	// Progress, when set, is called after each row with the counts so far.
	Progress func(Progress)
}

// Progress reports how far a run has got.
type Progress struct {
	Done, Total, Errors, FormatFailures int
	Elapsed                             time.Duration
}

type job struct {
	incident *datasets.Incident
	agent    Agent
	repeat   int
}

// Run evaluates every (incident, agent, repeat) whose key is not in done.
// When ctx is cancelled it stops dispatching, lets calls in flight end,
// and keeps every completed row; calls cut short by the cancellation are
// not recorded, so a resumed run redoes them.
func (r *Runner) Run(ctx context.Context, incidents []datasets.Incident, done map[runstore.Key]bool) error {
	logger := r.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	repeats := max(r.Repeats, 1)
	workers := max(r.Concurrency, 1)

	var jobs []job
	for i := range incidents {
		for _, a := range r.Agents {
			for rep := range repeats {
				if !done[runstore.Key{IncidentID: incidents[i].ID, Agent: a.Name(), Repeat: rep}] {
					jobs = append(jobs, job{&incidents[i], a, rep})
				}
			}
		}
	}
	total := len(done) + len(jobs)
	logger.Info("run started", "to_do", len(jobs), "already_done", len(done), "workers", workers)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var completed, errorsSeen, formatFailures atomic.Int64
	completed.Store(int64(len(done)))
	start := time.Now()
	var writeErr error
	var writeOnce sync.Once

	queue := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range queue {
				row, ok := r.evaluate(ctx, j)
				if !ok {
					continue
				}
				if _, err := r.Log.Append(&row); err != nil {
					writeOnce.Do(func() { writeErr = err; cancel(err) })
					continue
				}

				if row.Error != "" {
					n := errorsSeen.Add(1)
					logger.Warn("agent call failed", "incident", row.IncidentID, "agent", row.Agent, "repeat", row.Repeat, "error", row.Error)
					if r.ErrorBudget > 0 && n > int64(r.ErrorBudget) {
						cancel(fmt.Errorf("%w: %d harness errors, budget %d", ErrErrorBudget, n, r.ErrorBudget))
					}
				}
				if row.FormatError != "" {
					formatFailures.Add(1)
				}
				n := completed.Add(1)
				if r.Progress != nil {
					r.Progress(Progress{int(n), total, int(errorsSeen.Load()), int(formatFailures.Load()), time.Since(start)})
				}
			}
		})
	}

dispatch:
	for _, j := range jobs {
		select {
		case queue <- j:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(queue)
	wg.Wait()

	if writeErr != nil {
		return writeErr
	}
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return nil
}

// evaluate runs one job and returns its row. It reports false when the
// call was cut short by cancellation and must not be recorded.
func (r *Runner) evaluate(ctx context.Context, j job) (runstore.Result, bool) {
	started := time.Now().UTC()
	out, err := j.agent.Triage(ctx, j.incident, j.repeat)
	if err != nil && ctx.Err() != nil {
		return runstore.Result{}, false
	}

	row := runstore.Result{
		IncidentID: j.incident.ID,
		Agent:      j.agent.Name(),
		Repeat:     j.repeat,
		Layer:      out.Layer,
		LatencyMS:  float64(out.Latency) / float64(time.Millisecond),
		TokensIn:   out.TokensIn,
		TokensOut:  out.TokensOut,
		CostUSD:    out.CostUSD,
		Attempts:   out.Attempts,
		Replayed:   out.Replayed,
		ToolCalls:  out.ToolCalls,
		RawOutput:  out.RawOutput,
		StartedAt:  started,
		Gold:       GoldOf(j.incident),
	}
	var layerErr *LayerError
	if errors.As(err, &layerErr) {
		row.Layer = layerErr.Layer
	}

	switch {
	case err != nil:
		row.Error = err.Error()
		row.Disposition = runstore.Errored
	case out.Verdict == nil:
		row.FormatError = out.FormatError
		if row.FormatError == "" {
			row.FormatError = "agent returned no verdict"
		}
		row.Disposition = runstore.Errored
	default:
		v := out.Verdict
		row.Grade, row.Category, row.Confidence = v.Grade, v.Category, v.Confidence
		row.Actions, row.Escalate, row.Rationale = v.Actions, v.Escalate, v.Rationale
		row.Disposition = r.Policy.Dispose(v)
	}
	return row, true
}

// GoldOf returns the label snapshot stored with each result row.
func GoldOf(in *datasets.Incident) runstore.Gold {
	return runstore.Gold{
		Grade:             in.Label.Grade,
		Category:          in.Label.Category,
		Actions:           in.Label.Actions,
		HumanTTRSeconds:   in.Label.HumanTTRSeconds,
		HumanTTREstimated: in.Label.HumanTTREstimated,
		Title:             in.Title,
		Source:            in.Source,
		Severity:          in.Severity,
		IncidentCategory:  in.Category,
		Tags:              in.Tags,
	}
}
