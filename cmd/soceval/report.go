package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/soceval/soceval/evaluation"
	"github.com/soceval/soceval/runstore"
)

func init() {
	register(command{"report", "write the HTML report of a stored run", cmdReport})
}

func cmdReport(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "report", "RUN [--baseline RUN] [--history DIR] [-o FILE]")
	baseline := fs.String("baseline", "", "run `folder` to show changes and flipped incidents against")
	history := fs.String("history", "", "`folder` of earlier run folders for the trend chart")
	out := fs.String("o", "", "output `file`; default RUN/report.html")
	force := fs.Bool("force", false, "compare with a baseline made on another dataset")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError("report needs exactly one run folder, got %d arguments", len(pos))
	}

	dir := pos[0]
	path := *out
	if path == "" {
		path = filepath.Join(dir, runstore.ReportFile)
	}
	err = evaluation.Report(dir, path, evaluation.FinishOptions{Baseline: *baseline, History: *history, Force: *force, Log: e.log})
	if err != nil {
		return runError("", err)
	}
	fmt.Fprintf(e.stdout, "report: %s\n", path)
	return nil
}
