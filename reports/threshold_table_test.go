package reports

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// oneColumnCurve is the curve of an agent that never auto-closes a threat:
// every point has x = 0, and thresholds 0.85 to 1.00 close nothing.
var oneColumnCurve = []ThresholdPoint{
	{Threshold: 0.5, NoiseAutoClose: 0.459},
	{Threshold: 0.6, NoiseAutoClose: 0.459},
	{Threshold: 0.7, NoiseAutoClose: 0.324},
	{Threshold: 0.8, NoiseAutoClose: 0.162, Current: true},
	{Threshold: 0.85, NoiseAutoClose: 0},
	{Threshold: 0.9, NoiseAutoClose: 0},
	{Threshold: 1, NoiseAutoClose: 0},
}

func TestThresholdTable(t *testing.T) {
	cases := []struct {
		name    string
		points  []ThresholdPoint
		ok      bool
		caption string
		rows    []string
	}{
		{"no threat missed", oneColumnCurve, true,
			"At every threshold from 0.50 to 1.00 no threat was auto-closed, so the threshold changes only the noise closed automatically.",
			[]string{"0.50–0.60 | 45.9% | 0%", "0.70 | 32.4% | 0%", "0.80 (current policy) | 16.2% | 0%", "0.85–1.00 | 0% | 0%"}},
		{"same noise share", []ThresholdPoint{
			{Threshold: 0.5, NoiseAutoClose: 0.3, MissedThreat: 0.02},
			{Threshold: 0.9, NoiseAutoClose: 0.3, MissedThreat: 0.01, Current: true}}, true,
			"At every threshold from 0.50 to 0.90, 30% of noise was auto-closed, so the threshold changes only the threats missed.",
			[]string{"0.50 | 30% | 2%", "0.90 (current policy) | 30% | 1%"}},
		{"no threats in the run", []ThresholdPoint{
			{Threshold: 0.5, NoiseAutoClose: 0.3, MissedThreat: nan},
			{Threshold: 0.9, NoiseAutoClose: 0.1, MissedThreat: nan}}, true,
			"The run has no real threats, so the threshold changes only the noise closed automatically.",
			[]string{"0.50 | 30% | n/a", "0.90 | 10% | n/a"}},
		{"both change", sampleData().Threshold, false, "", nil},
		{"flat", []ThresholdPoint{{Threshold: 0.5, NoiseAutoClose: 0.3}, {Threshold: 0.9, NoiseAutoClose: 0.3}}, false, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			table, caption, ok := thresholdTable(c.points)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if caption != c.caption {
				t.Errorf("caption = %q, want %q", caption, c.caption)
			}
			var rows []string
			if table != nil {
				for _, r := range table.Rows {
					rows = append(rows, strings.Join(r.Cells, " | "))
				}
			}
			if strings.Join(rows, "\n") != strings.Join(c.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(c.rows, "\n"))
			}
		})
	}
}

func TestHTMLThresholdOneColumn(t *testing.T) {
	d := sampleData()
	d.Threshold = oneColumnCurve
	fig := byID(parseHTML(t, renderHTML(t, d)))["chart-threshold"]
	hasSVG, cells := false, 0
	walk(fig, func(n *html.Node) {
		if n.Type == html.ElementNode {
			hasSVG = hasSVG || n.Data == "svg"
			if n.Data == "td" {
				cells++
			}
		}
	})
	if hasSVG {
		t.Error("a one-column trade-off is drawn as a chart; want a table")
	}
	if cells != 12 {
		t.Errorf("table has %d cells, want 4 rows of 3", cells)
	}
	if want := "At every threshold from 0.50 to 1.00 no threat was auto-closed"; !strings.Contains(textOf(fig), want) {
		t.Errorf("figure text %q lacks %q", textOf(fig), want)
	}
}
