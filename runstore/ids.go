package runstore

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"slices"
)

// HashIDs returns the SHA-256 of the sorted incident ids, each followed by
// a NUL byte. The manifest records it so that a run's rows can be checked
// against the cases the run was meant to cover.
func HashIDs(ids []string) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	return hashSortedIDs(sorted)
}

// hashSortedIDs returns HashIDs of ids that are already sorted. The ids
// are copied into one buffer and hashed in 64 KiB writes, so a million
// short ids take a few hundred writes instead of two million.
func hashSortedIDs(ids []string) string {
	h := sha256.New()
	buf := make([]byte, 0, 64<<10)
	for _, id := range ids {
		if len(buf)+len(id)+1 > cap(buf) && len(buf) > 0 {
			h.Write(buf)
			buf = buf[:0]
		}
		buf = append(buf, id...)
		buf = append(buf, 0)
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// RowsIncidentsHash returns HashIDs of the distinct incident ids of rows,
// and how many there are.
func RowsIncidentsHash(rows []Result) (string, int) {
	ids := DistinctIncidentIDs(rows)
	return hashSortedIDs(ids), len(ids)
}

// DistinctIncidentIDs returns the distinct incident ids of rows, sorted.
// Sorting once serves both to find the distinct ids and to hash them, so
// no set of the ids is built.
func DistinctIncidentIDs(rows []Result) []string {
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].IncidentID
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// DuplicateRows returns, in ascending order, the indexes of the rows whose
// key (incident, agent, repeat) an earlier row already has. Keys are
// compared by a 64-bit hash first, and the hashes are sorted rather than
// put in a map. Rows whose hashes collide are compared in full.
func DuplicateRows(rows []Result) []int {
	type hashed struct {
		h   uint64
		row int32
	}
	seed := maphash.MakeSeed()
	hs := make([]hashed, len(rows))
	for i := range rows {
		hs[i] = hashed{keyHash(seed, &rows[i]), int32(i)}
	}
	slices.SortFunc(hs, func(a, b hashed) int {
		return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.row, b.row))
	})

	var dups []int
	for start := 0; start < len(hs); {
		end := start + 1
		for end < len(hs) && hs[end].h == hs[start].h {
			end++
		}
		// Within a run of equal hashes, rows are in slice order, so a row
		// is a duplicate when any row before it in the run has its key.
		for j := start + 1; j < end; j++ {
			for i := start; i < j; i++ {
				if rows[hs[i].row].Key() == rows[hs[j].row].Key() {
					dups = append(dups, int(hs[j].row))
					break
				}
			}
		}
		start = end
	}
	slices.Sort(dups)
	return dups
}
