package datasets

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CSV layout: one incident per row. Scalar fields are plain columns; the
// label is spread over label_* columns; lists of records (alerts, evidence,
// enrichments) and of strings (tags, label_actions) are JSON arrays in one
// cell. An empty label_human_ttr_seconds cell means unknown.
var csvHeader = []string{
	"id", "created_at", "title", "source", "category", "severity",
	"label_grade", "label_category", "label_actions", "label_human_ttr_seconds", "label_human_ttr_estimated", "label_notes",
	"tags", "alerts", "evidence", "enrichments",
}

// csvRequired lists the columns a CSV file must have; the others may be
// left out and read as empty.
var csvRequired = []string{"id", "created_at", "title", "label_grade"}

// WriteCSV writes incidents to w in the CSV layout documented on csvHeader,
// with a header row and times in RFC 3339 UTC with nanoseconds.
func WriteCSV(w io.Writer, incidents []Incident) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	for i := range incidents {
		row, err := csvRow(&incidents[i])
		if err != nil {
			return err
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write CSV row for incident %q: %w", incidents[i].ID, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(in *Incident) ([]string, error) {
	c := *in
	normalize(&c)

	var ttr string
	if c.Label.HumanTTRSeconds != nil {
		ttr = strconv.FormatFloat(*c.Label.HumanTTRSeconds, 'g', -1, 64)
	}
	cells := []string{
		c.ID, formatTime(c.CreatedAt), c.Title, c.Source, c.Category, c.Severity,
		c.Label.Grade, c.Label.Category, "", ttr, strconv.FormatBool(c.Label.HumanTTREstimated), c.Label.Notes,
		"", "", "", "",
	}
	lists := []struct {
		col int
		v   any
	}{{8, c.Label.Actions}, {12, c.Tags}, {13, c.Alerts}, {14, c.Evidence}, {15, c.Enrichments}}
	for _, l := range lists {
		s, err := marshalCell(l.v)
		if err != nil {
			return nil, fmt.Errorf("encode %s of incident %q: %w", csvHeader[l.col], in.ID, err)
		}
		cells[l.col] = s
	}
	return cells, nil
}

func marshalCell(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// readCSV decodes incidents from a CSV file in the layout of csvHeader.
// Columns may come in any order; unknown columns are an error so that a
// misspelt header is not silently ignored.
func readCSV(r io.Reader, ps *problems) ([]Incident, []position, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		ps.add(1, 0, "", "invalid CSV header: %v", err)
		return nil, nil, nil
	}
	cols, ok := csvColumns(header, ps)
	if !ok {
		return nil, nil, nil
	}

	var (
		incidents []Incident
		pos       []position
	)
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return incidents, pos, nil
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			ps.add(parseErr.Line, 0, "", "invalid CSV: %v; quote cells that contain commas, quotes or line breaks", parseErr.Err)
			if parseErr.Err == csv.ErrFieldCount {
				continue
			}
			return incidents, pos, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", ps.file, err)
		}

		line, _ := cr.FieldPos(0)
		in, ok := parseCSVRecord(record, cols, ps, line)
		if ok {
			incidents = append(incidents, in)
			pos = append(pos, position{line: line, row: len(incidents)})
		}
	}
}

// csvColumns maps each known column name to its index in header.
func csvColumns(header []string, ps *problems) (map[string]int, bool) {
	cols := make(map[string]int, len(header))
	ok := true
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		switch {
		case !slices.Contains(csvHeader, name):
			ps.add(1, 0, name, "unknown column; expected columns: %s", strings.Join(csvHeader, ","))
			ok = false
		case hasKey(cols, name):
			ps.add(1, 0, name, "duplicate column; each column may appear once")
			ok = false
		default:
			cols[name] = i
		}
	}
	for _, name := range csvRequired {
		if !hasKey(cols, name) {
			ps.add(1, 0, name, "missing column; the header needs at least %s", strings.Join(csvRequired, ","))
			ok = false
		}
	}
	return cols, ok
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

func parseCSVRecord(record []string, cols map[string]int, ps *problems, line int) (Incident, bool) {
	cell := func(name string) string {
		if i, ok := cols[name]; ok {
			return record[i]
		}
		return ""
	}
	before := len(ps.list)
	var in Incident
	in.ID, in.Title, in.Source = cell("id"), cell("title"), cell("source")
	in.Category, in.Severity = cell("category"), cell("severity")
	in.Label.Grade, in.Label.Category, in.Label.Notes = cell("label_grade"), cell("label_category"), cell("label_notes")

	if s := cell("created_at"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			ps.add(line, 0, "created_at", "invalid timestamp %q; expected RFC 3339 such as 2025-07-04T16:05:49Z", s)
		}
		in.CreatedAt = t
	}
	if s := cell("label_human_ttr_seconds"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) {
			ps.add(line, 0, "label_human_ttr_seconds", "invalid number %q; expected seconds, or an empty cell when unknown", s)
		}
		in.Label.HumanTTRSeconds = &v
	}
	if s := cell("label_human_ttr_estimated"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			ps.add(line, 0, "label_human_ttr_estimated", "invalid boolean %q; expected true or false", s)
		}
		in.Label.HumanTTREstimated = v
	}

	jsonCells := []struct {
		col string
		dst any
	}{
		{"label_actions", &in.Label.Actions}, {"tags", &in.Tags},
		{"alerts", &in.Alerts}, {"evidence", &in.Evidence}, {"enrichments", &in.Enrichments},
	}
	for _, c := range jsonCells {
		s := cell(c.col)
		if s == "" {
			continue
		}
		if err := decodeCell(s, c.dst); err != nil {
			ps.add(line, 0, c.col, "%s; expected a JSON array as written by soceval (see docs/datasets.md)", jsonMessage(err))
		}
	}

	if len(ps.list) > before {
		return Incident{}, false
	}
	normalize(&in)
	return in, true
}

func decodeCell(s string, dst any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON array")
	}
	return nil
}
