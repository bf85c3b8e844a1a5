package gates

import (
	"fmt"
	"strings"

	"github.com/soceval/soceval/runstore"
)

// maxListed caps how many incident ids a validity problem lists.
const maxListed = 5

// CheckRun returns why a run cannot be judged, or nil when it can: the
// manifest does not mark it complete, its rows do not match the
// manifest's incidents (count and ids hash) or expected row count, a row is duplicated, or
// more rows than the policy's error budget got no reply at all. Format
// failures do not count against the budget: they are the agent's fault
// and the metrics already score them as wrong.
func (p *Policy) CheckRun(m *runstore.Manifest, rows []runstore.Result) []string {
	var problems []string
	if m == nil {
		return []string{"the run has no manifest: gate a run folder written by soceval run"}
	}

	if m.Status != runstore.StatusComplete {
		problems = append(problems, fmt.Sprintf("run %s is not complete (manifest status %q): resume or merge it before gating", m.RunID, m.Status))
	}
	if m.ExpectedRows > 0 && len(rows) != m.ExpectedRows {
		problems = append(problems, fmt.Sprintf("run %s has %d result rows, but its manifest expects %d", m.RunID, len(rows), m.ExpectedRows))
	}

	problems = append(problems, checkIncidents(m, rows)...)
	if msg := p.checkErrors(rows); msg != "" {
		problems = append(problems, msg)
	}
	return problems
}

// checkIncidents compares the rows' distinct incidents with the
// manifest's count and ids hash, and looks for rows written twice.
func checkIncidents(m *runstore.Manifest, rows []runstore.Result) []string {
	var problems []string

	if dups := runstore.DuplicateRows(rows); len(dups) > 0 {
		duplicates := make([]string, len(dups))
		for i, row := range dups {
			k := rows[row].Key()
			duplicates[i] = fmt.Sprintf("%s/%s/%d", k.IncidentID, k.Agent, k.Repeat)
		}
		problems = append(problems, fmt.Sprintf("%d result rows are duplicated (incident/agent/repeat %s)", len(duplicates), listIDs(duplicates)))
	}

	hash, distinct := runstore.RowsIncidentsHash(rows)
	if m.Incidents > 0 && distinct != m.Incidents {
		problems = append(problems, fmt.Sprintf("run %s has results for %d distinct incidents, but its manifest lists %d", m.RunID, distinct, m.Incidents))
		return problems
	}
	if m.IncidentsSHA256 == "" || len(rows) == 0 {
		return problems
	}
	if hash != m.IncidentsSHA256 {
		problems = append(problems, fmt.Sprintf("run %s: the incidents in the results are not the ones its manifest lists (ids hash %.12s, manifest %.12s)",
			m.RunID, hash, m.IncidentsSHA256))
	}
	return problems
}

// checkErrors compares the share of rows with a harness error with the
// error budget.
func (p *Policy) checkErrors(rows []runstore.Result) string {
	if len(rows) == 0 {
		return ""
	}
	errored := 0
	first := ""
	for i := range rows {
		if rows[i].Error != "" {
			errored++
			if first == "" {
				first = rows[i].Error
			}
		}
	}
	share := float64(errored) / float64(len(rows))
	if share <= p.ErrorBudget {
		return ""
	}
	// The first error names the cause, which may be an endpoint, a missing
	// recording or a verdict missing from a predictions file.
	return fmt.Sprintf("%d of %d rows (%.1f%%) got no verdict, over the policy's error budget of %s%%; the first error: %s",
		errored, len(rows), 100*share, formatLimit(100*p.ErrorBudget), first)
}

func listIDs(ids []string) string {
	if len(ids) <= maxListed {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(ids)-maxListed)
}
