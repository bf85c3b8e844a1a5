package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/soceval/soceval/metrics"
)

func TestTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleData(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "table.golden.txt", buf.Bytes())
}

func TestCompareTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCompareTable(&buf, sampleData().Deltas, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "compare.golden.txt", buf.Bytes())
}

func TestTableFitsTerminal(t *testing.T) {
	for _, d := range []*Data{sampleData(), hostileData()} {
		var buf bytes.Buffer
		if err := WriteTable(&buf, d, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := WriteCompareTable(&buf, d.Deltas, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(line, "Gate") || strings.HasPrefix(line, "Agent") {
				continue // the verdict sentence and agent line are prose, not table rows
			}
			if n := utf8.RuneCountInString(line); n > terminalWidth {
				t.Errorf("line of %d columns: %q", n, line)
			}
		}
		if strings.Contains(buf.String(), "\x1b") {
			t.Error("colour codes or control characters without Color")
		}
	}
}

func TestTableColorOnlyWhenAsked(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleData(), TableOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ansiRed+ansiBold+"Gate failed") {
		t.Errorf("coloured output lacks the red verdict: %q", buf.String()[:80])
	}
}

func TestTableJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleData(), TableOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	var got summaryJSON
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if got.Verdict != "fail" || len(got.Headlines) != 4 || got.Headlines[0].Estimate.Num != 84 {
		t.Errorf("JSON summary = %+v", got)
	}
}

func TestTableUnknownFormat(t *testing.T) {
	err := WriteTable(&bytes.Buffer{}, sampleData(), TableOptions{Format: "yaml"})
	if err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) {
		t.Errorf("error %v, want unknown format", err)
	}
}

func TestCompareChange(t *testing.T) {
	d := sampleData().Deltas
	// p = 0.0034 < 0.05: the 10 pp rise is significant.
	if got := compareChange(formatFor(d[0].Metric), d[0]); got != "+10 pp" {
		t.Errorf("significant change = %q, want +10 pp", got)
	}
	// p = 1: not significant, printed as "~".
	if got := compareChange(formatFor(d[1].Metric), d[1]); got != "~" {
		t.Errorf("non-significant change = %q, want ~", got)
	}
}

func TestCompareFootnotes(t *testing.T) {
	d := sampleData().Deltas
	d[1].Pairs = 12
	d[1].Candidate.Estimated = true
	var buf bytes.Buffer
	if err := WriteCompareTable(&buf, d, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"missed_threat_rate (1) (2)", "(1) estimated inputs", "(2) fewer than 30 paired incidents"} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
}

// timeDeltas are comparisons of a time and a share over the same 178
// pairs. Means of 1413 s and 902 s are 23.55 and 15.03 min; the bounds
// 1291, 1537, 758 and 1041 s are 21.52, 25.62, 12.63 and 17.35 min.
func timeDeltas() []metrics.Delta {
	return []metrics.Delta{
		{Metric: "accuracy", Baseline: prop(120, 178, 0.6019, 0.7389), Candidate: prop(125, 178, 0.6314, 0.7649),
			Diff: 0.0281, PValue: 0.59, Pairs: 178},
		{Metric: "ttr_mean", Baseline: boot(1413, 1291, 1537, 178), Candidate: boot(902, 758, 1041, 178),
			Diff: -511, PValue: 0.0001, Pairs: 178},
		{Metric: "missed_threat_rate", Baseline: prop(0, 104, 1e-18, 0.0356), Candidate: prop(31, 104, 0.2187, 0.3920),
			Diff: 0.2981, PValue: 0.0001, Pairs: 178},
	}
}

func TestCompareTableTimesGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCompareTable(&buf, timeDeltas(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "compare_times.golden.txt", buf.Bytes())
	for _, line := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > terminalWidth {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
}

func TestCompareMarkdownIntervals(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCompareTable(&buf, timeDeltas(), TableOptions{Format: FormatMarkdown}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`| ttr\_mean | 23.6 min \[21.5 min, 25.6 min\] | 15.0 min \[12.6 min, 17.4 min\] | −8.5 min | \<0.001 |`,
		`| missed\_threat\_rate | 0% \[0%, 3.6%\] | 29.8% \[21.9%, 39.2%\] | +29.8 pp | \<0.001 |`,
		"\n\np is from a paired test on the 178 rows",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("markdown comparison lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestGateTableAgents checks the terminal gate table with long agent
// names: one gated agent is named above a table without an agent column,
// and two keep their whole names while rule labels are cut.
func TestGateTableAgents(t *testing.T) {
	first, second := "recorded:gpt-4.1-2025-04-14", "recorded:gpt-4o-2024-08-06"
	longRule := "must-pass-threats-never-auto-closed-whatever-the-confidence [tag=must_pass]"
	cases := []struct {
		name   string
		agents []string
		want   []string
		absent []string
	}{
		{"one agent", []string{first, first}, []string{"Gate rules for agent " + first + ":\n", "│ Status "},
			[]string{"│ Agent"}},
		{"two agents", []string{first, second}, []string{"│ " + first + " │", "│ " + second + "  │", "must-pass-threats-never"},
			[]string{"Gate rules for agent", longRule}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sampleData()
			d.Gates.Results = d.Gates.Results[:2]
			d.Gates.Results[0].Agent, d.Gates.Results[1].Agent = c.agents[0], c.agents[1]
			d.Gates.Results[1].Rule, d.Gates.Results[1].Slice = longRule, ""
			var buf bytes.Buffer
			if err := WriteTable(&buf, d, TableOptions{}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(out, a) {
					t.Errorf("output has %q:\n%s", a, out)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "│") || strings.HasPrefix(line, "┌") {
					if n := utf8.RuneCountInString(line); n > terminalWidth {
						t.Errorf("line of %d columns: %q", n, line)
					}
				}
			}
		})
	}
}
