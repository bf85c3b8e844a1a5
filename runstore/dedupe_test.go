package runstore

import (
	"slices"
	"testing"
)

func TestDedupeKeepsFirstRowOfEachKeyInOrder(t *testing.T) {
	row := func(id, agent string, repeat int, grade string) Result {
		return Result{IncidentID: id, Agent: agent, Repeat: repeat, Grade: grade}
	}
	tests := []struct {
		name string
		in   []Result
		want []string // grades of the kept rows, in order
	}{
		{"empty", nil, nil},
		{"no duplicates", []Result{row("a", "x", 0, "1"), row("b", "x", 0, "2"), row("a", "y", 0, "3"), row("a", "x", 1, "4")},
			[]string{"1", "2", "3", "4"}},
		{"later copies dropped", []Result{row("a", "x", 0, "1"), row("b", "x", 0, "2"), row("a", "x", 0, "3"), row("b", "x", 0, "4"), row("a", "x", 0, "5")},
			[]string{"1", "2"}},
		{"id and agent boundaries are distinct", []Result{row("ab", "c", 0, "1"), row("a", "bc", 0, "2"), row("ab", "c", 0, "3")},
			[]string{"1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range dedupe(slices.Clone(tt.in)) {
				got = append(got, r.Grade)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("dedupe kept grades %v, want %v", got, tt.want)
			}
		})
	}
}
