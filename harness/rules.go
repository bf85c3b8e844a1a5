package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

//go:embed rules/*.yaml
var bundledRules embed.FS

// RuleSet is a versioned set of deterministic triage rules.
//
// Each rule that matches an incident adds its weight to its grade's score.
// The grade with the highest score wins when it leads the runner-up by at
// least SettleMargin; otherwise the incident is escalated, which in a
// layered pipeline hands it to the next layer. The confidence of a settled
// verdict is margin/(margin+1), so a margin of 4 gives 0.8.
type RuleSet struct {
	Name         string `yaml:"name"`
	Description  string `yaml:"description"`
	SettleMargin int    `yaml:"settle_margin"`
	Rules        []Rule `yaml:"rules"`

	sha256 string
}

// Rule is one deterministic triage rule.
type Rule struct {
	ID      string   `yaml:"id"`
	Grade   string   `yaml:"grade"`
	Weight  int      `yaml:"weight"`
	Match   Match    `yaml:"match"`
	Actions []string `yaml:"actions"`
}

// Match lists the conditions of a rule; a rule matches when any listed
// value matches. Text values are case-insensitive substrings of the
// incident's titles, evidence values and evidence attributes. Matching is
// plain string comparison: incident text is never interpreted.
type Match struct {
	Text     []string `yaml:"text"`
	Title    []string `yaml:"title"`
	Mitre    []string `yaml:"mitre"`
	Category []string `yaml:"category"`
	Severity []string `yaml:"severity"`
	Source   []string `yaml:"source"`
}

// LoadRuleSet reads a rule set from a file path, or from the bundled rule
// sets when ref has the form "bundled:NAME" (for example "bundled:v1").
func LoadRuleSet(ref string) (*RuleSet, error) {
	var data []byte
	var err error
	if name, ok := strings.CutPrefix(ref, "bundled:"); ok {
		data, err = fs.ReadFile(bundledRules, "rules/"+name+".yaml")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("rule set %q not found; bundled rule sets: %s", ref, strings.Join(BundledRuleSets(), ", "))
		}
	} else {
		data, err = os.ReadFile(ref)
	}
	if err != nil {
		return nil, err
	}
	return ParseRuleSet(data, ref)
}

// BundledRuleSets lists the names of the bundled rule sets.
func BundledRuleSets() []string {
	entries, _ := bundledRules.ReadDir("rules")
	var names []string
	for _, e := range entries {
		names = append(names, "bundled:"+strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// ParseRuleSet parses and validates a rule set, reporting every problem.
func ParseRuleSet(data []byte, source string) (*RuleSet, error) {
	var rs RuleSet
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rs); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}

	var problems []error
	if rs.Name == "" {
		problems = append(problems, fmt.Errorf("%s: name: missing; give the rule set a versioned name such as rules-v1", source))
	}
	if rs.SettleMargin < 1 {
		problems = append(problems, fmt.Errorf("%s: settle_margin: %d is invalid; it must be at least 1", source, rs.SettleMargin))
	}
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		where := fmt.Sprintf("%s: rules[%d] (%s)", source, i, r.ID)
		if r.ID == "" || seen[r.ID] {
			problems = append(problems, fmt.Errorf("%s: id: missing or duplicate; give each rule a unique id", where))
		}
		seen[r.ID] = true
		if !slices.Contains(datasets.Grades, r.Grade) {
			problems = append(problems, fmt.Errorf("%s: grade: %q is not one of %s", where, r.Grade, strings.Join(datasets.Grades, ", ")))
		}
		if r.Weight < 1 {
			problems = append(problems, fmt.Errorf("%s: weight: %d is invalid; it must be at least 1", where, r.Weight))
		}
		m := r.Match
		if len(m.Text)+len(m.Title)+len(m.Mitre)+len(m.Category)+len(m.Severity)+len(m.Source) == 0 {
			problems = append(problems, fmt.Errorf("%s: match: empty; list at least one condition", where))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}

	sum := sha256.Sum256(data)
	rs.sha256 = hex.EncodeToString(sum[:])
	return &rs, nil
}

// RuleAgent triages incidents with a RuleSet, offline and deterministically.
type RuleAgent struct {
	rules *RuleSet
}

// NewRuleAgent returns an agent that applies rs.
func NewRuleAgent(rs *RuleSet) *RuleAgent { return &RuleAgent{rules: rs} }

// Name returns the rule set's name.
func (a *RuleAgent) Name() string { return a.rules.Name }

// Describe returns the agent's settings for the manifest.
func (a *RuleAgent) Describe() runstore.AgentSpec {
	return runstore.AgentSpec{Name: a.rules.Name, Kind: "rules", Settings: map[string]string{
		"rules_sha256":  a.rules.sha256,
		"settle_margin": strconv.Itoa(a.rules.SettleMargin),
	}}
}

// Triage scores in against every rule and returns the settled verdict, or
// an escalation when no grade leads by the settle margin.
func (a *RuleAgent) Triage(_ context.Context, in *datasets.Incident, _ int) (Outcome, error) {
	start := time.Now()
	text := incidentText(in)
	titles := strings.ToLower(in.Title)
	for _, al := range in.Alerts {
		titles += "\n" + strings.ToLower(al.Title)
	}

	scores := map[string]int{}
	matched := map[string][]Rule{}
	for _, r := range a.rules.Rules {
		if r.matches(in, text, titles) {
			scores[r.Grade] += r.Weight
			matched[r.Grade] = append(matched[r.Grade], r)
		}
	}

	best, margin := leader(scores)
	v := &Verdict{Category: in.Category}
	if best == "" || margin < a.rules.SettleMargin {
		v.Grade = best
		if v.Grade == "" {
			v.Grade = datasets.GradeTruePositive
		}
		v.Escalate = true
		v.Rationale = fmt.Sprintf("not settled: scores %s, margin %d below %d", formatScores(scores), margin, a.rules.SettleMargin)
	} else {
		confidence := float64(margin) / float64(margin+1)
		v.Grade = best
		v.Confidence = &confidence
		var ids []string
		for _, r := range matched[best] {
			ids = append(ids, r.ID)
			for _, act := range r.Actions {
				if !slices.Contains(v.Actions, act) {
					v.Actions = append(v.Actions, act)
				}
			}
		}
		v.Rationale = fmt.Sprintf("%s by rules %s; scores %s", best, strings.Join(ids, ", "), formatScores(scores))
	}
	return Outcome{Verdict: v, Latency: time.Since(start), Attempts: 1}, nil
}

func (r *Rule) matches(in *datasets.Incident, text, titles string) bool {
	m := r.Match
	for _, s := range m.Text {
		if strings.Contains(text, strings.ToLower(s)) {
			return true
		}
	}
	for _, s := range m.Title {
		if strings.Contains(titles, strings.ToLower(s)) {
			return true
		}
	}
	if slices.Contains(m.Category, in.Category) || slices.Contains(m.Severity, in.Severity) || slices.Contains(m.Source, in.Source) {
		return true
	}
	for _, al := range in.Alerts {
		if slices.Contains(m.Category, al.Category) {
			return true
		}
		for _, t := range al.MitreTechniques {
			for _, want := range m.Mitre {
				// T1059 matches its sub-techniques such as T1059.001.
				if t == want || strings.HasPrefix(t, want+".") {
					return true
				}
			}
		}
	}
	return false
}

// incidentText returns the lower-cased text rules search: titles,
// evidence values and attributes, and recorded enrichment results.
func incidentText(in *datasets.Incident) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(in.Title))
	for _, al := range in.Alerts {
		b.WriteString("\n")
		b.WriteString(strings.ToLower(al.Title))
	}
	for _, e := range in.Evidence {
		b.WriteString("\n")
		b.WriteString(strings.ToLower(e.Value))
		for k, v := range e.Attributes {
			b.WriteString("\n" + strings.ToLower(k) + "=" + strings.ToLower(v))
		}
	}
	for _, en := range in.Enrichments {
		b.WriteString("\n")
		b.WriteString(strings.ToLower(en.Result))
	}
	return b.String()
}

// leader returns the grade with the highest score and its lead over the
// runner-up. Ties go to the more dangerous grade, so that a tie between
// threat and noise is never settled as noise.
func leader(scores map[string]int) (string, int) {
	best, bestScore, second := "", 0, 0
	for _, g := range datasets.Grades {
		s := scores[g]
		switch {
		case s > bestScore:
			second = bestScore
			best, bestScore = g, s
		case s > second:
			second = s
		}
	}
	return best, bestScore - second
}

func formatScores(scores map[string]int) string {
	var parts []string
	for _, g := range datasets.Grades {
		parts = append(parts, fmt.Sprintf("%s=%d", g, scores[g]))
	}
	return strings.Join(parts, " ")
}
