package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/soceval/soceval/gates"
)

func TestJUnitGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, sampleData().Gates, "soceval gates"); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "junit.golden.xml", buf.Bytes())
}

// junitDoc mirrors the parts of JUnit XML that CI test views read.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Cases []struct {
			Name      string `xml:"name,attr"`
			ClassName string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped   *struct{} `xml:"skipped"`
			SystemOut string    `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitCounts(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, sampleData().Gates, "s"); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output is not valid XML: %v", err)
	}
	// The sample has one failed, one passed, one warned and one
	// inconclusive rule.
	if doc.Tests != 4 || doc.Failures != 1 || doc.Skipped != 1 {
		t.Errorf("tests/failures/skipped = %d/%d/%d, want 4/1/1", doc.Tests, doc.Failures, doc.Skipped)
	}
	cases := doc.Suites[0].Cases
	if f := cases[0].Failure; f == nil || !strings.Contains(f.Text, "limit: 1%") || !strings.Contains(f.Text, "judged: 6.8%") {
		t.Errorf("failed rule lacks its numbers: %+v", cases[0].Failure)
	}
	if !strings.Contains(cases[2].SystemOut, "warning") {
		t.Errorf("warned rule system-out %q lacks the warning", cases[2].SystemOut)
	}
	if cases[3].Skipped == nil {
		t.Error("inconclusive rule is not skipped")
	}
}

func TestJUnitHostileStringsStayValid(t *testing.T) {
	o := sampleData().Gates
	p := strings.Join(hostile, " ") + "\x01\x08\ufffe]]>&amp;"
	o.Results[0].Rule, o.Results[0].Message, o.Results[0].Agent, o.Results[0].Slice = p, p, p, p
	o.Valid = false
	o.Problems = []string{p}

	var buf bytes.Buffer
	if err := WriteJUnit(&buf, o, p); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("hostile strings made invalid XML: %v\n%s", err, buf.Bytes())
	}
	if doc.Tests != 5 || doc.Failures != 2 {
		t.Errorf("tests/failures = %d/%d, want 5/2 (rules plus run validity)", doc.Tests, doc.Failures)
	}
	if got := doc.Suites[0].Cases[1].Failure.Message; !strings.Contains(got, "<script>alert(1)</script>") {
		t.Errorf("failure message does not round-trip the text: %q", got)
	}
}

func TestJUnitNilOutcome(t *testing.T) {
	if err := WriteJUnit(&bytes.Buffer{}, nil, "s"); err == nil {
		t.Error("nil outcome gave no error")
	}
	if err := WriteJUnit(&bytes.Buffer{}, &gates.Outcome{Valid: true, Status: gates.Pass}, "s"); err != nil {
		t.Errorf("empty outcome: %v", err)
	}
}
