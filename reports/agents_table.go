package reports

import (
	"bufio"
	"fmt"
	"io"
	"slices"

	"github.com/soceval/soceval/metrics"
)

// agentTableColumns are the metrics of the side-by-side agent table, with
// their short headers.
var agentTableColumns = []struct{ metric, header string }{
	{"recall", "recall"},
	{"precision", "precision"},
	{"missed_threat_rate", "missed threats"},
	{"noise_auto_triage_rate", "noise closed"},
	{"agent_coverage", "coverage"},
	{"format_failure_rate", "format fail"},
}

// WriteAgentsTable writes one row per agent of a run with its point
// estimates, so that the agents of a suite can be read side by side.
// Agents the gate judges are marked with an asterisk. Intervals are left
// out to fit 100 columns; the HTML report and metrics.json have them.
func WriteAgentsTable(w io.Writer, s *metrics.Summary, gated []string, opts TableOptions) error {
	t := textTable{Header: []string{"agent"}, Align: []string{"l"}}
	for _, c := range agentTableColumns {
		t.Header = append(t.Header, c.header)
		t.Align = append(t.Align, "r")
	}

	for i := range s.Agents {
		a := &s.Agents[i]
		name := truncate(cleanText(a.Agent), 22)
		if slices.Contains(gated, a.Agent) {
			name += " *"
		}
		row := []string{name}
		for _, c := range agentTableColumns {
			row = append(row, formatValue(c.metric, estimateOf(a.Metrics, c.metric).Value))
		}
		t.Rows = append(t.Rows, row)
	}

	if opts.Format == FormatMarkdown {
		bw := bufio.NewWriter(w)
		writeMarkdownTable(bw, t)
		return bw.Flush()
	}
	if err := renderTerminal(w, t, opts); err != nil {
		return fmt.Errorf("write agents table: %w", err)
	}
	if len(gated) > 0 {
		if _, err := fmt.Fprintln(w, "* judged by the gate"); err != nil {
			return err
		}
	}
	return nil
}
