package fuzzy

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"recall", "recall", 0},
		{"recal", "recall", 1},   // one deletion
		{"titel", "title", 1},    // one adjacent swap
		{"modle", "model", 1},    // one adjacent swap
		{"modle", "mode", 1},     // one deletion
		{"kitten", "sitting", 3}, // the classic Levenshtein example
		{"", "abc", 3},           // three insertions
		{"ca", "abc", 3},         // OSA, unlike Damerau-Levenshtein (2), edits no substring twice
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
