package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// Flip kinds, worst first.
const (
	FlipThreatNewlyAutoClosed = "threat_newly_auto_closed"
	FlipNewlyWrong            = "newly_wrong"
	FlipNewlyCorrect          = "newly_correct"
	FlipDispositionChanged    = "disposition_changed"
)

var flipRank = map[string]int{
	FlipThreatNewlyAutoClosed: 0,
	FlipNewlyWrong:            1,
	FlipNewlyCorrect:          2,
	FlipDispositionChanged:    3,
}

// Flips returns the rows whose outcome changed from base to cand, paired
// by incident id and repeat, worst first: true positives the candidate
// newly auto-closed, then rows newly wrong, newly correct, and rows whose
// disposition alone changed. Each pair appears once, under its worst
// kind. Within a kind, must_pass incidents come first, then higher
// severity, then incident id and repeat. Rows present in only
// one run are not flips (see CompareCoverage).
func Flips(base, cand []runstore.Result) []Flip {
	byKey := make(map[rowKey]*runstore.Result, len(base))
	for i := range base {
		byKey[rowKey{base[i].IncidentID, base[i].Repeat}] = &base[i]
	}

	var flips []Flip
	for i := range cand {
		c := &cand[i]
		b, ok := byKey[rowKey{c.IncidentID, c.Repeat}]
		if !ok {
			continue
		}
		if kind := flipKind(b, c); kind != "" {
			flips = append(flips, Flip{
				IncidentID: c.IncidentID,
				Title:      c.Gold.Title,
				GoldGrade:  c.Gold.Grade,
				Category:   c.Gold.IncidentCategory,
				Kind:       kind,
				Baseline:   *b,
				Candidate:  *c,
			})
		}
	}

	slices.SortStableFunc(flips, func(x, y Flip) int {
		return cmp.Or(
			cmp.Compare(flipRank[x.Kind], flipRank[y.Kind]),
			cmp.Compare(mustPassRank(&x), mustPassRank(&y)),
			cmp.Compare(flipSeverity(y.Candidate.Gold.Severity), flipSeverity(x.Candidate.Gold.Severity)),
			strings.Compare(x.IncidentID, y.IncidentID),
			cmp.Compare(x.Candidate.Repeat, y.Candidate.Repeat),
		)
	})
	return flips
}

// flipKind returns the worst change from b to c, or "" for none.
func flipKind(b, c *runstore.Result) string {
	threat := c.Gold.Grade == datasets.GradeTruePositive
	autoClosed := func(r *runstore.Result) bool { return !r.Failed() && r.Disposition == runstore.AutoClosed }
	switch {
	case threat && autoClosed(c) && !autoClosed(b):
		return FlipThreatNewlyAutoClosed
	case b.Correct() && !c.Correct():
		return FlipNewlyWrong
	case !b.Correct() && c.Correct():
		return FlipNewlyCorrect
	case b.Disposition != c.Disposition:
		return FlipDispositionChanged
	}
	return ""
}

// IncidentCoverage compares the incidents of two row sets.
type IncidentCoverage struct {
	// Common is the number of incidents present in both.
	Common int `json:"common"`
	// OnlyBaseline and OnlyCandidate list the incident ids present in one
	// row set only, sorted.
	OnlyBaseline  []string `json:"only_baseline,omitempty"`
	OnlyCandidate []string `json:"only_candidate,omitempty"`
}

// CompareCoverage returns which incidents base and cand have in common.
func CompareCoverage(base, cand []runstore.Result) IncidentCoverage {
	ids := func(rows []runstore.Result) map[string]bool {
		m := make(map[string]bool)
		for i := range rows {
			m[rows[i].IncidentID] = true
		}
		return m
	}
	b, c := ids(base), ids(cand)

	var cov IncidentCoverage
	for id := range b {
		if c[id] {
			cov.Common++
		} else {
			cov.OnlyBaseline = append(cov.OnlyBaseline, id)
		}
	}
	for id := range c {
		if !b[id] {
			cov.OnlyCandidate = append(cov.OnlyCandidate, id)
		}
	}
	slices.Sort(cov.OnlyBaseline)
	slices.Sort(cov.OnlyCandidate)
	return cov
}

// Same reports whether both row sets cover exactly the same incidents.
func (c IncidentCoverage) Same() bool {
	return len(c.OnlyBaseline) == 0 && len(c.OnlyCandidate) == 0
}

// Err returns nil when both row sets cover the same incidents, else an
// error naming up to five incidents missing on each side.
func (c IncidentCoverage) Err() error {
	if c.Same() {
		return nil
	}
	return fmt.Errorf("runs cover different incidents (%d in common): %d only in the baseline%s, %d only in the candidate%s; compare runs of the same dataset",
		c.Common, len(c.OnlyBaseline), sample(c.OnlyBaseline), len(c.OnlyCandidate), sample(c.OnlyCandidate))
}

func sample(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	shown := ids[:min(5, len(ids))]
	more := ""
	if len(ids) > len(shown) {
		more = ", …"
	}
	return " (" + strings.Join(shown, ", ") + more + ")"
}

// matchRows pairs base and cand rows by incident id and repeat, in the
// order of base. It rejects duplicate rows, which mean the caller passed
// more than one agent, and gold grades that differ between the runs.
func matchRows(base, cand []runstore.Result) (mb, mc []*runstore.Result, err error) {
	byKey := make(map[rowKey]*runstore.Result, len(cand))
	for i := range cand {
		k := rowKey{cand[i].IncidentID, cand[i].Repeat}
		if _, dup := byKey[k]; dup {
			return nil, nil, fmt.Errorf("candidate has more than one row for incident %q repeat %d; pass the rows of one agent", k.incident, k.repeat)
		}
		byKey[k] = &cand[i]
	}

	seen := make(map[rowKey]bool, len(base))
	for i := range base {
		b := &base[i]
		k := rowKey{b.IncidentID, b.Repeat}
		if seen[k] {
			return nil, nil, fmt.Errorf("baseline has more than one row for incident %q repeat %d; pass the rows of one agent", k.incident, k.repeat)
		}
		seen[k] = true
		c, ok := byKey[k]
		if !ok {
			continue
		}
		if b.Gold.Grade != c.Gold.Grade {
			return nil, nil, fmt.Errorf("incident %q: gold grade is %q in the baseline and %q in the candidate; compare runs scored on the same dataset version", k.incident, b.Gold.Grade, c.Gold.Grade)
		}
		mb, mc = append(mb, b), append(mc, c)
	}
	if len(mb) == 0 {
		return nil, nil, fmt.Errorf("baseline (%d rows) and candidate (%d rows) have no incident and repeat in common", len(base), len(cand))
	}
	return mb, mc, nil
}

func mustPassRank(f *Flip) int {
	if slices.Contains(f.Candidate.Gold.Tags, TagMustPass) {
		return 0
	}
	return 1
}

// flipSeverity returns the index of severity in datasets.Severities,
// lowest first, or -1 when it is unknown, so unknown sorts last.
func flipSeverity(severity string) int {
	return slices.Index(datasets.Severities, severity)
}
