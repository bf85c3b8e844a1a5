package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/soceval/soceval/metrics"
)

func TestAgentsTable(t *testing.T) {
	s := &metrics.Summary{Agents: []metrics.AgentMetrics{
		{Agent: "rules-v1", Metrics: map[string]metrics.Estimate{
			"accuracy":           metrics.Proportion(3, 4, 0.95),
			"recall":             metrics.Proportion(1, 2, 0.95),
			"missed_threat_rate": metrics.Proportion(0, 2, 0.95),
		}},
		{Agent: "<b>llm</b>|x", Metrics: map[string]metrics.Estimate{
			"accuracy": metrics.Proportion(1, 3, 0.95),
		}},
	}}

	var buf bytes.Buffer
	if err := WriteAgentsTable(&buf, s, []string{"rules-v1"}, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"rules-v1 *", "50%", "0%", "n/a", "* judged by the gate"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > terminalWidth {
			t.Errorf("line of %d columns exceeds %d: %q", n, terminalWidth, line)
		}
	}

	buf.Reset()
	if err := WriteAgentsTable(&buf, s, nil, TableOptions{Format: FormatMarkdown}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if got := strings.Count(line, "|") - strings.Count(line, `\|`); got != len(agentTableColumns)+2 {
			t.Errorf("markdown row has %d separators, want %d: %q", got, len(agentTableColumns)+2, line)
		}
	}
}
