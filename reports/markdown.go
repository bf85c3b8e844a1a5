package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/soceval/soceval/metrics"
)

// WriteMarkdown writes summary.md for CI job pages: the gate verdict, the
// headline numbers and the gate rules. Data strings are escaped so that
// names containing "|", "*", "<" or "[" cannot break a table, add
// formatting, raw HTML or links.
func WriteMarkdown(w io.Writer, d *Data) error {
	a, err := d.primary()
	if err != nil {
		return fmt.Errorf("write markdown summary: %w", err)
	}
	bw := bufio.NewWriter(w)
	v := verdictFor(d.Gates, a.Agent)

	fmt.Fprintf(bw, "## %s %s\n\n", verdictIcon(v.Class), escapeMarkdown(v.Title))
	fmt.Fprintf(bw, "%s\n\n", escapeMarkdown(v.Detail))
	runID := d.Manifest.RunID
	if runID == "" {
		runID = d.Summary.RunID
	}
	fmt.Fprintf(bw, "Agent **%s**, run %s", escapeMarkdown(a.Agent), escapeMarkdown(runID))
	if ds := datasetLabel(d); ds != "" {
		fmt.Fprintf(bw, ", dataset %s", escapeMarkdown(ds))
	}
	bw.WriteString(".\n\n")

	writeMarkdownTable(bw, headlineTable(d, a, false))

	if rows := gateRows(d.Gates); len(rows) > 0 {
		bw.WriteString("\n### Gate rules\n\n")
		if note := gateNote(d.Gates, a.Agent); note != "" {
			fmt.Fprintf(bw, "%s\n\n", escapeMarkdown(note))
		}
		writeMarkdownTable(bw, gateTable(rows))
	}
	if len(a.Warnings) > 0 {
		bw.WriteString("\n")
		for _, warn := range a.Warnings {
			fmt.Fprintf(bw, "- %s\n", markdownNote(noteParts(warn)))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown summary: %w", err)
	}
	return nil
}

// markdownNote writes a note with each metric as its title followed by
// its name in a code span. Registered names contain only [a-z0-9_], so
// they need no escaping there.
func markdownNote(parts []notePart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Metric == "" {
			b.WriteString(escapeMarkdown(p.Text))
		} else {
			b.WriteString(escapeMarkdown(p.Title) + " (`" + p.Metric + "`)")
		}
	}
	return b.String()
}

func verdictIcon(class string) string {
	switch class {
	case "pass":
		return "✅"
	case "warn", "inconclusive":
		return "⚠️"
	case "fail":
		return "❌"
	}
	return "ℹ️"
}

// textTable is a header and rows of plain text cells, rendered as
// markdown or by tablewriter. Align holds "l" or "r" per column.
type textTable struct {
	Header []string
	Align  []string
	Rows   [][]string
}

// maxTerminalCategories caps the per-category coverage rows of the
// terminal summary: phishing and malware first, then the largest.
const maxTerminalCategories = 5

// headlineTable lists the headline numbers, agent coverage followed by
// one row per category. For the terminal, changes are short and labels
// are truncated so that the table fits terminalWidth columns.
func headlineTable(d *Data, a *metrics.AgentMetrics, terminal bool) textTable {
	t := textTable{Header: []string{"Number", "Value", "95% interval", "Change vs baseline"}, Align: []string{"l", "r", "l", "l"}}
	for _, h := range buildHeadlines(d, a) {
		change := h.Change
		if terminal {
			change = h.ChangeShort
		}
		label := h.Title
		if h.Metric == "ttr_reduction" && hasNote(h.Notes, "estimated") {
			label += " (estimated baseline)"
			if terminal {
				label = "TTR reduction (estimated baseline)"
			}
		}
		if h.Metric == "noise_auto_triage_rate" {
			if acp := estimateOf(a.Metrics, "auto_close_precision"); acp.Defined() {
				if terminal {
					label = "Noise auto-triage at " + formatValue("auto_close_precision", acp.Value) + " precision"
				} else {
					label += " at " + formatValue("auto_close_precision", acp.Value) + " auto-close precision"
				}
			}
		}
		t.Rows = append(t.Rows, []string{label, h.Value, h.Interval, change})
		breakdown := h.Breakdown
		if terminal && len(breakdown) > maxTerminalCategories {
			breakdown = breakdown[:maxTerminalCategories]
		}
		for _, b := range breakdown {
			t.Rows = append(t.Rows, []string{"· " + b.Label, b.Value, b.Interval, ""})
		}
		if n := len(h.Breakdown) - len(breakdown); n > 0 {
			t.Rows = append(t.Rows, []string{fmt.Sprintf("· %d more categories in report.html", n), "", "", ""})
		}
	}
	return t
}

func hasNote(notes []string, word string) bool {
	for _, n := range notes {
		if strings.Contains(n, word) {
			return true
		}
	}
	return false
}

// gateTable is the full gate table of the markdown summary.
func gateTable(rows []gateRow) textTable {
	t := textTable{
		Header: []string{"Status", "Rule", "Agent", "Observed", "Judged", "Limit", "Explanation"},
		Align:  []string{"l", "l", "l", "r", "r", "r", "l"},
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.Status, r.Rule, r.Agent, r.Observed, r.Judged, r.Limit, r.Message})
	}
	return t
}

// writeMarkdownTable writes t as a GitHub-flavoured markdown table,
// escaping every cell.
func writeMarkdownTable(w *bufio.Writer, t textTable) {
	row := func(cells []string) {
		w.WriteString("|")
		for _, c := range cells {
			w.WriteString(" " + escapeMarkdown(c) + " |")
		}
		w.WriteString("\n")
	}
	row(t.Header)
	w.WriteString("|")
	for i := range t.Header {
		if i < len(t.Align) && t.Align[i] == "r" {
			w.WriteString("---:|")
		} else {
			w.WriteString("---|")
		}
	}
	w.WriteString("\n")
	for _, r := range t.Rows {
		row(r)
	}
}

// markdownSpecial are the characters escaped in data strings. Each can
// start formatting, a link, raw HTML, an entity or a table cell.
const markdownSpecial = "\\`*_[]<>#!|~&"

// escapeMarkdown makes s literal text in a markdown table cell: it
// backslash-escapes markdown-active punctuation and turns line breaks and
// control characters into spaces or U+FFFD.
func escapeMarkdown(s string) string {
	s = cleanText(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune(markdownSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
