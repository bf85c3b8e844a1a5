package datasets

import (
	"errors"
	"strings"
	"testing"
)

func TestClosestName(t *testing.T) {
	known := []string{"id", "title", "detector", "category", "mitre_techniques", "time"}
	tests := []struct {
		name string
		want string
	}{
		{"Title", "title"},
		{"titel", "title"},            // adjacent swap, one edit
		{"detectr", "detector"},       // one deletion
		{"mitre", "mitre_techniques"}, // prefix
		{"categroy", "category"},
		{"tim", "time"},   // prefix of a known name
		{"tite", "title"}, // one edit from both title and time; title comes first
		{"colour", ""},
		{"name", ""}, // two edits from time, too many for a short name
		{"ip", ""},   // one edit from id, but two-byte names get no guess
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := closestName(tt.name, known); got != tt.want {
				t.Errorf("closestName(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestValueHints(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"grade TP", gradeHint("TP"), " (did you mean true_positive?)"},
		{"grade FP", gradeHint("FP"), " (did you mean false_positive?)"},
		{"grade benign", gradeHint("Benign"), " (did you mean benign_positive?)"},
		{"grade dash", gradeHint("true-positive"), " (did you mean true_positive?)"},
		{"grade unknown", gradeHint("suspicious"), ""},
		{"severity HIGH", severityHint("HIGH"), " (did you mean high?)"},
		{"severity info", severityHint("info"), " (did you mean informational?)"},
		{"severity moderate", severityHint("Moderate"), " (did you mean medium?)"},
		{"severity crit", severityHint("CRIT"), " (did you mean critical?)"},
		{"severity unknown", severityHint("sev1"), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: hint = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestReadReportsEveryFieldOfLine checks that a line with a bad timestamp
// still has its other fields validated, in every text format, and that
// problems come out in line order.
func TestReadReportsEveryFieldOfLine(t *testing.T) {
	tests := []struct {
		format, data string
		want         []string
	}{
		{FormatJSONL,
			`{"id":"b","created_at":"later","title":"t","severity":"HIGH","label":{"grade":"TP"}}` + "\n" +
				`{"id":"b","created_at":"2025-07-04T16:05:49Z","title":"t","label":{"grade":"true_positive"}}` + "\n",
			[]string{"set:1: created_at: ", "set:1: severity: ", "set:1: label.grade: ", "set:2: id: duplicate id \"b\", first used at line 1"}},
		{FormatJSON,
			`[{"id":"b","created_at":"later","title":"t","severity":"HIGH","label":{"grade":"TP"}},` + "\n" +
				`{"id":"b","created_at":"2025-07-04T16:05:49Z","title":"t","label":{"grade":"true_positive"}}]`,
			[]string{"set:1: created_at: ", "set:1: severity: ", "set:1: label.grade: ", "set:2: id: duplicate id \"b\", first used at line 1"}},
		{FormatCSV,
			"id,created_at,title,severity,label_grade\nb,later,t,HIGH,TP\nb,2025-07-04T16:05:49Z,t,,true_positive\n",
			[]string{"set:2: created_at: ", "set:2: severity: ", "set:2: label_grade: ", "set:3: id: duplicate id \"b\", first used at line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.data), "set", tt.format)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Read error = %v, want a *ValidationError", err)
			}
			if len(verr.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(verr.Problems), len(tt.want), err)
			}
			for i, want := range tt.want {
				if got := verr.Problems[i].String(); !strings.HasPrefix(got, want) {
					t.Errorf("problem %d = %q, want prefix %q", i, got, want)
				}
			}
		})
	}
}
