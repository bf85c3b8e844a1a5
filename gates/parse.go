package gates

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one defect found in a policy file.
type Problem struct {
	Line int
	// Rule is the rule's index in the rules list, or -1 for top-level
	// settings.
	Rule int
	// Field is the offending field, such as "metric" or "slice.tag".
	Field   string
	Message string
}

// PolicyError lists every problem found in a policy file.
type PolicyError struct {
	Source   string
	Problems []Problem
}

// Error formats one problem per line as "file:line: rules[i].field: message".
func (e *PolicyError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	fmt.Fprintf(&b, "invalid policy %s: %d problem", e.Source, n)
	if n != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(e.Source)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		switch {
		case p.Rule >= 0 && p.Field != "":
			fmt.Fprintf(&b, "rules[%d].%s: ", p.Rule, p.Field)
		case p.Rule >= 0:
			fmt.Fprintf(&b, "rules[%d]: ", p.Rule)
		case p.Field != "":
			fmt.Fprintf(&b, "%s: ", p.Field)
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// parser collects problems while walking the YAML node tree, so that one
// error reports every defect with its line.
type parser struct {
	problems []Problem
}

func (ps *parser) addf(line, rule int, field, format string, args ...any) {
	ps.problems = append(ps.problems, Problem{Line: line, Rule: rule, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Parse reads and validates a policy. source names the file in messages.
// It rejects unknown fields, unknown metrics and slice dimensions, and
// contradictory limits, and returns every problem at once as a
// *PolicyError.
func Parse(data []byte, source string) (*Policy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlMessage(err)
		return nil, &PolicyError{Source: source, Problems: []Problem{{Line: line, Rule: -1, Message: msg}}}
	}

	ps := &parser{}
	p := &Policy{
		Source:       source,
		Confidence:   DefaultConfidence,
		Correction:   CorrectionHolm,
		Inconclusive: Warn,
		ErrorBudget:  DefaultErrorBudget,
	}
	ps.policy(&root, p)
	ps.checkNames(p)

	if len(ps.problems) > 0 {
		slices.SortStableFunc(ps.problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &PolicyError{Source: source, Problems: ps.problems}
	}
	return p, nil
}

// yamlLine matches the line number the YAML library puts in syntax errors.
var yamlLine = regexp.MustCompile(`^line (\d+): `)

// yamlMessage splits a YAML syntax error into its line and message.
func yamlMessage(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return line, "not valid YAML: " + msg
}

var topLevelFields = []string{"rules", "confidence", "correction", "inconclusive", "error_budget"}

func (ps *parser) policy(root *yaml.Node, p *Policy) {
	if root.Kind == 0 || len(root.Content) == 0 {
		ps.addf(0, -1, "rules", "policy is empty: add a rules list")
		return
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		ps.addf(doc.Line, -1, "", "policy must be a mapping with a rules list, found %s", kindName(doc))
		return
	}

	seen := map[string]bool{}
	var rules *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, value := doc.Content[i], doc.Content[i+1]
		if seen[key.Value] {
			ps.addf(key.Line, -1, key.Value, "field is set twice: keep one")
			continue
		}
		seen[key.Value] = true

		switch key.Value {
		case "rules":
			rules = value
		case "confidence":
			if f, ok := ps.number(value, -1, key.Value); ok {
				if f <= 0 || f >= 1 {
					ps.addf(value.Line, -1, key.Value, "confidence %s is outside (0, 1): use a coverage such as 0.95", value.Value)
				}
				p.Confidence = f
			}
		case "correction":
			if s, ok := ps.choice(value, -1, key.Value, CorrectionHolm, CorrectionNone); ok {
				p.Correction = s
			}
		case "inconclusive":
			if s, ok := ps.choice(value, -1, key.Value, string(Warn), string(Fail)); ok {
				p.Inconclusive = Status(s)
			}
		case "error_budget":
			if f, ok := ps.number(value, -1, key.Value); ok {
				if f < 0 || f > 1 {
					ps.addf(value.Line, -1, key.Value, "error_budget %s is outside [0, 1]: use a share of rows such as 0.05", value.Value)
				}
				p.ErrorBudget = f
			}
		default:
			ps.addf(key.Line, -1, key.Value, "unknown field %q%s; valid top-level fields: %s",
				key.Value, suggestion(key.Value, topLevelFields), strings.Join(topLevelFields, ", "))
		}
	}

	if rules == nil {
		ps.addf(doc.Line, -1, "rules", "rules list is missing: add at least one rule")
		return
	}
	if rules.Kind != yaml.SequenceNode {
		ps.addf(rules.Line, -1, "rules", "rules must be a list of rules, found %s", kindName(rules))
		return
	}
	if len(rules.Content) == 0 {
		ps.addf(rules.Line, -1, "rules", "rules list is empty: add at least one rule")
	}
	for i, node := range rules.Content {
		if r, ok := ps.rule(node, i); ok {
			p.Rules = append(p.Rules, r)
		}
	}
}

// checkNames rejects duplicate rule names, which would make gates.json
// ambiguous.
func (ps *parser) checkNames(p *Policy) {
	first := map[string]int{}
	for _, r := range p.Rules {
		if r.Name == "" {
			continue
		}
		if j, dup := first[r.Name]; dup {
			ps.addf(r.Line, r.Index, "name", "name %q is already used by rules[%d]: give each rule its own name", r.Name, j)
			continue
		}
		first[r.Name] = r.Index
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	default:
		return "nothing"
	}
}

// number decodes a scalar as a finite float.
func (ps *parser) number(n *yaml.Node, rule int, field string) (float64, bool) {
	var f float64
	if n.Kind != yaml.ScalarNode || n.Decode(&f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		ps.addf(n.Line, rule, field, "must be a number, found %s", kindName(n))
		return 0, false
	}
	return f, true
}

func (ps *parser) text(n *yaml.Node, rule int, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Value == "" {
		ps.addf(n.Line, rule, field, "must be a non-empty string, found %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (ps *parser) choice(n *yaml.Node, rule int, field string, valid ...string) (string, bool) {
	s, ok := ps.text(n, rule, field)
	if !ok {
		return "", false
	}
	if !slices.Contains(valid, s) {
		ps.addf(n.Line, rule, field, "%q is not one of %s", s, strings.Join(valid, ", "))
		return "", false
	}
	return s, true
}
