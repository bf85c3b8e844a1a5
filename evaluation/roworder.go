package evaluation

import (
	"cmp"
	"hash/maphash"
	"slices"

	"github.com/soceval/soceval/runstore"
)

// rowOrder places result rows in dataset order, then suite agent order,
// then repeat, so that the stored results do not depend on scheduling.
type rowOrder struct {
	incidents idIndex
	agents    map[string]int
}

// rowOrder records the order of the plan's incidents and agents.
func (p *Plan) rowOrder() *rowOrder {
	ids := make([]string, len(p.Incidents))
	for i := range p.Incidents {
		ids[i] = p.Incidents[i].ID
	}
	agents := make(map[string]int, len(p.Agents))
	for i, a := range p.Agents {
		agents[a.Name()] = i
	}
	return &rowOrder{incidents: newIDIndex(ids), agents: agents}
}

// release drops the plan's incidents and agents, which hold the dataset's
// records and any recorded predictions, so the garbage collector can free
// them. The plan cannot run again afterwards.
func (p *Plan) release() {
	p.Incidents = nil
	if p.Dataset != nil {
		p.Dataset.Incidents = nil
	}
	p.Agents = nil
}

// sort orders rows in place. Rows of an incident or agent the plan does
// not have come after the others, in their original order.
func (o *rowOrder) sort(rows []runstore.Result) {
	type placed struct {
		incident, agent, repeat int
		row                     int32
	}
	keys := make([]placed, len(rows))
	hint := 0
	for i := range rows {
		incident, ok := o.incidents.positionNear(rows[i].IncidentID, hint)
		if ok {
			hint = incident
		} else {
			incident = o.incidents.len()
		}
		agent, ok := o.agents[rows[i].Agent]
		if !ok {
			agent = len(o.agents)
		}
		keys[i] = placed{incident, agent, rows[i].Repeat, int32(i)}
	}

	// The keys are sorted rather than the rows, because a row is hundreds
	// of bytes. The rows are then moved once each. Ties keep the rows'
	// original order, as a stable sort would.
	slices.SortFunc(keys, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.incident, b.incident), cmp.Compare(a.agent, b.agent),
			cmp.Compare(a.repeat, b.repeat), cmp.Compare(a.row, b.row))
	})
	from := make([]int32, len(keys))
	for i := range keys {
		from[i] = keys[i].row
	}
	permute(rows, from)
}

// permute moves rows[from[i]] to rows[i] for every i, in place. from must
// be a permutation of the indexes of rows; it is overwritten.
func permute(rows []runstore.Result, from []int32) {
	for start := range from {
		if from[start] < 0 || int(from[start]) == start {
			continue
		}
		// Follow the cycle through start: each position takes the row
		// that belongs there, and the first row moved out fills the last.
		first := rows[start]
		i := start
		for {
			next := int(from[i])
			from[i] = -1
			if next == start {
				rows[i] = first
				break
			}
			rows[i] = rows[next]
			i = next
		}
	}
}

// idIndex finds the position of an id in a list of distinct ids. It keeps
// 64-bit hashes of the ids sorted with their positions, which takes a
// fraction of the memory and time of a map keyed by a million strings and
// holds no pointers for the garbage collector to scan. Ids whose hashes
// collide are distinguished by comparing the ids themselves.
type idIndex struct {
	seed    maphash.Seed
	ids     []string
	entries []idEntry
}

type idEntry struct {
	hash     uint64
	position int32
}

func newIDIndex(ids []string) idIndex {
	x := idIndex{seed: maphash.MakeSeed(), ids: ids, entries: make([]idEntry, len(ids))}
	for i, id := range ids {
		x.entries[i] = idEntry{maphash.String(x.seed, id), int32(i)}
	}
	slices.SortFunc(x.entries, func(a, b idEntry) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.position, b.position))
	})
	return x
}

func (x *idIndex) len() int { return len(x.ids) }

// positionNear returns the position of id like position, but first tries
// hint and the position after it, which is right for distinct ids. Rows read back from a results log are
// mostly in dataset order, so the previous row's position is a good hint
// and saves most of the searches.
func (x *idIndex) positionNear(id string, hint int) (int, bool) {
	for _, pos := range [2]int{hint, hint + 1} {
		if pos >= 0 && pos < len(x.ids) && x.ids[pos] == id {
			return pos, true
		}
	}
	return x.position(id)
}

// position returns the position of id, or false when id is not in the
// index. When an id occurs more than once, the first position is returned.
func (x *idIndex) position(id string) (int, bool) {
	h := maphash.String(x.seed, id)
	i, _ := slices.BinarySearchFunc(x.entries, h, func(e idEntry, h uint64) int { return cmp.Compare(e.hash, h) })
	for ; i < len(x.entries) && x.entries[i].hash == h; i++ {
		if pos := x.entries[i].position; x.ids[pos] == id {
			return int(pos), true
		}
	}
	return 0, false
}
