package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/soceval/soceval/evaluation"
	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/runstore"
)

func init() {
	register(command{"gate", "re-evaluate a stored run against a gate policy", cmdGate})
}

func cmdGate(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "gate", "RUN [--baseline RUN] [--policy FILE]")
	baseline := fs.String("baseline", "", "run `folder` that regression rules compare against, such as the last release's run")
	policyPath := fs.String("policy", "", "gate policy `file`; without it, the shipped default policy")
	force := fs.Bool("force", false, "compare with a baseline made on another dataset, on the incidents both share")
	format := fs.String("format", "table", "summary `format`: table, markdown or json")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError("gate needs exactly one run folder, got %d arguments", len(pos))
	}
	if err := checkFormat(*format); err != nil {
		return err
	}

	policy := gates.Default()
	if *policyPath != "" {
		if policy, err = gates.Load(*policyPath); err != nil {
			return usageError("%v", err)
		}
	}

	dir := pos[0]
	f, err := evaluation.Finish(dir, evaluation.FinishOptions{
		Baseline: *baseline, Policy: policy, Force: *force,
		StepSummary: e.getenv("GITHUB_STEP_SUMMARY"), Log: e.log,
	})
	if err != nil {
		return runError("", err)
	}
	if err := printSummary(e, f, *format); err != nil {
		return err
	}
	if code := f.Outcome.ExitCode(); code != ExitPassed {
		return withCode(code, fmt.Errorf("gate %s: see %s", f.Outcome.Status, filepath.Join(dir, runstore.ReportFile)))
	}
	return nil
}
