package reports

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// hostile are payloads that try to run script or load content in a page.
var hostile = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//127.0.0.1/x.js></SCRIPT>`,
	`"><img src=x onerror=alert(1)>`,
	`' onmouseover='alert(1)`,
	`javascript:alert(1)`,
	`</style><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`<svg onload=alert(1)><script>alert(1)</script></svg>`,
	`</text></svg><script>alert(1)</script>`,
	`<a href="javascript:alert(1)">click</a>`,
	`<iframe src="data:text/html,<script>alert(1)</script>"></iframe>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	"\u202e<scr\u200bipt>alert(1)</script>\x00\x1b[31m",
	`<meta http-equiv="refresh" content="0;url=http://127.0.0.1/">`,
	`<base href="http://127.0.0.1/">`,
	`<!--<script>alert(1)//-->`,
	`{{.CSP}}`,
	`]]><![CDATA[<script>alert(1)</script>]]>`,
	`<form action="javascript:alert(1)"><button formaction=javascript:alert(1)>x</button></form>`,
}

// hostileData puts every payload into every data string that reaches the
// page: titles, evidence, rationales, tool results, agent, category, tag
// and slice names, gate messages and history labels.
func hostileData() *Data {
	d := sampleData()
	p := strings.Join(hostile, " ")
	d.Agent = "agent " + p
	a := &d.Summary.Agents[0]
	a.Agent = d.Agent
	a.Warnings = append(a.Warnings, p)
	a.Confusion.Gold[0] = "gold " + p
	a.Confusion.Predicted[1] = "pred " + p
	for i := range a.Slices {
		a.Slices[i].Value += " " + p
	}
	a.Layers[0].Layer = p
	d.Summary.Agents[1].Agent = "second " + p
	d.Manifest.RunID = p
	d.Manifest.Dataset.Name = p
	d.Manifest.Prompts[p] = p
	d.Manifest.Agents[0].Model = p
	d.Gates.Results[0].Rule = p
	d.Gates.Results[0].Message = p
	d.Gates.Results[0].Slice = "tag=" + p
	d.Gates.Results[1].Agent = p
	d.History[0].Version = p

	for i := range d.Flips {
		f := &d.Flips[i]
		f.Title, f.Category, f.IncidentID, f.Kind = p, p, p, p
		f.Candidate.Rationale = p
		f.Candidate.Actions = []string{p}
		f.Candidate.FormatError = p
		f.Candidate.ToolCalls = append(f.Candidate.ToolCalls, runstore.ToolCall{Name: p, Arguments: p, Result: p})
		d.Incidents[p] = &datasets.Incident{
			ID: p, Title: p, Tags: []string{p},
			Alerts:      []datasets.Alert{{Title: p, Detector: p}},
			Evidence:    []datasets.Entity{{Type: p, Value: p, Attributes: map[string]string{p: p}}},
			Enrichments: []datasets.Enrichment{{Tool: p, Argument: p, Result: p}},
		}
	}
	a.Slices = append(a.Slices, metrics.Slice{Dimension: "tag", Value: p, Rows: 3,
		Metrics: map[string]metrics.Estimate{"accuracy": prop(2, 3, 0.2077, 0.9385)}})
	return d
}

func TestHTMLHostileStringsNotExecutable(t *testing.T) {
	out := renderHTML(t, hostileData())
	if bytes.Contains(bytes.ToLower(out), []byte("<script")) {
		t.Error("output contains <script")
	}
	doc := parseHTML(t, out)

	styles := 0
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch strings.ToLower(n.Data) {
		case "script", "iframe", "object", "embed", "img", "form", "button", "base", "link",
			"foreignobject", "use", "animate", "set", "image", "audio", "video", "math":
			t.Errorf("element <%s> in the page", n.Data)
		case "style":
			styles++
		case "meta":
			if v, _ := attr(n, "http-equiv"); strings.EqualFold(v, "refresh") {
				t.Error("meta refresh in the page")
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(key, "on") {
				t.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
			}
			if key == "href" || key == "src" || key == "xlink:href" || key == "action" || key == "formaction" {
				if !strings.HasPrefix(val, "#") {
					t.Errorf("<%s %s=%q> points outside the page", n.Data, a.Key, a.Val)
				}
			}
		}
	})
	if styles != 1 {
		t.Errorf("found %d <style> elements, want 1", styles)
	}
}

func TestHTMLHostileStringsShownAsText(t *testing.T) {
	doc := parseHTML(t, renderHTML(t, hostileData()))
	ids := byID(doc)
	// The title of a flip must read back as the literal payload text.
	if got := textOf(ids["flip-1"]); !strings.Contains(got, `<script>alert(1)</script>`) {
		t.Errorf("flip text does not show the payload literally: %.200q", got)
	}
	// Tick labels inside the SVG chart are text, not markup.
	if got := textOf(ids["chart-confusion"]); !strings.Contains(got, "gold <script>") {
		t.Errorf("confusion chart labels lack the escaped payload: %.300q", got)
	}
}
