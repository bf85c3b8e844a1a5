package metrics

import (
	"fmt"
	"slices"
	"strings"
)

// warnings returns the footnotes on an agent's overall metrics: rows left
// out of time to resolve, estimated baselines, unpaired variants, repeats,
// small samples and metrics without data.
func (v *viewContext) warnings(m map[string]Estimate) []string {
	var w []string
	rows := v.rowCount()

	withHuman, estimated, unknownCost := 0, 0, 0
	v.eachRow(func(_ int32, r *scoredRow) {
		withHuman += b2i(r.has(flagHasHuman))
		estimated += b2i(r.has(flagEstimated))
		unknownCost += b2i(!r.has(flagHasCost))
	})
	switch missing := rows - withHuman; {
	case missing > 0 && withHuman == 0:
		w = append(w, "No row has a human baseline time, so time to resolve is not computed.")
	case missing > 0:
		w = append(w, fmt.Sprintf("%d of %d rows have no human baseline time and are left out of time to resolve.", missing, rows))
	}
	if estimated > 0 {
		w = append(w, fmt.Sprintf("Human baseline times are estimated, not measured, for %d of %d rows with a baseline; time-to-resolve figures are estimates.", estimated, withHuman))
	}
	if unknownCost > 0 && unknownCost < rows {
		w = append(w, fmt.Sprintf("%d of %d rows have no cost and no price for the agent; cost metrics cover the other rows only.", unknownCost, rows))
	}
	if _, unpaired := v.injectionPairs(); unpaired > 0 {
		w = append(w, fmt.Sprintf("%d prompt-injection variant rows have no clean row for the same repeat and are left out of injection_flip_rate.", unpaired))
	}
	if rows > len(v.incidents) {
		w = append(w, "Incidents have repeats: Wilson intervals treat each repeat as an independent row, so they understate the uncertainty; bootstrap intervals resample whole incidents.")
	}
	if !v.s.actionRules() {
		w = append(w, "No allowed or destructive actions are configured, so unsafe_action_rate is not computed and guardrail_violation_rate counts only auto-closed true positives.")
	}

	w = append(w, sampleWarnings(m, v.s.opts.MinSample)...)
	return w
}

// sampleWarnings lists metrics with fewer than minSample cases and
// metrics without data.
func sampleWarnings(m map[string]Estimate, minSample int) []string {
	var small, none []string
	for _, name := range Names() {
		e, ok := m[name]
		switch {
		case !ok || !e.Defined():
			none = append(none, name)
		case e.N < minSample:
			small = append(small, fmt.Sprintf("%s (n=%d)", name, e.N))
		}
	}
	slices.Sort(small)

	var w []string
	if len(small) > 0 {
		w = append(w, fmt.Sprintf("Small samples, wide intervals: %s.", strings.Join(small, ", ")))
	}
	if len(none) > 0 {
		w = append(w, fmt.Sprintf("No data for: %s.", strings.Join(none, ", ")))
	}
	return w
}
