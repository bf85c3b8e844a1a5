package gates

import (
	"slices"

	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// PairedRows returns a CompareFunc that runs metrics.Compare on the rows
// of one agent in a baseline and a candidate run, restricted to a slice
// when the rule names one. When the baseline holds a single agent, its
// rows are the baseline of every candidate agent, as Input.Baseline
// describes. opts should carry the run's seed, so that bootstrap tests
// are reproducible.
func PairedRows(baseline, candidate []runstore.Result, opts metrics.Options) CompareFunc {
	only := singleAgent(baseline)
	return func(agent string, slice *SliceRef, metric string) (metrics.Delta, error) {
		baseAgent := agent
		if only != "" {
			baseAgent = only
		}
		return metrics.Compare(selectRows(baseline, baseAgent, slice), selectRows(candidate, agent, slice), metric, opts)
	}
}

// singleAgent returns the agent of rows when they hold exactly one.
func singleAgent(rows []runstore.Result) string {
	if len(rows) == 0 {
		return ""
	}
	name := rows[0].Agent
	for i := range rows {
		if rows[i].Agent != name {
			return ""
		}
	}
	return name
}

// selectRows returns the rows of one agent in a slice. Slices are read
// from the gold snapshot as metrics slices them: category is the
// incident's category, and an incident is in every tag slice it carries.
func selectRows(rows []runstore.Result, agent string, slice *SliceRef) []runstore.Result {
	all := true
	for i := range rows {
		if rows[i].Agent != agent || !inSlice(&rows[i].Gold, slice) {
			all = false
			break
		}
	}
	if all {
		return rows
	}

	var out []runstore.Result
	for i := range rows {
		r := &rows[i]
		if r.Agent == agent && inSlice(&r.Gold, slice) {
			out = append(out, *r)
		}
	}
	return out
}

func inSlice(g *runstore.Gold, s *SliceRef) bool {
	if s == nil {
		return true
	}
	switch s.Dimension {
	case "category":
		return g.IncidentCategory == s.Value
	case "severity":
		return g.Severity == s.Value
	case "source":
		return g.Source == s.Value
	case "tag":
		return slices.Contains(g.Tags, s.Value)
	default:
		return false
	}
}
