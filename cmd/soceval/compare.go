package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/evaluation"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/reports"
	"github.com/soceval/soceval/runstore"
)

func init() {
	register(command{"compare", "compare two runs or agents pairwise on the same incidents", cmdCompare})
}

func cmdCompare(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "compare", "A B   (each RUN or RUN#AGENT; A is the baseline)")
	agent := fs.String("agent", "", "agent to compare when a run has several and no #AGENT is given")
	format := fs.String("format", "table", "output `format`: table, markdown or json")
	maxFlips := fs.Int("flips", 20, "show at most `n` flipped incidents; 0 for none")
	force := fs.Bool("force", false, "compare runs made on different datasets, on the incidents both share")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return usageError("compare needs two runs, A (baseline) and B (candidate), got %d arguments", len(pos))
	}
	if err := checkFormat(*format); err != nil {
		return err
	}

	base, err := evaluation.ParseSide(pos[0], *agent)
	if err != nil {
		return runError("", err)
	}
	cand, err := evaluation.ParseSide(pos[1], *agent)
	if err != nil {
		return runError("", err)
	}
	c, err := evaluation.Compare(base, cand, *force)
	if err != nil {
		return runError("", err)
	}

	flips := c.Flips[:min(len(c.Flips), max(*maxFlips, 0))]
	if *format == reports.FormatJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"baseline":  map[string]string{"run": base.Manifest.RunID, "agent": base.Agent},
			"candidate": map[string]string{"run": cand.Manifest.RunID, "agent": cand.Agent},
			"deltas":    c.Deltas, "flips": flips, "flips_total": len(c.Flips), "notes": c.Notes,
		})
	}

	fmt.Fprintf(e.stdout, "A: %s#%s\nB: %s#%s\n\n", base.Manifest.RunID, base.Agent, cand.Manifest.RunID, cand.Agent)
	opts := reports.TableOptions{Color: e.isTerminal && e.getenv("NO_COLOR") == "", Format: *format}
	if err := reports.WriteCompareTable(e.stdout, c.Deltas, opts); err != nil {
		return err
	}
	for _, n := range c.Notes {
		fmt.Fprintf(e.stdout, "note: %s\n", n)
	}
	if len(flips) == 0 {
		fmt.Fprintln(e.stdout, "\nNo incident flipped.")
		return nil
	}
	fmt.Fprintf(e.stdout, "\n%d incidents flipped (%d shown, worst first):\n", len(c.Flips), len(flips))
	return writeFlips(e.stdout, flips, *format == reports.FormatMarkdown)
}

// writeFlips lists flipped incidents with both verdicts.
func writeFlips(w io.Writer, flips []metrics.Flip, markdown bool) error {
	opts := []tablewriter.Option{tablewriter.WithHeaderAutoFormat(tw.Off)}
	if markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header("change", "incident", "gold", "A verdict", "B verdict")
	for _, f := range flips {
		row := []string{flipLabels[f.Kind], cell(f.IncidentID, 28, markdown), goldCell(&f.Candidate.Gold),
			verdictCell(&f.Baseline, markdown), verdictCell(&f.Candidate, markdown)}
		if err := t.Append(row); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "TP, BP, FP: true, benign, false positive; ! marks must_pass.\n"+
		"closed: auto-closed; resolved: handled by the agent.")
	return err
}

// flipLabels are the short names of flip kinds, so that the table fits
// 100 columns.
var flipLabels = map[string]string{
	metrics.FlipThreatNewlyAutoClosed: "threat auto-closed",
	metrics.FlipNewlyWrong:            "newly wrong",
	metrics.FlipNewlyCorrect:          "newly correct",
	metrics.FlipDispositionChanged:    "disposition",
}

var dispositionLabels = map[string]string{
	runstore.AutoClosed:    "closed",
	runstore.AgentResolved: "resolved",
	runstore.Escalated:     "escalated",
	runstore.Errored:       "error",
}

func shortGrade(grade string) string {
	switch grade {
	case datasets.GradeTruePositive:
		return "TP"
	case datasets.GradeBenignPositive:
		return "BP"
	case datasets.GradeFalsePositive:
		return "FP"
	}
	return grade
}

// goldCell writes the gold grade with the incident's severity, such as
// "TP crit!", where ! marks a must_pass incident.
func goldCell(g *runstore.Gold) string {
	s := shortGrade(g.Grade)
	if g.Severity != "" {
		s += " " + g.Severity[:min(len(g.Severity), 4)]
	}
	if slices.Contains(g.Tags, metrics.TagMustPass) {
		s += "!"
	}
	return s
}

// verdictCell writes a verdict as "FP closed 0.90".
func verdictCell(r *runstore.Result, markdown bool) string {
	if r.Failed() {
		return "error"
	}
	s := shortGrade(r.Grade) + " " + dispositionLabels[r.Disposition]
	if r.Confidence != nil {
		s += fmt.Sprintf(" %.2f", *r.Confidence)
	}
	return cell(s, 20, markdown)
}

// cell shortens s to width runes and, for Markdown, escapes the pipe
// that the Markdown renderer leaves as a column separator.
func cell(s string, width int, markdown bool) string {
	r := []rune(s)
	if len(r) > width {
		s = string(r[:width-1]) + "…"
	}
	if markdown {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return s
}
