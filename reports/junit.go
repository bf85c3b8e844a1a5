package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/soceval/soceval/gates"
)

// JUnit XML elements, in the schema that Jenkins, GitLab and GitHub test
// reporters read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the gate outcome as JUnit XML: one test case per rule
// and agent, named "rule [slice]" with class name "soceval.<agent>".
// A failed rule is a failure with the observed, judged and limit values.
// An inconclusive rule is skipped, because CI test views show skipped
// cases as neither passed nor failed, which is what inconclusive means.
// A warning passes, with its message in system-out. An invalid run adds a
// failed "run validity" case listing the problems. Every string is
// escaped by encoding/xml, and characters that XML 1.0 forbids are
// replaced with U+FFFD, so hostile rule or agent names give valid XML.
func WriteJUnit(w io.Writer, o *gates.Outcome, suiteName string) error {
	if o == nil {
		return fmt.Errorf("write JUnit XML: no gate outcome")
	}
	suite := junitSuite{Name: cleanText(suiteName)}

	if !o.Valid {
		suite.Cases = append(suite.Cases, junitCase{
			Name: "run validity", ClassName: "soceval.run",
			Failure: &junitMessage{Message: "the run cannot be judged", Type: "invalid_run", Text: strings.Join(o.Problems, "\n")},
		})
	}
	for _, r := range o.Results {
		suite.Cases = append(suite.Cases, junitCaseOf(r))
	}

	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
		if c.Skipped != nil {
			suite.Skipped++
		}
	}
	doc := junitSuites{Name: suite.Name, Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Suites: []junitSuite{suite}}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	return nil
}

func junitCaseOf(r gates.RuleResult) junitCase {
	c := junitCase{Name: cleanText(ruleLabel(r)), ClassName: "soceval." + cleanText(r.Agent)}
	f := ruleFormat(r)
	numbers := fmt.Sprintf("metric: %s\nslice: %s\nobserved: %s\njudged: %s\nlimit: %s\n%s",
		r.Metric, orWhole(r.Slice), f.estimate(r.Observed), judgedValue(f, r), limitValue(f, r), r.Message)

	switch r.Status {
	case gates.Fail:
		c.Failure = &junitMessage{Message: r.Message, Type: "gate_failed", Text: numbers}
	case gates.Inconclusive:
		c.Skipped = &junitMessage{Message: "inconclusive: " + r.Message}
	case gates.Warn:
		c.SystemOut = "warning: " + numbers
	}
	return c
}

func orWhole(slice string) string {
	if slice == "" {
		return "whole run"
	}
	return slice
}
