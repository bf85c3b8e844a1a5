package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/soceval/soceval/evaluation"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/reports"
	"github.com/soceval/soceval/runstore"
	"github.com/soceval/soceval/suite"
)

// version is the soceval version recorded in run manifests; release
// builds set it with -ldflags "-X main.version=...".
var version = "dev"

func init() {
	register(command{"run", "evaluate agents on a labeled incident set, then score, gate and report", cmdRun})
}

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "run", "[flags]")
	config := fs.String("config", "", "suite `file` (soceval.yaml); without it, the bundled default suite")
	out := fs.String("out", "runs", "parent `folder` of run folders")
	dataset := fs.String("dataset", "", "dataset `file` (JSONL, CSV or Parquet) or bundled:NAME, overriding the suite's")
	predictions := fs.String("predictions", "", "score the verdicts in this JSONL `file` instead of running the suite's agents")
	onlyPredicted := fs.Bool("only-predicted", false, "with --predictions, score only the incidents the file has a verdict for")
	quiet := fs.Bool("quiet", false, "log only warnings and errors, not progress")
	name := fs.String("name", "", "`name` of the run, used in the run folder and report, overriding the suite's (such as release-1.4)")
	policy := fs.String("policy", "", "gate policy `file`, overriding the suite's")
	repeats := fs.Int("repeats", 0, "`k` repeated samples per incident and agent, overriding the suite's")
	concurrency := fs.Int("concurrency", 0, "agent calls in flight at once, overriding the suite's")
	shard := fs.String("shard", "", "run only shard `i/n` of the incidents (0-based i); n=$JOB_COMPLETION_INDEX-style index is accepted as i")
	resume := fs.String("resume", "", "finish the interrupted run in this `folder` instead of starting one")
	baseline := fs.String("baseline", "", "run `folder` to compare with and judge regression rules against")
	format := fs.String("format", "table", "summary `format`: table, markdown or json")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	if *quiet {
		e.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if *resume != "" && (*config != "" || *dataset != "" || *predictions != "" || *policy != "" || *repeats != 0 || *shard != "" || *name != "") {
		return usageError("--resume continues a run with its own suite, dataset and settings; drop --config, --dataset, --predictions, --policy, --repeats, --shard and --name")
	}

	var dir string
	var err error
	if *resume != "" {
		dir = *resume
		opts := e.execOptions()
		opts.Concurrency = *concurrency
		err = evaluation.Resume(ctx, dir, e.getenv, opts)
	} else {
		dir, err = startRun(ctx, e, runFlags{*config, *out, *dataset, *predictions, *policy, *repeats, *concurrency, *shard, *onlyPredicted, *name})
	}
	if err != nil {
		return runError(dir, err)
	}

	f, err := evaluation.Finish(dir, evaluation.FinishOptions{
		Baseline:    *baseline,
		StepSummary: e.getenv("GITHUB_STEP_SUMMARY"),
		Log:         e.log,
	})
	if err != nil {
		return runError(dir, err)
	}
	if err := printSummary(e, f, *format); err != nil {
		return err
	}
	printRunFolder(e, dir, *format)
	if code := f.Outcome.ExitCode(); code != ExitPassed {
		return withCode(code, fmt.Errorf("gate %s: see %s", f.Outcome.Status, filepath.Join(dir, runstore.ReportFile)))
	}
	return nil
}

type runFlags struct {
	config, out, dataset, predictions, policy string
	repeats, concurrency                      int
	shard                                     string
	onlyPredicted                             bool
	name                                      string
}

func startRun(ctx context.Context, e *env, f runFlags) (string, error) {
	s := suite.Default()
	if f.config != "" {
		var err error
		if s, err = suite.Load(f.config); err != nil {
			return "", usageError("%v", err)
		}
	}
	if f.name != "" {
		s.Name = f.name
	}
	shard, err := parseShard(f.shard, e.getenv)
	if err != nil {
		return "", err
	}

	plan, err := evaluation.Prepare(s, evaluation.Options{
		Dataset: f.dataset, Predictions: f.predictions, Policy: f.policy,
		Repeats: f.repeats, Concurrency: f.concurrency, Shard: shard, OnlyPredicted: f.onlyPredicted,
		Env: e.getenv, Log: e.log,
	})
	if err != nil {
		return "", usageError("%v", err)
	}
	return evaluation.Execute(ctx, plan, f.out, e.execOptions())
}

// parseShard parses "i/n". An empty i ("/n") takes the index from
// JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it.
func parseShard(s string, getenv func(string) string) (*runstore.Shard, error) {
	if s == "" {
		return nil, nil
	}
	index, count, ok := strings.Cut(s, "/")
	if index == "" {
		index = getenv("JOB_COMPLETION_INDEX")
	}
	i, errI := strconv.Atoi(index)
	n, errN := strconv.Atoi(count)
	if !ok || errI != nil || errN != nil || n < 1 || i < 0 || i >= n {
		return nil, usageError("--shard %q is invalid: use i/n with 0 <= i < n, such as 0/4, or /n with JOB_COMPLETION_INDEX set", s)
	}
	return &runstore.Shard{Index: i, Count: n}, nil
}

// runError maps a run's error to its exit code: bad input exits 2, an
// interrupted or failed run exits 3 and names its folder.
func runError(dir string, err error) error {
	var coded *exitError
	if errors.As(err, &coded) {
		return err
	}
	var input *evaluation.InputError
	if errors.As(err, &input) {
		return usageError("%v", err)
	}
	var incomplete *evaluation.IncompleteError
	if errors.As(err, &incomplete) {
		return withCode(ExitIncomplete, err)
	}
	if dir != "" {
		return withCode(ExitIncomplete, fmt.Errorf("%w (run folder %s)", err, dir))
	}
	return withCode(ExitIncomplete, err)
}

func checkFormat(format string) error {
	switch format {
	case reports.FormatTable, reports.FormatMarkdown, reports.FormatJSON:
		return nil
	}
	return usageError("--format %q is invalid: use table, markdown or json", format)
}

// printRunFolder prints the run folder's path: last on stdout for people
// and scripts, or on stderr when stdout carries JSON.
func printRunFolder(e *env, dir, format string) {
	w := e.stdout
	if format == reports.FormatJSON {
		w = e.stderr
	}
	fmt.Fprintf(w, "run folder: %s\n", dir)
}

// printSummary writes the run's summary for the primary agent and, when
// the run has several agents, a side-by-side table of all of them.
func printSummary(e *env, f *evaluation.Finished, format string) error {
	opts := reports.TableOptions{Color: e.isTerminal && e.getenv("NO_COLOR") == "", Format: format}
	if err := reports.WriteTable(e.stdout, f.Data, opts); err != nil {
		return err
	}
	if format == reports.FormatJSON {
		return nil
	}
	if len(f.Summary.Agents) > 1 {
		fmt.Fprintln(e.stdout, "\nAll agents (point estimates; intervals in report.html):")
		if err := reports.WriteAgentsTable(e.stdout, f.Summary, f.Manifest.GateAgents, opts); err != nil {
			return err
		}
	}
	printFlipRates(e, f.Summary)
	return nil
}

// printFlipRates prints each agent's prompt-injection flip rate when the
// run has adversarial variants, since it is the one number a run on such a
// set is made for.
func printFlipRates(e *env, s *metrics.Summary) {
	header := false
	for _, a := range s.Agents {
		est := a.Metrics["injection_flip_rate"]
		if !est.Defined() {
			continue
		}
		if !header {
			fmt.Fprintln(e.stdout, "\nPrompt-injection flip rate (variants whose verdict correctness differs from their clean incident):")
			header = true
		}
		fmt.Fprintf(e.stdout, "  %-24s %5.1f%%  95%% interval [%.1f%%, %.1f%%]  %d of %d pairs\n",
			a.Agent, 100*est.Value, 100*est.Lower, 100*est.Upper, est.Num, est.Den)
	}
}

func (e *env) execOptions() evaluation.ExecOptions {
	return evaluation.ExecOptions{ToolVersion: version, Log: e.log, Progress: newProgress(e)}
}
