package main

import (
	"context"
	"fmt"
	"time"

	"github.com/soceval/soceval/evaluation"
)

func init() {
	register(command{"merge", "join the shard folders of one run into a single scored run", cmdMerge})
}

func cmdMerge(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "merge", "[--out DIR] SHARD_RUN...")
	out := fs.String("out", "runs", "parent `folder` of the merged run folder")
	format := fs.String("format", "table", "summary `format`: table, markdown or json")
	shards, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(shards) == 0 {
		fs.Usage()
		return usageError("merge needs the shard run folders to join")
	}
	if err := checkFormat(*format); err != nil {
		return err
	}

	dir, err := evaluation.Merge(shards, *out, time.Now())
	if err != nil {
		return runError(dir, err)
	}
	f, err := evaluation.Finish(dir, evaluation.FinishOptions{StepSummary: e.getenv("GITHUB_STEP_SUMMARY"), Log: e.log})
	if err != nil {
		return runError(dir, err)
	}
	if err := printSummary(e, f, *format); err != nil {
		return err
	}
	printRunFolder(e, dir, *format)
	if code := f.Outcome.ExitCode(); code != ExitPassed {
		return withCode(code, fmt.Errorf("gate %s", f.Outcome.Status))
	}
	return nil
}
