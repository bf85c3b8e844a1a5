package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
)

// verdict is the gate outcome in words, for the top of every output.
type verdict struct {
	// Class is "pass", "warn", "fail", "inconclusive" or "none"; the HTML
	// colours the banner by it.
	Class  string
	Title  string
	Detail string
	// Count is the rule count of Detail without the rule names, such as
	// "2 of 8 rules failed". It is empty for outcomes without a count.
	Count string
}

func verdictOf(o *gates.Outcome) verdict {
	if o == nil {
		return verdict{Class: "none", Title: "No gate evaluated", Detail: "This run was not checked against a gate policy."}
	}
	counts := map[gates.Status]int{}
	for _, r := range o.Results {
		counts[r.Status]++
	}
	total := len(o.Results)

	switch {
	case !o.Valid || o.Status == gates.Invalid:
		detail := "The run cannot be judged."
		if len(o.Problems) > 0 {
			detail += " " + strings.Join(o.Problems, " ")
		}
		return verdict{Class: "fail", Title: "Run invalid: gate not passed", Detail: detail}
	case o.Status == gates.Fail:
		return withRules(verdict{Class: "fail", Title: "Gate failed: do not ship",
			Count: fmt.Sprintf("%d of %d rules failed", counts[gates.Fail], total)}, o, gates.Fail)
	case o.Status == gates.Inconclusive:
		return withRules(verdict{Class: "inconclusive", Title: "Gate inconclusive",
			Count: inconclusiveCount(o, total)}, o, gates.Inconclusive)
	case o.Status == gates.Warn || counts[gates.Warn] > 0:
		return withRules(verdict{Class: "warn", Title: "Gate passed with warnings",
			Count: fmt.Sprintf("No rule failed; %d of %d rules warned", counts[gates.Warn], total)}, o, gates.Warn)
	default:
		return verdict{Class: "pass", Title: "Gate passed", Detail: fmt.Sprintf("All %d rules passed.", total),
			Count: fmt.Sprintf("all %d rules passed", total)}
	}
}

// withRules sets v.Detail to its count followed by the rules with status s.
func withRules(v verdict, o *gates.Outcome, s gates.Status) verdict {
	v.Detail = v.Count + ": " + ruleNames(o, s) + "."
	return v
}

// verdictFor returns the verdict for agent, the agent a report is about.
// When the gate judged other agents only, the verdict is grey ("none")
// and names the judged agents, so that no reader takes their result for
// this agent's. An invalid run concerns every agent and keeps its verdict.
func verdictFor(o *gates.Outcome, agent string) verdict {
	v := verdictOf(o)
	if o == nil || !o.Valid || o.Status == gates.Invalid {
		return v
	}
	judged := gatedAgents(o)
	if len(judged) == 0 {
		return v
	}
	if slices.Contains(judged, agent) {
		if len(judged) > 1 {
			v.Detail += " The gate judged " + joinNames(judged) + " together."
		}
		return v
	}
	return verdict{Class: "none", Title: "Gate not applied to " + agent,
		Detail: fmt.Sprintf("The release gate judged %s, not %s. For %s: %s (%s). Its rules are listed under Gate rules.",
			joinNames(judged), agent, joinNames(judged), strings.ToLower(v.Title), strings.ToLower(v.Count))}
}

// gatedAgents lists the agents the gate's rules judged, in result order.
func gatedAgents(o *gates.Outcome) []string {
	if o == nil {
		return nil
	}
	var out []string
	for _, r := range o.Results {
		if r.Agent != "" && !slices.Contains(out, r.Agent) {
			out = append(out, r.Agent)
		}
	}
	return out
}

// joinNames joins names as "a", "a and b" or "a, b and c".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// gateNote returns the note above the gate rules that names the judged
// agents. It is empty when the rules judged the report's agent alone.
func gateNote(o *gates.Outcome, agent string) string {
	judged := gatedAgents(o)
	switch {
	case len(judged) == 0 || (len(judged) == 1 && judged[0] == agent):
		return ""
	case !slices.Contains(judged, agent):
		return fmt.Sprintf("These rules judged %s, not %s, the agent this report is about. "+
			"Their results say nothing about %s.", joinNames(judged), agent, agent)
	default:
		return "These rules judged " + joinNames(judged) + "; the Agent column says which."
	}
}

// ruleNames lists the rules with status s, at most five. When the gate
// judged more than one agent, each rule is followed by its agent, as in
// "missed-threat-rate (gpt-4o)", because rule names repeat across agents.
func ruleNames(o *gates.Outcome, s gates.Status) string {
	withAgent := len(gatedAgents(o)) > 1
	var names []string
	for _, r := range o.Results {
		if r.Status != s {
			continue
		}
		name := ruleLabel(r)
		if withAgent && r.Agent != "" {
			name += " (" + r.Agent + ")"
		}
		names = append(names, name)
	}
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	return strings.Join(names, ", ")
}

// ruleLabel names a rule result with its slice, if any.
func ruleLabel(r gates.RuleResult) string {
	s := r.Rule
	if r.Slice != "" {
		s += " [" + r.Slice + "]"
	}
	return s
}

// headline is one of the numbers at the top of the report.
type headline struct {
	ID     string
	Metric string
	Title  string
	// Value and Interval are formatted; Defined is false when the run has
	// no data for the metric.
	Value    string
	Interval string
	Defined  bool
	Caption  string
	// Change is the difference against the baseline in words; ChangeClass
	// is "better", "worse", "same" or "".
	Change      string
	ChangeClass string
	// ChangeShort is Change without the words, for narrow tables.
	ChangeShort string
	Notes       []string
	// Breakdown is every category's share, for the markdown summary. Top
	// is the part the HTML card shows, and More counts the rest.
	Breakdown []breakdownItem
	Top       []breakdownItem
	More      int
}

// cardExtraCategories is the number of categories besides phishing and
// malware that the coverage card lists. The breakdown table lists all.
const cardExtraCategories = 3

// breakdownItem is one category's share under a headline.
type breakdownItem struct {
	// Key is the category as the dataset names it; Label is its display
	// form.
	Key      string
	Label    string
	Value    string
	Interval string
	Rows     int
}

func buildHeadlines(d *Data, a *metrics.AgentMetrics) []headline {
	base := d.baselineAgent()
	hs := make([]headline, 0, len(headlineMetrics))

	for _, m := range headlineMetrics {
		e := estimateOf(a.Metrics, m)
		f := formatForEstimates(m, e)
		h := headline{
			ID: "headline-" + m, Metric: m, Title: metricTitle(m),
			Value: f.value(e.Value), Interval: f.interval(e), Defined: e.Defined(),
		}
		h.Change, h.ChangeShort, h.ChangeClass = changeOf(d, base, m, e)
		h.Caption, h.Notes = headlineCaption(m, a, e)
		if m == "agent_coverage" {
			h.Breakdown = coverageBreakdown(a)
			h.Top = topCategories(h.Breakdown)
			h.More = len(h.Breakdown) - len(h.Top)
		}
		hs = append(hs, h)
	}
	return hs
}

func headlineCaption(m string, a *metrics.AgentMetrics, e metrics.Estimate) (string, []string) {
	var notes []string
	if e.Defined() && e.Den > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d", e.Num, e.Den))
	}
	switch m {
	case "noise_auto_triage_rate":
		acp := estimateOf(a.Metrics, "auto_close_precision")
		c := "of benign and false-positive incidents were closed automatically, with no analyst."
		if acp.Defined() {
			notes = append(notes, "at "+formatValue("auto_close_precision", acp.Value)+
				" auto-close precision (auto-closed incidents that really were harmless)")
		}
		return c, notes
	case "agent_coverage":
		return "of incidents were handled without escalation to a human.", notes
	case "ttr_reduction":
		c := "less time to resolve than human analysts alone on the same incidents."
		if e.Estimated || a.TTR.Estimated {
			notes = append(notes, "against an estimated baseline: the dataset does not record how long analysts took")
		}
		return c, notes
	case "missed_threat_rate":
		return "of real threats were auto-closed as harmless: the dangerous error.", notes
	}
	return "", notes
}

// changeOf describes the change of metric m against the baseline. A paired
// delta, when present, gives the interval and significance.
func changeOf(d *Data, base *metrics.AgentMetrics, m string, e metrics.Estimate) (long, short, class string) {
	def, _ := metrics.Lookup(m)
	if dl := d.delta(m); dl != nil && isFinite(dl.Diff) {
		f := formatFor(m, dl.Diff)
		long = f.diff(dl.Diff) + " vs baseline"
		short = f.diff(dl.Diff)
		if isFinite(dl.Lower) && isFinite(dl.Upper) {
			long += " [" + f.diff(dl.Lower) + ", " + f.diff(dl.Upper) + "]"
		}
		if isFinite(dl.PValue) {
			long += ", p " + pEquals(dl.PValue)
			short += ", p " + pEquals(dl.PValue)
		}
		if isFinite(dl.PValue) && dl.PValue >= significance {
			return long + " (not significant)", "~ (p " + pEquals(dl.PValue) + ")", "same"
		}
		return long, short, direction(def, dl.Diff)
	}
	if base == nil || !e.Defined() {
		return "", "", ""
	}
	b := estimateOf(base.Metrics, m)
	if !b.Defined() {
		return "", "", ""
	}
	diff := e.Value - b.Value
	f := formatFor(m, e.Value, b.Value, diff)
	return f.diff(diff) + " vs baseline (" + f.value(b.Value) + ")", f.diff(diff), direction(def, diff)
}

// significance is the level below which a paired test's p-value marks a
// change as significant.
const significance = 0.05

func pEquals(p float64) string {
	s := formatPValue(p)
	if strings.HasPrefix(s, "<") {
		return s
	}
	return "= " + s
}

func direction(def metrics.Definition, diff float64) string {
	switch {
	case diff == 0 || math.IsNaN(diff):
		return "same"
	case (diff > 0) == def.HigherIsBetter:
		return "better"
	default:
		return "worse"
	}
}

// topCategories keeps phishing and malware, when present, and at most
// cardExtraCategories more of the largest categories. items is in the
// order of slicesOf: phishing, malware, then largest first.
func topCategories(items []breakdownItem) []breakdownItem {
	n := cardExtraCategories
	for _, it := range items {
		if it.Key == "phishing" || it.Key == "malware" {
			n++
		}
	}
	return items[:min(n, len(items))]
}

// coverageBreakdown lists agent coverage per category, phishing and
// malware first, then the other categories by size.
func coverageBreakdown(a *metrics.AgentMetrics) []breakdownItem {
	cats := slicesOf(a, "category")
	var items []breakdownItem
	for _, s := range cats {
		e := estimateOf(s.Metrics, "agent_coverage")
		f := formatFor("agent_coverage")
		items = append(items, breakdownItem{
			Key: s.Value, Label: gradeLabel(s.Value), Value: f.value(e.Value),
			Interval: f.interval(e), Rows: s.Rows,
		})
	}
	return items
}

// slicesOf returns the agent's slices of one dimension: for categories,
// phishing and malware first; then by rows, largest first; then by name.
func slicesOf(a *metrics.AgentMetrics, dim string) []*metrics.Slice {
	var out []*metrics.Slice
	for i := range a.Slices {
		if a.Slices[i].Dimension == dim {
			out = append(out, &a.Slices[i])
		}
	}
	rank := func(s *metrics.Slice) int {
		if dim != "category" {
			return 2
		}
		switch s.Value {
		case "phishing":
			return 0
		case "malware":
			return 1
		}
		return 2
	}
	if dim == "severity" {
		order := map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "informational": 4}
		rank = func(s *metrics.Slice) int {
			if r, ok := order[s.Value]; ok {
				return r
			}
			return 5
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		if out[i].Rows != out[j].Rows {
			return out[i].Rows > out[j].Rows
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// statusWord returns a rule status in words for tables.
func statusWord(s gates.Status) string {
	switch s {
	case gates.Pass:
		return "pass"
	case gates.Warn:
		return "warn"
	case gates.Fail:
		return "FAIL"
	case gates.Inconclusive:
		return "inconclusive"
	}
	return string(s)
}

// gateRow is one rule result formatted for tables.
type gateRow struct {
	Rule     string
	Agent    string
	Status   string
	Class    string
	Observed string
	Judged   string
	Limit    string
	Message  string
}

func gateRows(o *gates.Outcome) []gateRow {
	if o == nil {
		return nil
	}
	rows := make([]gateRow, 0, len(o.Results))
	for _, r := range o.Results {
		f := ruleFormat(r)
		rows = append(rows, gateRow{
			Rule: ruleLabel(r), Agent: r.Agent, Status: statusWord(r.Status), Class: string(r.Status),
			Observed: f.estimate(r.Observed),
			Judged:   judgedValue(f, r), Limit: limitValue(f, r), Message: r.Message,
		})
	}
	return rows
}

// ruleFormat returns the format of a rule's numbers, which share one time
// unit: the observed estimate, the judged value and the limit.
func ruleFormat(r gates.RuleResult) numberFormat {
	values := []float64{r.Judged, r.Limit}
	if r.Observed.Defined() {
		values = append(values, r.Observed.Value)
	}
	return formatFor(r.Metric, values...)
}

// isRegression reports whether r judges a change against a baseline,
// whose judged value and limit are differences.
func isRegression(r gates.RuleResult) bool { return r.Kind == "regression" || r.Delta != nil }

// judgedValue formats the number a rule compared with its limit. A rule
// that compared nothing (no baseline, no data) shows a dash, not a zero
// that reads as a measurement.
func judgedValue(f numberFormat, r gates.RuleResult) string {
	if r.Status == gates.Inconclusive && (isRegression(r) && r.Delta == nil || !r.Observed.Defined()) {
		return "—"
	}
	if isRegression(r) {
		return f.diff(r.Judged)
	}
	return f.value(r.Judged)
}

func limitValue(f numberFormat, r gates.RuleResult) string {
	if isRegression(r) {
		return f.diff(r.Limit)
	}
	return f.value(r.Limit)
}

// inconclusiveCount says why rules were left undecided: regression rules
// without a baseline run are told apart from rules with too few cases,
// since the fixes differ.
func inconclusiveCount(o *gates.Outcome, total int) string {
	noBaseline, undecided := 0, 0
	for _, r := range o.Results {
		if r.Status != gates.Inconclusive {
			continue
		}
		undecided++
		if r.Kind == gates.KindRegression && o.Baseline == "" {
			noBaseline++
		}
	}
	switch {
	case noBaseline == 0:
		return fmt.Sprintf("%d of %d rules had too little data to decide", undecided, total)
	case noBaseline == undecided:
		return fmt.Sprintf("%d of %d rules compare with a baseline run, and none was given", undecided, total)
	}
	return fmt.Sprintf("%d of %d rules could not be decided (%d need a baseline run, %d had too little data)",
		undecided, total, noBaseline, undecided-noBaseline)
}
