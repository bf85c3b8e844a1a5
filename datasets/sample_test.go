package datasets

import (
	"reflect"
	"testing"
	"time"
)

func gradedSet(tp, fp int) []Incident {
	var out []Incident
	for i := range tp + fp {
		g := GradeTruePositive
		if i >= tp {
			g = GradeFalsePositive
		}
		out = append(out, Incident{ID: string(rune('A'+i%26)) + time.Duration(i).String(), Label: Label{Grade: g}})
	}
	return out
}

// With 112 TP and 74 FP, a stratified sample of 50 gets 50×112/186 =
// 30.11 and 50×74/186 = 19.89 places; the leftover place goes to the
// larger remainder, FP: 30 TP and 20 FP.
func TestSampleStratified(t *testing.T) {
	set := gradedSet(112, 74)
	got, err := Sample(set, 50, 7, "grade")
	if err != nil {
		t.Fatal(err)
	}
	st := ComputeStats(got, 0)
	want := []Count{{GradeTruePositive, 30}, {GradeBenignPositive, 0}, {GradeFalsePositive, 20}}
	if !reflect.DeepEqual(st.ByGrade, want) {
		t.Errorf("grades = %v, want %v", st.ByGrade, want)
	}

	again, _ := Sample(set, 50, 7, "grade")
	if !reflect.DeepEqual(got, again) {
		t.Error("same seed drew a different sample")
	}
	other, _ := Sample(set, 50, 8, "grade")
	if reflect.DeepEqual(got, other) {
		t.Error("another seed drew the same sample")
	}

	pos := map[string]int{}
	for i, in := range set {
		pos[in.ID] = i
	}
	for i := 1; i < len(got); i++ {
		if pos[got[i].ID] <= pos[got[i-1].ID] {
			t.Fatal("sample is not in original order")
		}
	}
}

func TestSampleEdges(t *testing.T) {
	set := gradedSet(3, 2)
	all, err := Sample(set, 99, 1, "")
	if err != nil || len(all) != 5 {
		t.Errorf("n above size: %d incidents, err %v; want all 5", len(all), err)
	}
	if _, err := Sample(set, 2, 1, "colour"); err == nil {
		t.Error("unknown stratify field accepted")
	}
	if _, err := Sample(set, -1, 1, ""); err == nil {
		t.Error("negative size accepted")
	}
}

func TestComputeStats(t *testing.T) {
	ttr := 60.0
	set := []Incident{
		{Category: "phishing", Severity: "high", Source: "m365", Tags: []string{"x", "y"}, Alerts: make([]Alert, 2), Label: Label{Grade: GradeTruePositive, HumanTTRSeconds: &ttr}},
		{Category: "phishing", Severity: "low", Source: "m365", Tags: []string{"x"}, Label: Label{Grade: GradeFalsePositive, HumanTTRSeconds: &ttr, HumanTTREstimated: true}},
		{Category: "malware", Severity: "low", Source: "edr", Label: Label{Grade: GradeFalsePositive}},
	}
	got := ComputeStats(set, 1)
	want := Stats{
		Incidents: 3, Alerts: 2,
		ByGrade:      []Count{{GradeTruePositive, 1}, {GradeBenignPositive, 0}, {GradeFalsePositive, 2}},
		BySeverity:   []Count{{"low", 2}, {"high", 1}},
		ByCategory:   []Count{{"phishing", 2}, {"malware", 1}},
		BySource:     []Count{{"m365", 2}, {"edr", 1}},
		TopTags:      []Count{{"x", 2}},
		WithHumanTTR: 2, EstimatedHumanTTR: 1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ComputeStats =\n%+v\nwant\n%+v", got, want)
	}
}
