package metrics

import (
	"cmp"
	"slices"
	"strings"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// sliceView is the set of an agent's incidents that share one value of
// one dimension.
type sliceView struct {
	Dimension, Value string
	incidents        []int32
}

// sliceValues returns an incident's values for a dimension. An incident
// has one value per dimension except tag, where it has one per tag. Empty
// values are left out, so an incident without a source is in no source
// slice. variant_of: tags only pair an adversarial variant with its clean
// incident, and a slice of one incident says nothing, so they are left
// out too; at scale they made most of metrics.json.
//
// NOTE: every other tag value gets a slice with every metric, so a set
// with many distinct tags makes a large metrics.json (10 MB for the
// bundled default run, see docs/benchmarks.md).
func sliceValues(g *runstore.Gold, dimension string) []string {
	var values []string
	switch dimension {
	case "category":
		values = []string{g.IncidentCategory}
	case "severity":
		values = []string{g.Severity}
	case "source":
		values = []string{g.Source}
	case "tag":
		values = g.Tags
	}
	out := values[:0:0]
	for _, v := range values {
		if v != "" && !strings.HasPrefix(v, TagVariantOfPrefix) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// sliceViews returns the agent's slices: dimensions in the order of
// SliceDimensions; severities from lowest to highest, other values
// sorted. Slicing fields are read from each incident's first row.
func sliceViews(d *agentData) []sliceView {
	var out []sliceView
	for _, dim := range SliceDimensions {
		members := map[string][]int32{}
		for i := range d.incidents {
			for _, v := range sliceValues(d.incidents[i].gold, dim) {
				members[v] = append(members[v], int32(i))
			}
		}
		values := make([]string, 0, len(members))
		for v := range members {
			values = append(values, v)
		}
		slices.SortFunc(values, func(a, b string) int {
			if dim == "severity" {
				if c := cmp.Compare(severityRank(a), severityRank(b)); c != 0 {
					return c
				}
			}
			return cmp.Compare(a, b)
		})
		for _, v := range values {
			out = append(out, sliceView{Dimension: dim, Value: v, incidents: members[v]})
		}
	}
	return out
}

// severityRank orders known severities from lowest to highest and
// unknown ones after them.
func severityRank(s string) int {
	if i := slices.Index(datasets.Severities, s); i >= 0 {
		return i
	}
	return len(datasets.Severities)
}
