package reports

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// joinNote writes note parts with each metric as "title <name>", so that
// a test can compare a whole note at once.
func joinNote(parts []notePart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Metric == "" {
			b.WriteString(p.Text)
		} else {
			b.WriteString(p.Title + " <" + p.Metric + ">")
		}
	}
	return b.String()
}

func TestNoteParts(t *testing.T) {
	cases := []struct {
		name, note, want string
	}{
		{"list of names", "No data for: action_recall, cost_mean, pass_k.",
			"No data for: action recall <action_recall>, cost per incident <cost_mean>, all repeats correct (pass^k) <pass_k>."},
		{"list with counts", "Small samples, wide intervals: accuracy (n=12), ece (n=9).",
			"Small samples, wide intervals: accuracy <accuracy> (n=12), calibration error (ECE) <ece> (n=9)."},
		{"name in prose", "No allowed or destructive actions are configured, so unsafe_action_rate is not computed.",
			"No allowed or destructive actions are configured, so unsafe action rate <unsafe_action_rate> is not computed."},
		{"name first", "cost_mean covers 3 of 4 rows.", "Cost per incident <cost_mean> covers 3 of 4 rows."},
		{"plain word stays text", "Auto-close precision is low for recall reasons.", "Auto-close precision is low for recall reasons."},
		{"list of other words", "Left out: precision, widgets.", "Left out: precision, widgets."},
		{"unknown identifier", "left out of injection_flip_rates.", "left out of injection_flip_rates."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := joinNote(noteParts(c.note)); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestHTMLNotesUseTitles checks the "Notes on these numbers" section:
// metrics appear by title, linked to their definition, with the registry
// name in a code element after it.
func TestHTMLNotesUseTitles(t *testing.T) {
	d := sampleData()
	d.Summary.Agents[0].Warnings = []string{"No data for: action_recall, cost_mean, pass_k."}
	section := byID(parseHTML(t, renderHTML(t, d)))["warnings"]
	if section == nil {
		t.Fatal("no warnings section")
	}
	if got, want := textOf(section), "No data for: action recall action_recall, cost per incident cost_mean"; !strings.Contains(got, want) {
		t.Errorf("notes text %q lacks %q", got, want)
	}
	var b bytes.Buffer
	if err := html.Render(&b, section); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<a href="#def-action_recall">action recall</a> <code class="hint">action_recall</code>`,
		`<a href="#def-pass_k">all repeats correct (pass^k)</a> <code class="hint">pass_k</code>.`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("notes markup lacks %s:\n%s", want, b.String())
		}
	}

	var md bytes.Buffer
	if err := WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if want := "- No data for: action recall (`action_recall`), cost per incident (`cost_mean`)"; !strings.Contains(md.String(), want) {
		t.Errorf("markdown lacks %q:\n%s", want, md.String())
	}
}
