// Package importers converts public security datasets into soceval
// incident records. Each converter reads the source's original files and
// maps only what the source records: it never invents a reputation verdict,
// an analyst action or a handling time. The one derived value, the human
// time to resolve, is an estimate marked as such (see EstimateHumanTTR).
package importers

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/soceval/soceval/datasets"
)

// Source names accepted by Import.
const (
	SourceLLMSOC  = "llm-soc-alert-triage"
	SourceExCyTIn = "excytin"
)

// Sources lists the source names Import accepts.
var Sources = []string{SourceLLMSOC, SourceExCyTIn}

// Import converts the source named from, read from the directory dir, into
// incidents.
func Import(from, dir string) ([]datasets.Incident, error) {
	switch from {
	case SourceLLMSOC:
		return LLMSOCAlertTriage(dir)
	case SourceExCyTIn, "excytin-bench":
		return ExCyTIn(dir)
	}
	return nil, fmt.Errorf("unknown source %q; expected one of %s", from, strings.Join(Sources, ", "))
}

// Human time-to-resolve estimate. Neither source records analyst handling
// time, so each incident gets a deterministic estimate anchored on one
// published figure: a bank using Google SecOps reported about 30 minutes of
// manual review per alert before automation. The estimate scales that
// anchor by severity and grows with the logarithm of the alert count,
// because related alerts of one incident are reviewed together:
//
//	seconds = round(1800 × weight(severity) × (1 + ln(alerts)))
//
// with weight informational 0.5, low 0.75, medium 1, high 1.5, critical 2.
const humanReviewSecondsPerAlert = 1800

var severityWeight = map[string]float64{
	"informational": 0.5,
	"low":           0.75,
	"medium":        1,
	"high":          1.5,
	"critical":      2,
}

// EstimateHumanTTR returns the estimated analyst handling time in seconds
// for an incident of severity with alerts alerts (at least 1 is assumed).
// An unknown severity counts as medium.
func EstimateHumanTTR(severity string, alerts int) float64 {
	w, ok := severityWeight[severity]
	if !ok {
		w = 1
	}
	n := float64(max(alerts, 1))
	return math.Round(humanReviewSecondsPerAlert * w * (1 + math.Log(n)))
}

// setEstimatedTTR fills the label's handling time with the estimate and
// marks it estimated.
func setEstimatedTTR(in *datasets.Incident) {
	s := EstimateHumanTTR(in.Severity, len(in.Alerts))
	in.Label.HumanTTRSeconds = &s
	in.Label.HumanTTREstimated = true
}

// mitreTactics maps MITRE ATT&CK tactic names, in any spacing or case, to
// incident categories.
var mitreTactics = map[string]string{
	"reconnaissance":      "reconnaissance",
	"resourcedevelopment": "resource_development",
	"initialaccess":       "initial_access",
	"execution":           "execution",
	"persistence":         "persistence",
	"privilegeescalation": "privilege_escalation",
	"defenseevasion":      "defense_evasion",
	"credentialaccess":    "credential_access",
	"discovery":           "discovery",
	"lateralmovement":     "lateral_movement",
	"collection":          "collection",
	"commandandcontrol":   "command_and_control",
	"exfiltration":        "exfiltration",
	"impact":              "impact",
	"preattack":           "reconnaissance",
}

// tacticCategory returns the category of a MITRE tactic name such as
// "Privilege Escalation" or "DefenseEvasion", or "".
func tacticCategory(tactic string) string {
	key := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, tactic)
	return mitreTactics[key]
}

// entitySet collects evidence entities in first-seen order, merging the
// attributes of repeated (type, value) pairs.
type entitySet struct {
	list  []datasets.Entity
	index map[[2]string]int
}

func (s *entitySet) add(typ, value string, attrs map[string]string) {
	value = strings.TrimSpace(value)
	if value == "" || value == "-" {
		return
	}
	for k, v := range attrs {
		if strings.TrimSpace(v) == "" {
			delete(attrs, k)
		}
	}
	if s.index == nil {
		s.index = make(map[[2]string]int)
	}
	key := [2]string{typ, value}
	if i, ok := s.index[key]; ok {
		for k, v := range attrs {
			if s.list[i].Attributes == nil {
				s.list[i].Attributes = map[string]string{}
			}
			if _, seen := s.list[i].Attributes[k]; !seen {
				s.list[i].Attributes[k] = v
			}
		}
		return
	}
	if len(attrs) == 0 {
		attrs = nil
	}
	s.index[key] = len(s.list)
	s.list = append(s.list, datasets.Entity{Type: typ, Value: value, Attributes: attrs})
}

// sortedTags returns tags without duplicates or blanks, sorted.
func sortedTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// canonicalJSON encodes v with sorted object keys and without HTML
// escaping, so recorded tool answers are stable across runs.
func canonicalJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// v comes from decoded JSON, which always re-encodes.
		panic(fmt.Sprintf("re-encode recorded JSON: %v", err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// tagMustPass tags true positives of high or critical severity
// must_pass: a threat the source's author ranked that high must reach a
// human, and one auto-close of such an incident fails the default gate.
// Agents never see tags, so the tag does not reveal the label to them.
func tagMustPass(in *datasets.Incident) {
	if in.Label.Grade == datasets.GradeTruePositive && (in.Severity == "high" || in.Severity == "critical") {
		in.Tags = sortedTags(append(in.Tags, datasets.TagMustPass))
	}
}
