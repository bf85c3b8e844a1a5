package reports

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/soceval/soceval/metrics"
)

func renderHTML(t *testing.T, d *Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return buf.Bytes()
}

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func byID(doc *html.Node) map[string]*html.Node {
	ids := map[string]*html.Node{}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode {
			if id, ok := attr(n, "id"); ok {
				ids[id] = n
			}
		}
	})
	return ids
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

// outline lists the report's structure: sections, figures with whether
// they hold a chart or a note, headline cards, and table headers.
func outline(doc *html.Node) string {
	var b strings.Builder
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		id, _ := attr(n, "id")
		switch n.Data {
		case "section", "article":
			fmt.Fprintf(&b, "%s#%s\n", n.Data, id)
		case "figure":
			kind := "note"
			walk(n, func(c *html.Node) {
				if c.Type == html.ElementNode && c.Data == "svg" {
					kind = "svg"
				}
			})
			fmt.Fprintf(&b, "figure#%s %s\n", id, kind)
		case "thead":
			var cols []string
			walk(n, func(c *html.Node) {
				if c.Type == html.ElementNode && c.Data == "th" {
					cols = append(cols, strings.TrimSpace(textOf(c)))
				}
			})
			fmt.Fprintf(&b, "  table: %s\n", strings.Join(cols, " | "))
		case "details":
			fmt.Fprintf(&b, "  details#%s\n", id)
		}
	})
	return b.String()
}

func TestHTMLStructureGolden(t *testing.T) {
	doc := parseHTML(t, renderHTML(t, sampleData()))
	checkGolden(t, "report_outline.golden", []byte(outline(doc)))
}

func TestHTMLContentSecurityPolicy(t *testing.T) {
	doc := parseHTML(t, renderHTML(t, sampleData()))
	var csp []string
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "meta" {
			if v, _ := attr(n, "http-equiv"); strings.EqualFold(v, "Content-Security-Policy") {
				c, _ := attr(n, "content")
				csp = append(csp, c)
			}
		}
	})
	if len(csp) != 1 {
		t.Fatalf("found %d CSP meta elements, want 1", len(csp))
	}
	for _, want := range []string{"default-src 'none'", "script-src 'none'", "img-src data:", "connect-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp[0], want) {
			t.Errorf("CSP %q lacks %q", csp[0], want)
		}
	}
}

func TestHTMLHeadlinesLinkToDefinitions(t *testing.T) {
	ids := byID(parseHTML(t, renderHTML(t, sampleData())))
	for _, m := range headlineMetrics {
		card, ok := ids["headline-"+m]
		if !ok {
			t.Errorf("no headline card for %s", m)
			continue
		}
		var href string
		walk(card, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "a" && href == "" {
				href, _ = attr(n, "href")
			}
		})
		if href != "#def-"+m {
			t.Errorf("headline %s links to %q, want #def-%s", m, href, m)
		}
		if _, ok := ids["def-"+m]; !ok {
			t.Errorf("glossary has no entry def-%s", m)
		}
	}
}

func TestHTMLHeadlineNumbers(t *testing.T) {
	ids := byID(parseHTML(t, renderHTML(t, sampleData())))
	// Hand-computed: 84/120 = 70%, 150/200 = 75%, 1/80 = 1.25% shown as
	// 1.2% (fmt rounds half to even), auto-close precision 84/85 = 98.8%.
	cases := []struct{ id, want string }{
		{"headline-noise_auto_triage_rate", "70%"},
		{"headline-noise_auto_triage_rate", "at 98.8% auto-close precision"},
		{"headline-noise_auto_triage_rate", "+10 pp vs baseline [+4 pp, +16 pp], p = 0.003"},
		{"headline-agent_coverage", "75%"},
		{"headline-agent_coverage", "phishing"},
		{"headline-agent_coverage", "+5 pp vs baseline (70%)"},
		{"headline-ttr_reduction", "62%"},
		{"headline-ttr_reduction", "estimated baseline"},
		{"headline-missed_threat_rate", "1.2%"},
		{"headline-missed_threat_rate", "not significant"},
		{"verdict", "Gate failed: do not ship"},
		{"verdict", "1 of 4 rules failed"},
	}
	for _, c := range cases {
		n, ok := ids[c.id]
		if !ok {
			t.Errorf("no element #%s", c.id)
			continue
		}
		if got := textOf(n); !strings.Contains(got, c.want) {
			t.Errorf("#%s text %q does not contain %q", c.id, got, c.want)
		}
	}
}

func TestHTMLVerdictClass(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Data)
		class string
		words string
	}{
		{"fail", func(*Data) {}, "fail", "Gate failed"},
		{"no gates", func(d *Data) { d.Gates = nil }, "none", "No gate evaluated"},
		{"pass", func(d *Data) { d.Gates.Status = "pass"; d.Gates.Results = d.Gates.Results[1:2] }, "pass", "Gate passed"},
		{"warn", func(d *Data) { d.Gates.Status = "warn"; d.Gates.Results = d.Gates.Results[1:3] }, "warn", "Gate passed with warnings"},
		{"invalid", func(d *Data) { d.Gates.Valid = false; d.Gates.Problems = []string{"12 of 200 rows missing."} }, "fail", "Run invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sampleData()
			c.edit(d)
			n := byID(parseHTML(t, renderHTML(t, d)))["verdict"]
			if cls, _ := attr(n, "class"); cls != "verdict "+c.class {
				t.Errorf("verdict class %q, want %q", cls, "verdict "+c.class)
			}
			if !strings.Contains(textOf(n), c.words) {
				t.Errorf("verdict text %q lacks %q", textOf(n), c.words)
			}
		})
	}
}

func TestHTMLMissingPartsGiveNotes(t *testing.T) {
	d := sampleData()
	d.Baseline, d.Deltas, d.Flips, d.History, d.Threshold, d.Gates = nil, nil, nil, nil, nil, nil
	a := &d.Summary.Agents[0]
	a.Calibration = nil
	ids := byID(parseHTML(t, renderHTML(t, d)))

	for _, id := range []string{"chart-threshold", "chart-history", "chart-calibration"} {
		n := ids[id]
		if n == nil {
			t.Fatalf("no figure #%s", id)
		}
		if !strings.Contains(textOf(n), "No ") {
			t.Errorf("figure #%s has no note: %q", id, textOf(n))
		}
	}
	if got := textOf(ids["flips"]); !strings.Contains(got, "No baseline run was given") {
		t.Errorf("flips section text %q lacks the no-baseline note", got)
	}
}

func TestHTMLIsDeterministic(t *testing.T) {
	a, b := renderHTML(t, sampleData()), renderHTML(t, sampleData())
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same data differ")
	}
}

func TestHTMLFlipsWorstFirstAndCapped(t *testing.T) {
	d := sampleData()
	doc := parseHTML(t, renderHTML(t, d))
	var kinds []string
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "span" {
			if c, _ := attr(n, "class"); strings.HasPrefix(c, "kind ") {
				kinds = append(kinds, strings.TrimPrefix(c, "kind "))
			}
		}
	})
	want := []string{"threat_newly_auto_closed", "newly_correct"}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Errorf("flip order %v, want %v", kinds, want)
	}

	d.MaxFlips = 1
	ids := byID(parseHTML(t, renderHTML(t, d)))
	if _, ok := ids["flip-2"]; ok {
		t.Error("MaxFlips = 1 still shows a second flip")
	}
	if !strings.Contains(textOf(ids["flips"]), "Showing 1 of 2") {
		t.Errorf("flips text lacks the count: %q", textOf(ids["flips"]))
	}
}

func TestHTMLUnknownAgent(t *testing.T) {
	d := sampleData()
	d.Agent = "nope"
	err := WriteHTML(&bytes.Buffer{}, d)
	if err == nil || !strings.Contains(err.Error(), `agent "nope" not found`) {
		t.Errorf("error %v, want agent not found", err)
	}
}

// withManyCategories adds MITRE-style categories to the primary agent of
// d, with long names and rows from 30 down to 5, so that the report has
// 15 categories in all.
func withManyCategories(d *Data) *Data {
	a := &d.Summary.Agents[0]
	names := []string{"lateral_movement", "command_and_control", "initial_access", "privilege_escalation",
		"defense_evasion", "network_intrusion", "persistence", "discovery", "execution", "impact",
		"file_integrity", "account_activity"}
	for i, n := range names {
		rows := 30 - 2*i
		a.Slices = append(a.Slices, metrics.Slice{Dimension: "category", Value: n, Rows: rows,
			Metrics: map[string]metrics.Estimate{
				"agent_coverage": prop(rows/2, rows, 0.3, 0.7), "accuracy": prop(rows-1, rows, 0.8, 0.99),
				"ttr_mean": boot(600, 500, 700, rows), "human_ttr_mean": boot(1800, 1700, 1900, rows)}})
	}
	return d
}

func TestHTMLCoverageCardShowsTopCategories(t *testing.T) {
	cases := []struct {
		name      string
		data      func() *Data
		want      []string
		more      string
		notListed []string
	}{
		// phishing (100) and malware (60) first, then the three largest:
		// credential_access (40), lateral_movement (30), command_and_control (28).
		{"phishing and malware", func() *Data { return withManyCategories(sampleData()) },
			[]string{"phishing", "malware", "credential access", "lateral movement", "command and control"},
			"All categories (10 more)", []string{"credential_access", "initial access", "account activity"}},
		{"neither", func() *Data {
			d := withManyCategories(sampleData())
			a := &d.Summary.Agents[0]
			a.Slices = slicesExcept(a.Slices, "phishing", "malware")
			return d
		}, []string{"credential access", "lateral movement", "command and control"},
			"All categories (10 more)", []string{"phishing", "malware", "initial access"}},
		{"few categories", sampleData,
			[]string{"phishing", "malware", "credential access"}, "All categories", []string{"more)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := parseHTML(t, renderHTML(t, c.data()))
			ids := byID(doc)
			card := ids["headline-agent_coverage"]
			var labels []string
			var href string
			walk(card, func(n *html.Node) {
				if n.Type != html.ElementNode {
					return
				}
				if cls, _ := attr(n, "class"); n.Data == "td" && cls == "label" {
					labels = append(labels, textOf(n))
				}
				if n.Data == "a" {
					href, _ = attr(n, "href")
				}
			})
			if strings.Join(labels, ",") != strings.Join(c.want, ",") {
				t.Errorf("card lists %q, want %q", labels, c.want)
			}
			text := textOf(card)
			if !strings.Contains(text, c.more) {
				t.Errorf("card text %q lacks %q", text, c.more)
			}
			for _, s := range c.notListed {
				if strings.Contains(text, s) {
					t.Errorf("card text %q contains %q", text, s)
				}
			}
			if href != "#slices-category" {
				t.Errorf("card's last link goes to %q, want #slices-category", href)
			}
			if _, ok := ids["slices-category"]; !ok {
				t.Error("no element #slices-category for the card's link")
			}
		})
	}
}

func slicesExcept(in []metrics.Slice, values ...string) []metrics.Slice {
	var out []metrics.Slice
	for _, s := range in {
		if !(s.Dimension == "category" && slices.Contains(values, s.Value)) {
			out = append(out, s)
		}
	}
	return out
}

func TestHTMLThresholdWithoutConfidence(t *testing.T) {
	flat := []ThresholdPoint{
		{Threshold: 0.5, NoiseAutoClose: 0.6, MissedThreat: 0.05},
		{Threshold: 0.8, NoiseAutoClose: 0.6, MissedThreat: 0.05, Current: true},
		{Threshold: 0.99, NoiseAutoClose: 0.6, MissedThreat: 0.05},
	}
	cases := []struct {
		name        string
		calibration bool
		want        []string
	}{
		{"states no confidence", false, []string{"This agent states no confidence, so the close threshold has no effect",
			"fully confident", "from 0.50 to 0.99, 60% of noise is auto-closed and 5% of threats are missed"}},
		{"confidences outside the range", true, []string{"The close threshold has no effect on this agent",
			"At every threshold from 0.50 to 0.99, 60% of noise is auto-closed and 5% of threats are missed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sampleData()
			d.Threshold = flat
			if !c.calibration {
				d.Summary.Agents[0].Calibration = nil
			}
			fig := byID(parseHTML(t, renderHTML(t, d)))["chart-threshold"]
			hasSVG := false
			walk(fig, func(n *html.Node) { hasSVG = hasSVG || (n.Type == html.ElementNode && n.Data == "svg") })
			if hasSVG {
				t.Error("a flat trade-off curve is drawn; want a note")
			}
			for _, w := range c.want {
				if !strings.Contains(textOf(fig), w) {
					t.Errorf("figure text %q lacks %q", textOf(fig), w)
				}
			}
		})
	}
}

func TestGateJudgedOtherAgents(t *testing.T) {
	cases := []struct {
		name     string
		agents   []string // agent of each of the four rule results
		class    string
		verdict  []string
		gateNote string
	}{
		{"only the shown agent", []string{"llm-v2", "llm-v2", "llm-v2", "llm-v2"}, "fail",
			[]string{"Gate failed: do not ship", "1 of 4 rules failed"}, ""},
		{"another agent", []string{"rules-only", "rules-only", "rules-only", "rules-only"}, "none",
			[]string{"Gate not applied to llm-v2", "The release gate judged rules-only, not llm-v2.",
				"For rules-only: gate failed: do not ship (1 of 4 rules failed)."},
			"These rules judged rules-only, not llm-v2, the agent this report is about."},
		{"two other agents", []string{"rules-only", "llm-v1", "rules-only", "llm-v1"}, "none",
			[]string{"Gate not applied to llm-v2", "judged rules-only and llm-v1, not llm-v2"},
			"These rules judged rules-only and llm-v1, not llm-v2"},
		{"the shown agent and another", []string{"llm-v2", "rules-only", "llm-v2", "rules-only"}, "fail",
			[]string{"Gate failed: do not ship", "The gate judged llm-v2 and rules-only together."},
			"These rules judged llm-v2 and rules-only; the Agent column says which."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sampleData()
			for i, a := range c.agents {
				d.Gates.Results[i].Agent = a
			}
			ids := byID(parseHTML(t, renderHTML(t, d)))
			v := ids["verdict"]
			if cls, _ := attr(v, "class"); cls != "verdict "+c.class {
				t.Errorf("verdict class %q, want %q", cls, "verdict "+c.class)
			}
			for _, w := range c.verdict {
				if !strings.Contains(textOf(v), w) {
					t.Errorf("verdict %q lacks %q", textOf(v), w)
				}
			}
			gatesText := textOf(ids["gates"])
			if c.gateNote == "" && strings.Contains(gatesText, "These rules judged") {
				t.Errorf("gate section names the judged agents although only the shown agent was judged: %q", gatesText)
			}
			if !strings.Contains(gatesText, c.gateNote) {
				t.Errorf("gate section %q lacks %q", gatesText, c.gateNote)
			}

			var md bytes.Buffer
			if err := WriteMarkdown(&md, d); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), escapeMarkdown(c.verdict[0])) || !strings.Contains(md.String(), escapeMarkdown(c.gateNote)) {
				t.Errorf("markdown lacks %q or %q:\n%s", c.verdict[0], c.gateNote, md.String())
			}
		})
	}
}

func TestBreakable(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"phishing", "phishing"},
		{"wazuh_group:windows", "wazuh_<wbr>group:<wbr>windows"},
		{"tag=must_pass", "tag=<wbr>must_<wbr>pass"},
		{"a/b.c", "a/<wbr>b.<wbr>c"},
		{`<b>_"x"&`, "&lt;b&gt;_<wbr>&#34;x&#34;&amp;"},
		{"é_ü", "é_<wbr>ü"},
	}
	for _, c := range cases {
		if got := string(breakable(c.in)); got != c.want {
			t.Errorf("breakable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTTRChartShowsTopCategories(t *testing.T) {
	a := &withManyCategories(sampleData()).Summary.Agents[0]
	cats := slicesOf(a, "category")
	svg, err := ttrChart(cats)
	if err != nil {
		t.Fatal(err)
	}
	// Order: phishing, malware, then by rows: credential access (40),
	// lateral movement (30), command and control (28), initial access
	// (26), privilege escalation (24) and defense evasion (22). Network
	// intrusion (20) and smaller categories are left out.
	for _, want := range []string{">phishing<", ">malware<", ">credential access<", ">lateral movement<",
		">command and control<", ">initial access<", ">privilege escalation<", ">defense evasion<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks label %s", want)
		}
	}
	for _, absent := range []string{"network intrusion", "persistence", "account activity"} {
		if strings.Contains(svg, absent) {
			t.Errorf("chart shows %q, beyond the %d largest categories", absent, ttrChartCategories)
		}
	}
	if got := ttrCaption(len(ttrCategories(cats))); !strings.Contains(got, "Showing 8 of 15 categories") {
		t.Errorf("caption %q does not count the categories left out", got)
	}
}
