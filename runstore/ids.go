package runstore

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// HashIDs returns the SHA-256 of the sorted incident ids, each followed by
// a NUL byte. The manifest records it so that a run's rows can be checked
// against the cases the run was meant to cover.
func HashIDs(ids []string) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	h := sha256.New()
	for _, id := range sorted {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RowsIncidentsHash returns HashIDs of the distinct incident ids of rows,
// and how many there are.
func RowsIncidentsHash(rows []Result) (string, int) {
	seen := map[string]bool{}
	var ids []string
	for i := range rows {
		if id := rows[i].IncidentID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return HashIDs(ids), len(ids)
}
