package datasets

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Timestamps outside these years are rejected: they are almost always a
// unit mistake (seconds read as milliseconds) or an unset value, and
// Parquet nanosecond timestamps cannot hold years outside 1678–2262.
const (
	minYear = 1970
	maxYear = 2200
)

// position locates an incident in its source file for problem reports.
type position struct{ line, row int }

// Validate checks incidents against the record's rules and returns a
// *ValidationError listing every problem, or nil. file names the source in
// the problems; positions are reported as 1-based rows of the slice.
//
// The rules: id, created_at, title and label.grade are required, and ids
// are unique. Grade and severity come from Grades and Severities. Times fall
// between 1970 and 2200. human_ttr_seconds is finite and not negative, and
// human_ttr_estimated needs it. Alerts, evidence entities, enrichments and
// tags carry their identifying fields.
func Validate(file string, incidents []Incident) error {
	ps := &problems{file: file}
	validate(ps, incidents, nil)
	return ps.err()
}

// validate appends the problems of incidents to ps. pos, when not nil, holds
// each incident's line in its file.
func validate(ps *problems, incidents []Incident, pos []position) {
	firstSeen := make(map[string]position, len(incidents))
	for i := range incidents {
		at := position{row: i + 1}
		if pos != nil {
			at = pos[i]
		}
		in := &incidents[i]
		validateIncident(ps, in, at, ps.undecoded[i])

		if in.ID == "" {
			continue
		}
		if first, dup := firstSeen[in.ID]; dup {
			ps.add(at.line, at.row, "id", "duplicate id %s, first used at %s; ids must be unique", quoteValue(in.ID), first.describe())
			continue
		}
		firstSeen[in.ID] = at
	}
}

func (p position) describe() string {
	if p.line > 0 {
		return fmt.Sprintf("line %d", p.line)
	}
	return fmt.Sprintf("row %d", p.row)
}

// dependsOn maps a check's field to the field its verdict depends on, so
// the check is skipped when that field did not decode.
var dependsOn = map[string]string{"label.human_ttr_estimated": "label.human_ttr_seconds"}

// validateIncident adds the problems of in to ps. undecoded lists the fields
// that did not decode and were reported already; checks on them and on
// their parts are skipped, since the decoder left them zero.
func validateIncident(ps *problems, in *Incident, at position, undecoded []string) {
	add := func(field, format string, args ...any) {
		if covers(undecoded, field) || covers(undecoded, dependsOn[field]) {
			return
		}
		ps.add(at.line, at.row, field, format, args...)
	}

	if strings.TrimSpace(in.ID) == "" {
		add("id", "missing; every incident needs a unique id")
	}
	if in.CreatedAt.IsZero() {
		add("created_at", "missing; expected an RFC 3339 time such as 2025-07-04T16:05:49Z")
	} else if msg := checkTime(in.CreatedAt); msg != "" {
		add("created_at", "%s", msg)
	}
	if strings.TrimSpace(in.Title) == "" {
		add("title", "missing; give the incident a one-line title")
	}
	if in.Severity != "" && !slices.Contains(Severities, in.Severity) {
		add("severity", "unknown severity %s; expected one of %s, or empty%s", quoteValue(in.Severity), strings.Join(Severities, ", "), severityHint(in.Severity))
	}

	validateLabel(add, &in.Label)
	validateParts(add, in)
}

func validateLabel(add func(field, format string, args ...any), l *Label) {
	switch {
	case l.Grade == "":
		add("label.grade", "missing; expected one of %s", strings.Join(Grades, ", "))
	case !slices.Contains(Grades, l.Grade):
		add("label.grade", "unknown grade %s; expected one of %s%s", quoteValue(l.Grade), strings.Join(Grades, ", "), gradeHint(l.Grade))
	}

	if s := l.HumanTTRSeconds; s != nil {
		if math.IsNaN(*s) || math.IsInf(*s, 0) || *s < 0 {
			add("label.human_ttr_seconds", "%v is not a duration; expected seconds >= 0, or null when unknown", *s)
		}
	} else if l.HumanTTREstimated {
		add("label.human_ttr_estimated", "is true but human_ttr_seconds is null; set the estimate or drop the flag")
	}
}

// gradeHint suggests the grade a common abbreviation or spelling means.
func gradeHint(grade string) string {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(grade), "-", "_")) {
	case "tp", "true_positive", "true positive", "malicious":
		return " (did you mean true_positive?)"
	case "fp", "false_positive", "false positive":
		return " (did you mean false_positive?)"
	case "bp", "benign_positive", "benign positive", "benign":
		return " (did you mean benign_positive?)"
	}
	return ""
}

// severityHint suggests the severity a different case or a common
// abbreviation means.
func severityHint(severity string) string {
	s := strings.ToLower(strings.TrimSpace(severity))
	switch s {
	case "info":
		s = "informational"
	case "med", "moderate":
		s = "medium"
	case "crit":
		s = "critical"
	}
	if slices.Contains(Severities, s) {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
}

// covers reports whether field is one of fields or a part of one, such as
// alerts[0].id of alerts or label.grade of label.
func covers(fields []string, field string) bool {
	if field == "" {
		return false
	}
	for _, f := range fields {
		if field == f || strings.HasPrefix(field, f+".") || strings.HasPrefix(field, f+"[") {
			return true
		}
	}
	return false
}

func validateParts(add func(field, format string, args ...any), in *Incident) {
	for i, a := range in.Alerts {
		if strings.TrimSpace(a.ID) == "" {
			add(fmt.Sprintf("alerts[%d].id", i), "missing; every alert needs the id its detector gave it")
		}
		if !a.Time.IsZero() {
			if msg := checkTime(a.Time); msg != "" {
				add(fmt.Sprintf("alerts[%d].time", i), "%s", msg)
			}
		}
	}
	for i, e := range in.Evidence {
		if strings.TrimSpace(e.Type) == "" {
			add(fmt.Sprintf("evidence[%d].type", i), "missing; expected an entity type such as ip, user, file, process, url")
		}
		if e.Value == "" {
			add(fmt.Sprintf("evidence[%d].value", i), "missing; an entity needs the value it names")
		}
	}
	for i, e := range in.Enrichments {
		if strings.TrimSpace(e.Tool) == "" {
			add(fmt.Sprintf("enrichments[%d].tool", i), "missing; expected the name of the tool whose answer this records")
		}
	}
	for i, t := range in.Tags {
		if strings.TrimSpace(t) == "" {
			add(fmt.Sprintf("tags[%d]", i), "empty tag; remove it")
		}
	}
}

// checkTime returns why t is not a plausible incident time, or "".
func checkTime(t time.Time) string {
	if y := t.Year(); y < minYear || y > maxYear {
		return fmt.Sprintf("%s is out of range; expected a time between %d and %d", t.Format(time.RFC3339), minYear, maxYear)
	}
	return ""
}
