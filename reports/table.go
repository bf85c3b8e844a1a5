package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/soceval/soceval/metrics"
)

// Formats of WriteTable and WriteCompareTable.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// terminalWidth is the width terminal tables are kept within.
const terminalWidth = 100

// TableOptions sets how WriteTable and WriteCompareTable write.
type TableOptions struct {
	// Color adds ANSI colours to statuses and the verdict. Callers set it
	// only when writing to a terminal.
	Color bool
	// Format is FormatTable (the default when empty), FormatMarkdown or
	// FormatJSON.
	Format string
}

// ANSI colour codes used when TableOptions.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// WriteTable writes a compact summary for the terminal: the gate verdict,
// the headline numbers and the gate rules.
func WriteTable(w io.Writer, d *Data, opts TableOptions) error {
	a, err := d.primary()
	if err != nil {
		return fmt.Errorf("write summary table: %w", err)
	}

	switch opts.Format {
	case FormatMarkdown:
		return WriteMarkdown(w, d)
	case FormatJSON:
		return writeSummaryJSON(w, d, a)
	case FormatTable, "":
	default:
		return fmt.Errorf("write summary table: unknown format %q; use %q, %q or %q", opts.Format, FormatTable, FormatMarkdown, FormatJSON)
	}

	v := verdictFor(d.Gates, a.Agent)
	line := v.Title + ". " + v.Detail
	if opts.Color {
		line = colorFor(v.Class) + ansiBold + v.Title + ansiReset + ". " + cleanText(v.Detail)
	} else {
		line = cleanText(line)
	}
	if _, err := fmt.Fprintf(w, "%s\nAgent %s, run %s\n\n", line, cleanText(a.Agent), cleanText(d.Summary.RunID)); err != nil {
		return fmt.Errorf("write summary table: %w", err)
	}

	headlines := headlineTable(d, a, true)
	for _, r := range headlines.Rows {
		r[0] = truncate(cleanText(r[0]), 40)
	}
	if err := renderTerminal(w, headlines, opts); err != nil {
		return fmt.Errorf("write summary table: %w", err)
	}
	if rows := gateRows(d.Gates); len(rows) > 0 {
		if _, err := io.WriteString(w, "\n"); err != nil {
			return fmt.Errorf("write summary table: %w", err)
		}
		t := gateTable(rows, true)
		for i, r := range t.Rows {
			r[1] = truncate(cleanText(r[1]), 44)
			r[2] = truncate(cleanText(r[2]), 16)
			if opts.Color {
				r[0] = colorFor(rows[i].Class) + r[0] + ansiReset
			}
		}
		if err := renderTerminal(w, t, opts); err != nil {
			return fmt.Errorf("write summary table: %w", err)
		}
	}
	return nil
}

func colorFor(class string) string {
	switch class {
	case "pass":
		return ansiGreen
	case "fail":
		return ansiRed
	case "warn", "inconclusive":
		return ansiYellow
	}
	return ""
}

// renderTerminal draws t with tablewriter. Callers truncate cells so that
// the table fits terminalWidth columns, and clean data strings with
// cleanText before adding colour codes, so that the only escape sequences
// in a cell are ours. Header auto-formatting is off so that headers print
// as written.
func renderTerminal(w io.Writer, t textTable, opts TableOptions) error {
	align := make([]tw.Align, len(t.Header))
	for i := range align {
		align[i] = tw.AlignLeft
		if i < len(t.Align) && t.Align[i] == "r" {
			align[i] = tw.AlignRight
		}
	}
	table := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	table.Header(t.Header)

	if err := table.Bulk(t.Rows); err != nil {
		return fmt.Errorf("add table rows: %w", err)
	}
	if err := table.Render(); err != nil {
		return fmt.Errorf("render table: %w", err)
	}
	return nil
}

// summaryJSON is the JSON form of WriteTable.
type summaryJSON struct {
	RunID     string         `json:"run_id"`
	Agent     string         `json:"agent"`
	Verdict   string         `json:"verdict"`
	Detail    string         `json:"detail"`
	Headlines []headlineJSON `json:"headlines"`
	Gates     []gateRow      `json:"gates,omitempty"`
}

type headlineJSON struct {
	Metric   string           `json:"metric"`
	Estimate metrics.Estimate `json:"estimate"`
	Change   string           `json:"change,omitempty"`
}

func writeSummaryJSON(w io.Writer, d *Data, a *metrics.AgentMetrics) error {
	v := verdictFor(d.Gates, a.Agent)
	out := summaryJSON{RunID: d.Summary.RunID, Agent: a.Agent, Verdict: v.Class, Detail: v.Detail, Gates: gateRows(d.Gates)}
	for _, h := range buildHeadlines(d, a) {
		out.Headlines = append(out.Headlines, headlineJSON{Metric: h.Metric, Estimate: estimateOf(a.Metrics, h.Metric), Change: h.Change})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write summary JSON: %w", err)
	}
	return nil
}

// minPairs is the number of paired incidents below which a comparison is
// footnoted as a small sample.
const minPairs = 30

// WriteCompareTable writes paired comparisons the way benchstat does: one
// row per metric with the baseline and candidate values and their
// intervals, the change, and the p-value of the paired test. A change
// whose p-value is at least 0.05 prints as "~". Footnotes mark estimated
// inputs, small samples and missing data.
func WriteCompareTable(w io.Writer, deltas []metrics.Delta, opts TableOptions) error {
	if opts.Format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(deltas); err != nil {
			return fmt.Errorf("write comparison JSON: %w", err)
		}
		return nil
	}

	t := textTable{
		Header: []string{"metric", "baseline", "candidate", "delta", "p"},
		Align:  []string{"l", "r", "r", "r", "r"},
	}
	notes := newFootnotes()
	for _, d := range deltas {
		name := truncate(cleanText(d.Metric), 28) + notes.marks(d)
		change := compareChange(d)
		notes.tilde = notes.tilde || change == "~"
		if opts.Color && opts.Format != FormatMarkdown && change != "~" {
			change = colorFor(compareClass(d)) + change + ansiReset
		}
		t.Rows = append(t.Rows, []string{name, compactEstimate(d.Metric, d.Baseline), compactEstimate(d.Metric, d.Candidate),
			change, formatPValue(d.PValue) + fmt.Sprintf(" n=%d", d.Pairs)})
	}

	if opts.Format == FormatMarkdown {
		bw := newBufWriter(w)
		writeMarkdownTable(bw.Writer, t)
		notes.write(bw.Writer, true)
		return bw.flush("write comparison markdown")
	}
	if opts.Format != FormatTable && opts.Format != "" {
		return fmt.Errorf("write comparison table: unknown format %q; use %q, %q or %q", opts.Format, FormatTable, FormatMarkdown, FormatJSON)
	}
	if err := renderTerminal(w, t, opts); err != nil {
		return fmt.Errorf("write comparison table: %w", err)
	}
	bw := newBufWriter(w)
	notes.write(bw.Writer, false)
	return bw.flush("write comparison table")
}

// compareChange is the delta cell: the signed change, or "~" when the
// paired test found no significant difference.
func compareChange(d metrics.Delta) string {
	if !isFinite(d.Diff) {
		return "n/a"
	}
	// No p-value means too few incidents to test, which is no evidence of
	// a change either.
	if !isFinite(d.PValue) || d.PValue >= significance {
		return "~"
	}
	return formatDiff(d.Metric, d.Diff)
}

func compareClass(d metrics.Delta) string {
	def, _ := metrics.Lookup(d.Metric)
	if direction(def, d.Diff) == "worse" {
		return "fail"
	}
	return "pass"
}

// compactEstimate formats an estimate as "value [lower–upper]" with the
// unit written once, to keep comparison rows narrow.
func compactEstimate(metric string, e metrics.Estimate) string {
	if !e.Defined() {
		return "n/a"
	}
	v := formatValue(metric, e.Value)
	if e.Interval == metrics.IntervalNone || !isFinite(e.Lower) || !isFinite(e.Upper) {
		return v
	}
	if unitOf(metric) == "ratio" {
		return fmt.Sprintf("%s [%s–%s]", v, trimZero(fmt.Sprintf("%.1f", e.Lower*100)), trimZero(fmt.Sprintf("%.1f", e.Upper*100)))
	}
	return fmt.Sprintf("%s [%s–%s]", v, formatValue(metric, e.Lower), formatValue(metric, e.Upper))
}

// footnotes collects the warnings of a comparison as numbered notes.
type footnotes struct {
	// tilde is set when a row printed "~", which the notes then explain.
	tilde bool
	texts []string
	index map[string]int
}

func newFootnotes() *footnotes { return &footnotes{index: map[string]int{}} }

// marks returns the footnote markers of d, such as " (1)(2)".
func (f *footnotes) marks(d metrics.Delta) string {
	var warns []string
	if d.Baseline.Estimated || d.Candidate.Estimated {
		warns = append(warns, "estimated inputs: some values, such as human handling times, were not measured")
	}
	if d.Pairs > 0 && d.Pairs < minPairs {
		warns = append(warns, fmt.Sprintf("fewer than %d paired incidents: the test has little power", minPairs))
	}
	if !d.Baseline.Defined() || !d.Candidate.Defined() || math.IsNaN(d.Diff) {
		warns = append(warns, "no data in at least one run")
	}
	var b strings.Builder
	for _, w := range warns {
		n, ok := f.index[w]
		if !ok {
			f.texts = append(f.texts, w)
			n = len(f.texts)
			f.index[w] = n
		}
		fmt.Fprintf(&b, " (%d)", n)
	}
	return b.String()
}

func (f *footnotes) write(w io.Writer, markdown bool) {
	if len(f.texts) > 0 {
		fmt.Fprintln(w)
	}
	for i, t := range f.texts {
		if markdown {
			fmt.Fprintf(w, "(%d) %s  \n", i+1, escapeMarkdown(t))
		} else {
			fmt.Fprintf(w, "(%d) %s\n", i+1, t)
		}
	}
	if f.tilde {
		msg := "~ means no significant difference (p ≥ 0.05 in the paired test)."
		if markdown {
			msg = "\\~ means no significant difference (p ≥ 0.05 in the paired test)."
		}
		fmt.Fprintln(w, msg)
	}
}
