package gates

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/soceval/soceval/internal/fuzzy"
	"github.com/soceval/soceval/metrics"
)

var ruleFields = []string{"name", "metric", "slice", "agent", "min", "max", "bound", "max_drop", "alpha", "min_cases", "soft"}

// rule decodes and validates rules[i]. It returns false when the rule has
// a problem, after recording every problem it found.
func (ps *parser) rule(n *yaml.Node, i int) (Rule, bool) {
	r := Rule{Index: i, Line: n.Line, Bound: BoundPoint, Alpha: DefaultAlpha}
	if n.Kind != yaml.MappingNode {
		ps.addf(n.Line, i, "", "rule must be a mapping such as {metric: recall, min: 0.9}, found %s", kindName(n))
		return r, false
	}

	before := len(ps.problems)
	set := map[string]*yaml.Node{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		key, value := n.Content[j], n.Content[j+1]
		if set[key.Value] != nil {
			ps.addf(key.Line, i, key.Value, "field is set twice: keep one")
			continue
		}
		set[key.Value] = value
		ps.ruleField(&r, key, value)
	}

	ps.checkRule(&r, set)
	return r, len(ps.problems) == before
}

func (ps *parser) ruleField(r *Rule, key, value *yaml.Node) {
	i, field := r.Index, key.Value
	switch field {
	case "name":
		r.Name, _ = ps.text(value, i, field)
	case "metric":
		r.Metric, _ = ps.text(value, i, field)
	case "agent":
		r.Agent, _ = ps.text(value, i, field)
	case "slice":
		r.Slice = ps.slice(value, i)
	case "min", "max", "max_drop":
		if f, ok := ps.number(value, i, field); ok {
			switch field {
			case "min":
				r.Min = &f
			case "max":
				r.Max = &f
			default:
				r.MaxDrop = &f
			}
		}
	case "bound":
		r.Bound, _ = ps.choice(value, i, field, BoundPoint, BoundLower, BoundUpper)
	case "alpha":
		if f, ok := ps.number(value, i, field); ok {
			r.Alpha = f
		}
	case "min_cases":
		var k int
		if value.Kind != yaml.ScalarNode || value.Decode(&k) != nil || k < 0 {
			ps.addf(value.Line, i, field, "must be a whole number of cases, 0 or more, found %s", kindName(value))
		}
		r.MinCases = k
	case "soft":
		var b bool
		if value.Kind != yaml.ScalarNode || value.Decode(&b) != nil {
			ps.addf(value.Line, i, field, "must be true or false, found %s", kindName(value))
		}
		r.Soft = b
	default:
		ps.addf(key.Line, i, field, "unknown field %q%s; valid rule fields: %s",
			field, suggestion(field, ruleFields), strings.Join(ruleFields, ", "))
	}
}

// slice decodes {dimension: value} with exactly one known dimension.
func (ps *parser) slice(n *yaml.Node, i int) *SliceRef {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		ps.addf(n.Line, i, "slice", "must be a mapping of one dimension to a value, such as {category: phishing}, found %s", kindName(n))
		return nil
	}
	if len(n.Content) > 2 {
		ps.addf(n.Line, i, "slice", "names %d dimensions: a slice has one dimension, so split the rule into one rule per dimension", len(n.Content)/2)
		return nil
	}

	key, value := n.Content[0], n.Content[1]
	dims := metrics.SliceDimensions
	if !slices.Contains(dims, key.Value) {
		ps.addf(key.Line, i, "slice."+key.Value, "unknown slice dimension %q%s; valid dimensions: %s",
			key.Value, suggestion(key.Value, dims), strings.Join(dims, ", "))
		return nil
	}
	v, ok := ps.text(value, i, "slice."+key.Value)
	if !ok {
		return nil
	}
	return &SliceRef{Dimension: key.Value, Value: v}
}

// checkRule validates the combination of fields once all are decoded.
func (ps *parser) checkRule(r *Rule, set map[string]*yaml.Node) {
	line := func(field string) int {
		if n := set[field]; n != nil {
			return n.Line
		}
		return r.Line
	}
	i := r.Index

	def, known := ps.metric(r, line("metric"))

	absolute := r.Min != nil || r.Max != nil
	switch {
	case set["min"] == nil && set["max"] == nil && set["max_drop"] == nil:
		ps.addf(r.Line, i, "", "rule sets no limit: add min or max (an absolute bound) or max_drop (a regression limit against --baseline)")
	case absolute && r.MaxDrop != nil:
		ps.addf(line("max_drop"), i, "max_drop", "a rule sets either min/max or max_drop, not both: split it into two rules")
	}

	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		ps.addf(line("min"), i, "min", "min %s is greater than max %s: no value can pass", formatLimit(*r.Min), formatLimit(*r.Max))
	}
	if r.MaxDrop != nil && *r.MaxDrop < 0 {
		ps.addf(line("max_drop"), i, "max_drop", "max_drop %s is negative: give the largest tolerated drop as a positive number, or 0 to fail on any significant drop", formatLimit(*r.MaxDrop))
	}
	if set["alpha"] != nil && (r.Alpha <= 0 || r.Alpha >= 1) {
		ps.addf(line("alpha"), i, "alpha", "alpha %s is outside (0, 1): use a significance level such as 0.05", formatLimit(r.Alpha))
	}
	if r.MaxDrop != nil && set["bound"] != nil {
		ps.addf(line("bound"), i, "bound", "bound applies to min/max rules only: a max_drop rule judges the paired test, so remove bound")
	}
	if absolute && set["alpha"] != nil {
		ps.addf(line("alpha"), i, "alpha", "alpha applies to max_drop rules only: an absolute rule's interval coverage is the policy's confidence, so remove alpha")
	}

	if known && def.Kind == metrics.KindProportion {
		ps.checkProportion(r, line)
	}
}

// metric checks that the rule names a known metric and returns its
// definition.
func (ps *parser) metric(r *Rule, line int) (metrics.Definition, bool) {
	if r.Metric == "" {
		ps.addf(line, r.Index, "metric", "metric is missing: name one of %s", strings.Join(metrics.Names(), ", "))
		return metrics.Definition{}, false
	}
	def, ok := metrics.Lookup(r.Metric)
	if !ok {
		ps.addf(line, r.Index, "metric", "unknown metric %q%s; valid metrics: %s",
			r.Metric, suggestion(r.Metric, metrics.Names()), strings.Join(metrics.Names(), ", "))
	}
	return def, ok
}

// checkProportion rejects limits that a share between 0 and 1 cannot
// meet, and interval bounds that can never pass.
func (ps *parser) checkProportion(r *Rule, line func(string) int) {
	i := r.Index
	limits := []struct {
		field string
		v     *float64
	}{{"min", r.Min}, {"max", r.Max}, {"max_drop", r.MaxDrop}}
	for _, l := range limits {
		field, v := l.field, l.v
		if v == nil || (field == "max_drop" && *v < 0) {
			continue // a negative max_drop has its own message
		}
		if *v < 0 || *v > 1 {
			ps.addf(line(field), i, field, "%s %s is outside [0, 1]: %s is a proportion, so write 5%% as 0.05", field, formatLimit(*v), r.Metric)
		}
	}
	if r.Max != nil && *r.Max == 0 && r.Bound == BoundUpper {
		ps.addf(line("bound"), i, "bound", "max 0 on the upper bound can never pass, because an interval's upper bound stays above 0 at any sample size: use bound: point to fail on any occurrence")
	}
	if r.Min != nil && *r.Min == 1 && r.Bound == BoundLower {
		ps.addf(line("bound"), i, "bound", "min 1 on the lower bound can never pass, because an interval's lower bound stays below 1 at any sample size: use bound: point to fail on any miss")
	}
}

// suggestion returns ` (did you mean "x"?)` for the closest valid name,
// or an empty string when none is close.
func suggestion(got string, valid []string) string {
	best, bestDist := "", len(got)/2+2
	for _, v := range valid {
		if d := fuzzy.Distance(strings.ToLower(got), v); d < bestDist {
			best, bestDist = v, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
