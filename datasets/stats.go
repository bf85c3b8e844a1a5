package datasets

import (
	"cmp"
	"slices"
)

// Count is the number of incidents with one value of a field.
type Count struct {
	Value string `json:"value"`
	N     int    `json:"n"`
}

// Stats summarises an incident set by the fields runs are sliced on.
type Stats struct {
	Incidents int `json:"incidents"`
	// Alerts is the total number of alerts over all incidents.
	Alerts int `json:"alerts"`
	// ByGrade lists every grade, in the order of Grades, even when absent.
	ByGrade []Count `json:"by_grade"`
	// BySeverity lists severities from lowest to highest, then any others
	// ("" for unset).
	BySeverity []Count `json:"by_severity"`
	// ByCategory, BySource and TopTags are sorted by count, most first.
	ByCategory []Count `json:"by_category"`
	BySource   []Count `json:"by_source"`
	TopTags    []Count `json:"top_tags"`
	// WithHumanTTR counts incidents with a human handling time, and
	// EstimatedHumanTTR those among them where it is an estimate.
	WithHumanTTR      int `json:"with_human_ttr"`
	EstimatedHumanTTR int `json:"estimated_human_ttr"`
}

// ComputeStats counts incidents by grade, severity, category, source and
// tag, keeping the topTags most frequent tags.
func ComputeStats(incidents []Incident, topTags int) Stats {
	grade, sev, cat, src, tag := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	s := Stats{Incidents: len(incidents)}
	for i := range incidents {
		in := &incidents[i]
		s.Alerts += len(in.Alerts)
		grade[in.Label.Grade]++
		sev[in.Severity]++
		cat[in.Category]++
		src[in.Source]++
		for _, t := range in.Tags {
			tag[t]++
		}
		if in.Label.HumanTTRSeconds != nil {
			s.WithHumanTTR++
			if in.Label.HumanTTREstimated {
				s.EstimatedHumanTTR++
			}
		}
	}

	s.ByGrade = ordered(grade, Grades, true)
	s.BySeverity = ordered(sev, Severities, false)
	s.ByCategory = byCount(cat)
	s.BySource = byCount(src)
	s.TopTags = byCount(tag)
	if len(s.TopTags) > topTags {
		s.TopTags = s.TopTags[:topTags]
	}
	return s
}

// ordered lists counts in the order of known, then the other values by
// count. keepZero keeps known values that have no incident.
func ordered(counts map[string]int, known []string, keepZero bool) []Count {
	var out []Count
	for _, k := range known {
		if n := counts[k]; n > 0 || keepZero {
			out = append(out, Count{k, n})
		}
	}
	rest := map[string]int{}
	for k, n := range counts {
		if !slices.Contains(known, k) {
			rest[k] = n
		}
	}
	return append(out, byCount(rest)...)
}

func byCount(counts map[string]int) []Count {
	out := make([]Count, 0, len(counts))
	for k, n := range counts {
		out = append(out, Count{k, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Value, b.Value))
	})
	return out
}
