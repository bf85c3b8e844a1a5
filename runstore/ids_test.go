package runstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestHashIDsKnownValues(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
		want string // from `printf ... | sha256sum`
	}{
		{"none", nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"unsorted", []string{"c", "a", "b"}, "13e228567e8249fce53337f25d7970de3bd68ab2653424c7b8f9fd05e33caedf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashIDs(tt.ids); got != tt.want {
				t.Errorf("HashIDs(%q) = %s, want %s", tt.ids, got, tt.want)
			}
		})
	}
}

func TestHashIDsBeyondOneBuffer(t *testing.T) {
	var ids []string
	for i := range 20000 {
		ids = append(ids, fmt.Sprintf("INC-%07d", i))
	}
	ids = append(ids, strings.Repeat("x", 100<<10), "")

	// The reference writes each id and its NUL separately.
	sorted := slices.Sorted(slices.Values(ids))
	h := sha256.New()
	for _, id := range sorted {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	want := hex.EncodeToString(h.Sum(nil))

	if got := HashIDs(ids); got != want {
		t.Errorf("HashIDs = %s, want %s", got, want)
	}
}

func TestRowsIncidentsHashCountsDistinct(t *testing.T) {
	rows := []Result{
		{IncidentID: "b", Agent: "x"}, {IncidentID: "a", Agent: "x"},
		{IncidentID: "b", Agent: "y"}, {IncidentID: "c", Agent: "x", Repeat: 1}, {IncidentID: "a", Agent: "y"},
	}
	hash, n := RowsIncidentsHash(rows)
	if n != 3 {
		t.Errorf("distinct incidents = %d, want 3", n)
	}
	if want := "13e228567e8249fce53337f25d7970de3bd68ab2653424c7b8f9fd05e33caedf"; hash != want {
		t.Errorf("hash = %s, want the SHA-256 of \"a\\0b\\0c\\0\", %s", hash, want)
	}
	if got := DistinctIncidentIDs(rows); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("DistinctIncidentIDs = %q, want a, b, c", got)
	}
}

func TestDuplicateRows(t *testing.T) {
	row := func(id, agent string, repeat int) Result { return Result{IncidentID: id, Agent: agent, Repeat: repeat} }
	tests := []struct {
		name string
		rows []Result
		want []int
	}{
		{"none", nil, nil},
		{"distinct keys", []Result{row("a", "x", 0), row("a", "y", 0), row("a", "x", 1), row("b", "x", 0)}, nil},
		{"later copies", []Result{row("a", "x", 0), row("b", "x", 0), row("a", "x", 0), row("b", "x", 0), row("a", "x", 0)}, []int{2, 3, 4}},
		{"id and agent not split", []Result{row("ab", "c", 0), row("a", "bc", 0)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DuplicateRows(tt.rows); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DuplicateRows = %v, want %v", got, tt.want)
			}
		})
	}
}
