package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleData(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "table.golden.txt", buf.Bytes())
}

func TestCompareTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCompareTable(&buf, sampleData().Deltas, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "compare.golden.txt", buf.Bytes())
}

func TestTableFitsTerminal(t *testing.T) {
	for _, d := range []*Data{sampleData(), hostileData()} {
		var buf bytes.Buffer
		if err := WriteTable(&buf, d, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := WriteCompareTable(&buf, d.Deltas, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(line, "Gate") || strings.HasPrefix(line, "Agent") {
				continue // the verdict sentence and agent line are prose, not table rows
			}
			if n := utf8.RuneCountInString(line); n > terminalWidth {
				t.Errorf("line of %d columns: %q", n, line)
			}
		}
		if strings.Contains(buf.String(), "\x1b") {
			t.Error("colour codes or control characters without Color")
		}
	}
}

func TestTableColorOnlyWhenAsked(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleData(), TableOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ansiRed+ansiBold+"Gate failed") {
		t.Errorf("coloured output lacks the red verdict: %q", buf.String()[:80])
	}
}

func TestTableJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleData(), TableOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	var got summaryJSON
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if got.Verdict != "fail" || len(got.Headlines) != 4 || got.Headlines[0].Estimate.Num != 84 {
		t.Errorf("JSON summary = %+v", got)
	}
}

func TestTableUnknownFormat(t *testing.T) {
	err := WriteTable(&bytes.Buffer{}, sampleData(), TableOptions{Format: "yaml"})
	if err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) {
		t.Errorf("error %v, want unknown format", err)
	}
}

func TestCompareChange(t *testing.T) {
	d := sampleData().Deltas
	// p = 0.0034 < 0.05: the 10 pp rise is significant.
	if got := compareChange(d[0]); got != "+10 pp" {
		t.Errorf("significant change = %q, want +10 pp", got)
	}
	// p = 1: not significant, printed as "~".
	if got := compareChange(d[1]); got != "~" {
		t.Errorf("non-significant change = %q, want ~", got)
	}
}

func TestCompareFootnotes(t *testing.T) {
	d := sampleData().Deltas
	d[1].Pairs = 12
	d[1].Candidate.Estimated = true
	var buf bytes.Buffer
	if err := WriteCompareTable(&buf, d, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"missed_threat_rate (1) (2)", "(1) estimated inputs", "(2) fewer than 30 paired incidents"} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
}
