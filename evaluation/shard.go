package evaluation

import (
	"hash/fnv"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// ShardOf returns the incidents of shard s: those whose id hashes to
// s.Index modulo s.Count. The partition depends only on the ids, so every
// machine computes the same one, and shards stay balanced on any order.
func ShardOf(incidents []datasets.Incident, s runstore.Shard) []datasets.Incident {
	var out []datasets.Incident
	for _, in := range incidents {
		if shardIndex(in.ID, s.Count) == s.Index {
			out = append(out, in)
		}
	}
	return out
}

func shardIndex(id string, count int) int {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64() % uint64(count))
}
