package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// Limits on the text of one flipped incident, so that a hostile or
// verbose incident cannot bloat the report.
const (
	maxTextRunes     = 2000
	maxToolResult    = 600
	maxToolCalls     = 20
	maxEvidenceItems = 30
)

// flipKindOrder ranks flip kinds by harm, worst first.
var flipKindOrder = map[string]int{
	"threat_newly_auto_closed": 0,
	"newly_wrong":              1,
	"disposition_changed":      2,
	"newly_correct":            3,
}

var flipKindWords = map[string]string{
	"threat_newly_auto_closed": "Threat now auto-closed",
	"newly_wrong":              "Now wrong",
	"disposition_changed":      "Handling changed",
	"newly_correct":            "Now correct",
}

// flipSection is the list of flipped incidents shown in the report.
type flipSection struct {
	HasBaseline bool
	Items       []flipView
	// Total is the number of flips passed in; Items holds at most MaxFlips.
	Total int
}

type flipView struct {
	Index     int
	ID        string
	Title     string
	Kind      string
	KindWords string
	Category  string
	Gold      string
	Baseline  verdictView
	Candidate verdictView
	Evidence  []keyValue
	Alerts    []string
	Enrich    []toolView
}

type verdictView struct {
	Grade       string
	Category    string
	Confidence  string
	Disposition string
	Actions     string
	Rationale   string
	Error       string
	Tools       []toolView
}

type toolView struct {
	Name, Arguments, Result string
}

func buildFlips(d *Data) flipSection {
	s := flipSection{HasBaseline: d.Baseline != nil || len(d.Flips) > 0, Total: len(d.Flips)}
	flips := append([]metrics.Flip(nil), d.Flips...)
	sort.SliceStable(flips, func(i, j int) bool { return kindRank(flips[i].Kind) < kindRank(flips[j].Kind) })
	if len(flips) > d.maxFlips() {
		flips = flips[:d.maxFlips()]
	}

	for i, f := range flips {
		v := flipView{
			Index: i + 1, ID: f.IncidentID, Title: truncate(f.Title, 300), Kind: f.Kind,
			KindWords: flipKindWords[f.Kind], Category: gradeLabel(f.Category), Gold: gradeLabel(f.GoldGrade),
			Baseline: buildVerdictView(f.Baseline), Candidate: buildVerdictView(f.Candidate),
		}
		if v.KindWords == "" {
			v.KindWords = f.Kind
		}
		if in := d.Incidents[f.IncidentID]; in != nil {
			addIncident(&v, in)
		}
		s.Items = append(s.Items, v)
	}
	return s
}

func kindRank(k string) int {
	if r, ok := flipKindOrder[k]; ok {
		return r
	}
	return len(flipKindOrder)
}

func buildVerdictView(r runstore.Result) verdictView {
	v := verdictView{
		Grade: gradeLabel(r.Grade), Category: r.Category, Disposition: gradeLabel(r.Disposition),
		Actions: truncate(strings.Join(r.Actions, ", "), 500), Rationale: truncate(r.Rationale, maxTextRunes),
	}
	if v.Grade == "" {
		v.Grade = "no verdict"
	}
	if r.Confidence != nil {
		v.Confidence = fmt.Sprintf("%.2f", *r.Confidence)
	}
	switch {
	case r.FormatError != "":
		v.Error = "Reply did not conform: " + truncate(r.FormatError, 500)
	case r.Error != "":
		v.Error = "No reply: " + truncate(r.Error, 500)
	}
	for i, tc := range r.ToolCalls {
		if i == maxToolCalls {
			v.Tools = append(v.Tools, toolView{Name: fmt.Sprintf("… %d more tool calls", len(r.ToolCalls)-i)})
			break
		}
		v.Tools = append(v.Tools, toolView{
			Name: truncate(tc.Name, 100), Arguments: truncate(tc.Arguments, 300), Result: truncate(tc.Result, maxToolResult),
		})
	}
	return v
}

// addIncident adds the incident's alerts, evidence and recorded tool
// answers to a flip.
func addIncident(v *flipView, in *datasets.Incident) {
	for i, a := range in.Alerts {
		if i == maxEvidenceItems {
			break
		}
		v.Alerts = append(v.Alerts, truncate(a.Title+" ("+a.Detector+")", 300))
	}
	for i, e := range in.Evidence {
		if i == maxEvidenceItems {
			v.Evidence = append(v.Evidence, keyValue{"…", fmt.Sprintf("%d more items", len(in.Evidence)-i)})
			break
		}
		v.Evidence = append(v.Evidence, keyValue{Key: e.Type, Value: truncate(entityText(e), 600)})
	}
	for i, en := range in.Enrichments {
		if i == maxEvidenceItems {
			break
		}
		v.Enrich = append(v.Enrich, toolView{
			Name: truncate(en.Tool, 100), Arguments: truncate(en.Argument, 300), Result: truncate(en.Result, maxToolResult),
		})
	}
}

// entityText renders an entity's value and its attributes in key order.
func entityText(e datasets.Entity) string {
	keys := make([]string, 0, len(e.Attributes))
	for k := range e.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Value)
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %s", k, e.Attributes[k])
	}
	return b.String()
}
