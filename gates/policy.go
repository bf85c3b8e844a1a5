package gates

import (
	_ "embed"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Bounds an absolute rule can judge.
const (
	BoundPoint = "point"
	BoundLower = "lower"
	BoundUpper = "upper"
)

// Multiple-comparison corrections for regression rules.
const (
	CorrectionHolm = "holm"
	CorrectionNone = "none"
)

// Rule kinds recorded on a RuleResult.
const (
	KindAbsolute   = "absolute"
	KindRegression = "regression"
)

// Defaults applied when a policy leaves a setting out.
const (
	DefaultAlpha       = 0.05
	DefaultConfidence  = 0.95
	DefaultErrorBudget = 0.05
)

// DefaultSource is the Policy.Source of the shipped default policy.
const DefaultSource = "default.yaml (built in)"

//go:embed default.yaml
var defaultYAML []byte

// Policy is a parsed and validated gate policy.
type Policy struct {
	// Source names where the policy came from, for messages and gates.json.
	Source string
	Rules  []Rule
	// Confidence is the coverage of the intervals that bound rules judge.
	Confidence float64
	// Correction is CorrectionHolm or CorrectionNone.
	Correction string
	// Inconclusive is Warn (inconclusive rules are listed but do not fail
	// the gate) or Fail.
	Inconclusive Status
	// ErrorBudget is the largest share of rows with a harness error (no
	// reply at all) for which the run still counts as valid.
	ErrorBudget float64
}

// SliceRef names one slice: a dimension (category, severity, source or
// tag) and a value.
type SliceRef struct {
	Dimension string
	Value     string
}

// String returns "dimension=value".
func (s *SliceRef) String() string {
	if s == nil {
		return ""
	}
	return s.Dimension + "=" + s.Value
}

// Rule is one line of a policy: a metric, optionally restricted to a
// slice and an agent, with either absolute limits or a regression limit.
type Rule struct {
	Name   string
	Metric string
	Slice  *SliceRef
	// Agent restricts the rule to one agent; empty means every gated agent.
	Agent string
	// Min and Max are absolute limits; MaxDrop is a regression limit
	// against a baseline. A rule has absolute limits or MaxDrop, never both.
	Min, Max, MaxDrop *float64
	// Bound is BoundPoint, BoundLower or BoundUpper, for absolute rules.
	Bound string
	// Alpha is the significance level of a regression rule's paired test.
	Alpha float64
	// MinCases makes the rule inconclusive when fewer cases back the
	// estimate.
	MinCases int
	// Soft turns a failure into a warning.
	Soft bool

	// Index and Line locate the rule in its policy file.
	Index int
	Line  int
}

// Regression reports whether the rule compares against a baseline.
func (r *Rule) Regression() bool { return r.MaxDrop != nil }

// Title returns the rule's display name: its name, or a description such
// as "missed_threat_rate[tag=must_pass] max 0".
func (r *Rule) Title() string {
	if r.Name != "" {
		return r.Name
	}

	var b strings.Builder
	b.WriteString(r.Metric)
	if r.Slice != nil {
		fmt.Fprintf(&b, "[%s]", r.Slice)
	}
	if r.Agent != "" {
		fmt.Fprintf(&b, "@%s", r.Agent)
	}
	if r.Min != nil {
		fmt.Fprintf(&b, " min %s", formatLimit(*r.Min))
	}
	if r.Max != nil {
		fmt.Fprintf(&b, " max %s", formatLimit(*r.Max))
	}
	if r.MaxDrop != nil {
		fmt.Fprintf(&b, " max_drop %s", formatLimit(*r.MaxDrop))
	}
	if !r.Regression() && r.Bound != BoundPoint {
		fmt.Fprintf(&b, " (%s bound)", r.Bound)
	}
	return b.String()
}

// Load reads and validates the policy file at path.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return Parse(data, path)
}

// Default returns the shipped default policy for triage agents. It panics
// if the embedded file is invalid, which the package tests rule out.
func Default() *Policy {
	p, err := Parse(defaultYAML, DefaultSource)
	if err != nil {
		panic(fmt.Sprintf("gates: invalid built-in policy: %v", err))
	}
	return p
}

// DefaultYAML returns the text of the shipped default policy, for users
// who want to start their own policy from it.
func DefaultYAML() []byte {
	return append([]byte(nil), defaultYAML...)
}

// formatLimit prints a limit as the user wrote it, without trailing zeros.
func formatLimit(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
