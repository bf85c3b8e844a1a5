package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/soceval/soceval/datasets"
)

// Verdict is an agent's decision on one incident.
type Verdict struct {
	Grade      string   `json:"grade"`
	Category   string   `json:"category,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	Actions    []string `json:"actions,omitempty"`
	Escalate   bool     `json:"escalate,omitempty"`
	Rationale  string   `json:"rationale,omitempty"`
}

// ParseVerdict extracts a verdict from an agent's raw reply. It accepts a
// bare JSON object, or one object inside surrounding text or a Markdown
// code fence, as models often add. The verdict must conform: a known
// grade and a confidence between 0 and 1.
func ParseVerdict(raw string) (Verdict, error) {
	text := extractJSONObject(raw)
	if text == "" {
		return Verdict{}, errors.New("reply contains no JSON object")
	}

	var v Verdict
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&v); err != nil {
		return Verdict{}, fmt.Errorf("reply is not a valid verdict object: %w", err)
	}
	if err := v.Validate(); err != nil {
		return Verdict{}, err
	}
	return v, nil
}

// gradeAliases maps common shorthand for grades to the grade it likely
// means. It is used only for hints: a verdict is never rewritten, since
// guessing a grade could turn a malformed answer into a wrong one.
var gradeAliases = map[string]string{
	"tp": datasets.GradeTruePositive, "malicious": datasets.GradeTruePositive, "true positive": datasets.GradeTruePositive,
	"fp": datasets.GradeFalsePositive, "false positive": datasets.GradeFalsePositive,
	"bp": datasets.GradeBenignPositive, "benign": datasets.GradeBenignPositive, "benign positive": datasets.GradeBenignPositive,
}

// Validate checks that the verdict conforms to the schema.
func (v *Verdict) Validate() error {
	v.Grade = strings.TrimSpace(strings.ToLower(v.Grade))
	if !slices.Contains(datasets.Grades, v.Grade) {
		hint := ""
		if g, ok := gradeAliases[v.Grade]; ok {
			hint = fmt.Sprintf(" (did you mean %s?)", g)
		}
		return fmt.Errorf("grade %q is not one of %s%s", v.Grade, strings.Join(datasets.Grades, ", "), hint)
	}
	if v.Confidence != nil && (*v.Confidence < 0 || *v.Confidence > 1) {
		return fmt.Errorf("confidence %g is outside [0, 1]", *v.Confidence)
	}
	return nil
}

// extractJSONObject returns the first balanced top-level JSON object in s,
// or "" when there is none. Braces inside JSON strings are skipped.
func extractJSONObject(s string) string {
	data := []byte(s)
	for start := bytes.IndexByte(data, '{'); start >= 0; {
		if end := matchBrace(data[start:]); end > 0 {
			candidate := data[start : start+end]
			if json.Valid(candidate) {
				return string(candidate)
			}
		}
		next := bytes.IndexByte(data[start+1:], '{')
		if next < 0 {
			break
		}
		start += 1 + next
	}
	return ""
}

// matchBrace returns the length of the balanced object that starts at
// data[0], or 0 when it is not closed.
func matchBrace(data []byte) int {
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}
