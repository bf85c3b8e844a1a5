package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

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
	if err := writeTerminalGates(w, d, opts); err != nil {
		return fmt.Errorf("write summary table: %w", err)
	}
	return nil
}

// writeTerminalGates writes the gate rules. When the rules judged one
// agent, a line above the table names it and the table has no agent
// column. Otherwise the agent column keeps whole names, and the rule
// column takes the width that is left.
func writeTerminalGates(w io.Writer, d *Data, opts TableOptions) error {
	rows := gateRows(d.Gates)
	if len(rows) == 0 {
		return nil
	}
	agents := gatedAgents(d.Gates)
	intro := "\n"
	if len(agents) == 1 {
		intro = "\nGate rules for agent " + cleanText(agents[0]) + ":\n"
	}
	if _, err := io.WriteString(w, intro); err != nil {
		return err
	}

	t := terminalGateTable(rows, len(agents) > 1)
	for i, r := range t.Rows {
		if opts.Color {
			r[0] = colorFor(rows[i].Class) + r[0] + ansiReset
		}
	}
	return renderTerminal(w, t, opts)
}

// Widths of the terminal gate table: agentWidth caps agent names, and the
// rule column never gets fewer than minRuleWidth runes.
const (
	agentWidth   = 40
	minRuleWidth = 16
)

// terminalGateTable is the compact gate table, cut to terminalWidth
// columns. Agent names are cut only beyond agentWidth; rule labels take
// the rest of the width.
func terminalGateTable(rows []gateRow, withAgent bool) textTable {
	t := textTable{Header: []string{"Status", "Rule", "Judged", "Limit"}, Align: []string{"l", "l", "r", "r"}}
	if withAgent {
		t = textTable{Header: []string{"Status", "Rule", "Agent", "Judged", "Limit"}, Align: []string{"l", "l", "l", "r", "r"}}
	}
	for _, r := range rows {
		cells := []string{r.Status, cleanText(r.Rule), r.Judged, r.Limit}
		if withAgent {
			cells = []string{r.Status, cleanText(r.Rule), truncate(cleanText(r.Agent), agentWidth), r.Judged, r.Limit}
		}
		t.Rows = append(t.Rows, cells)
	}

	widths := columnWidths(t)
	others := 3*len(widths) + 1
	for i, w := range widths {
		if i != 1 {
			others += w
		}
	}
	ruleWidth := max(terminalWidth-others, minRuleWidth)
	for _, r := range t.Rows {
		r[1] = truncate(r[1], ruleWidth)
	}
	return t
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
// intervals, the change, and the p-value of the paired test. Values and
// intervals are written as in the HTML report, "67.4% [60.2%, 73.9%]",
// and the times of a row share one unit. A change whose p-value is at
// least 0.05 prints as "~". Footnotes mark estimated inputs, small samples
// and missing data.
func WriteCompareTable(w io.Writer, deltas []metrics.Delta, opts TableOptions) error {
	switch opts.Format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(deltas); err != nil {
			return fmt.Errorf("write comparison JSON: %w", err)
		}
		return nil
	case FormatTable, "", FormatMarkdown:
	default:
		return fmt.Errorf("write comparison table: unknown format %q; use %q, %q or %q", opts.Format, FormatTable, FormatMarkdown, FormatJSON)
	}

	t, notes, classes := compareTable(deltas)
	if opts.Format == FormatMarkdown {
		bw := newBufWriter(w)
		writeMarkdownTable(bw.Writer, t)
		notes.write(bw.Writer, true)
		return bw.flush("write comparison markdown")
	}

	fitCompareTable(t)
	for i, r := range t.Rows {
		if opts.Color && r[compareDelta] != "~" {
			r[compareDelta] = colorFor(classes[i]) + r[compareDelta] + ansiReset
		}
	}
	if err := renderTerminal(w, t, opts); err != nil {
		return fmt.Errorf("write comparison table: %w", err)
	}
	bw := newBufWriter(w)
	notes.write(bw.Writer, false)
	return bw.flush("write comparison table")
}

// Columns of the comparison table.
const (
	compareMetric = iota
	compareBaseline
	compareCandidate
	compareDelta
	compareP
)

// compareTable builds the comparison rows with one-line cells, the
// footnotes, and the colour class of each row's change. When every row
// has the same number of pairs, the footnotes state it once. Otherwise
// each p-value is followed by its "n=".
func compareTable(deltas []metrics.Delta) (textTable, *footnotes, []string) {
	t := textTable{
		Header: []string{"metric", "baseline", "candidate", "delta", "p"},
		Align:  []string{"l", "r", "r", "r", "r"},
	}
	notes := newFootnotes()
	notes.pairs = commonPairs(deltas)
	classes := make([]string, 0, len(deltas))

	for _, d := range deltas {
		marks := notes.marks(d)
		name := truncate(cleanText(d.Metric), compareMetricWidth) + marks
		f := formatForEstimates(d.Metric, d.Baseline, d.Candidate)
		change := compareChange(f, d)
		notes.tilde = notes.tilde || change == "~"

		p := formatPValue(d.PValue)
		if notes.pairs < 0 {
			p += fmt.Sprintf(" n=%d", d.Pairs)
		}
		t.Rows = append(t.Rows, []string{name, f.estimate(d.Baseline), f.estimate(d.Candidate), change, p})
		classes = append(classes, compareClass(d))
	}
	return t, notes, classes
}

// compareMetricWidth is the widest metric name of the comparison table,
// footnote marks excluded. The longest registered name has 24 runes.
const compareMetricWidth = 26

// commonPairs returns the pair count shared by every delta, or -1 when
// the counts differ or there are no deltas.
func commonPairs(deltas []metrics.Delta) int {
	if len(deltas) == 0 {
		return -1
	}
	n := deltas[0].Pairs
	for _, d := range deltas[1:] {
		if d.Pairs != n {
			return -1
		}
	}
	return n
}

// fitCompareTable keeps t within terminalWidth columns: when the one-line
// rows are too wide, an estimate cell wider than its share of the width
// puts its interval on a second line under the value.
func fitCompareTable(t textTable) {
	widths := columnWidths(t)
	total := 3*len(widths) + 1
	for _, w := range widths {
		total += w
	}
	if total <= terminalWidth {
		return
	}

	fixed := total - widths[compareBaseline] - widths[compareCandidate]
	share := (terminalWidth - fixed) / 2
	for _, r := range t.Rows {
		for _, c := range []int{compareBaseline, compareCandidate} {
			if value, interval, ok := strings.Cut(r[c], " ["); ok && utf8.RuneCountInString(r[c]) > share {
				r[c] = value + "\n[" + interval
			}
		}
	}
}

// columnWidths returns the widest line of each column of t, in runes.
func columnWidths(t textTable) []int {
	widths := make([]int, len(t.Header))
	measure := func(i int, cell string) {
		for _, line := range strings.Split(cell, "\n") {
			widths[i] = max(widths[i], utf8.RuneCountInString(line))
		}
	}
	for i, h := range t.Header {
		measure(i, h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			measure(i, c)
		}
	}
	return widths
}

// compareChange is the delta cell: the signed change, or "~" when the
// paired test found no significant difference.
func compareChange(f numberFormat, d metrics.Delta) string {
	if !isFinite(d.Diff) {
		return "n/a"
	}
	// No p-value means too few incidents to test, which is no evidence of
	// a change either.
	if !isFinite(d.PValue) || d.PValue >= significance {
		return "~"
	}
	return f.diff(d.Diff)
}

func compareClass(d metrics.Delta) string {
	def, _ := metrics.Lookup(d.Metric)
	if direction(def, d.Diff) == "worse" {
		return "fail"
	}
	return "pass"
}

// footnotes collects the warnings of a comparison as numbered notes.
type footnotes struct {
	// tilde is set when a row printed "~", which the notes then explain.
	tilde bool
	// pairs is the pair count of every row, or -1 when rows differ and
	// each p-value carries its own.
	pairs int
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
	var lines []string
	for i, t := range f.texts {
		lines = append(lines, fmt.Sprintf("(%d) %s", i+1, t))
	}
	if f.pairs >= 0 {
		lines = append(lines, fmt.Sprintf("p is from a paired test on the %d rows (incident and repeat) present in both runs.", f.pairs))
	}
	if f.tilde {
		lines = append(lines, "~ means no significant difference (p ≥ 0.05 in the paired test).")
	}
	if len(lines) == 0 {
		return
	}

	// A blank line ends the table, because in markdown a text line right
	// under a table would be read as one more row.
	fmt.Fprintln(w)
	for _, l := range lines {
		if markdown {
			fmt.Fprintf(w, "%s  \n", escapeMarkdown(l))
		} else {
			fmt.Fprintln(w, l)
		}
	}
}
