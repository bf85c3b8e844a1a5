package datasets

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
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
// misspelt header is not silently ignored. A row with bad cells is kept for
// validation, with each bad cell reported, so every problem of every row is
// listed at once. Problems name CSV columns, not JSON paths.
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
	ps.fieldName = csvColumnOf

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
		in, undecoded := parseCSVRecord(record, cols, ps, line)
		incidents = append(incidents, in)
		pos = append(pos, position{line: line, row: len(incidents)})
		ps.markUndecoded(len(incidents)-1, undecoded)
	}
}

// csvColumns maps each known column name to its index in header.
func csvColumns(header []string, ps *problems) (map[string]int, bool) {
	names := make([]string, len(header))
	for i, name := range header {
		names[i] = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
	}
	if msg := notIncidentMessage(names, csvRequired, csvHeader, "columns"); msg != "" {
		ps.add(1, 0, "", "%s", msg)
		return nil, false
	}

	cols := make(map[string]int, len(header))
	ok := true
	for i, name := range names {
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

// csvColumnOf returns the CSV column that holds the JSON field path field:
// label.grade is in label_grade, and other paths start with their column.
func csvColumnOf(field string) string {
	if rest, ok := strings.CutPrefix(field, "label."); ok {
		return "label_" + rest
	}
	return field
}

// parseCSVRecord decodes one row. It returns the incident with every cell
// that decoded and the JSON paths of the cells that did not, each reported
// in ps.
func parseCSVRecord(record []string, cols map[string]int, ps *problems, line int) (Incident, []string) {
	cell := func(name string) string {
		if i, ok := cols[name]; ok {
			return record[i]
		}
		return ""
	}
	var undecoded []string
	report := func(field, msg string) {
		ps.add(line, 0, field, "%s", msg)
		undecoded = append(undecoded, field)
	}

	var in Incident
	in.ID, in.Title, in.Source = cell("id"), cell("title"), cell("source")
	in.Category, in.Severity = cell("category"), cell("severity")
	in.Label.Grade, in.Label.Category, in.Label.Notes = cell("label_grade"), cell("label_category"), cell("label_notes")

	if s := cell("created_at"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			report("created_at", fmt.Sprintf("invalid timestamp %s; expected RFC 3339 such as %s", quoteValue(s), exampleTime))
		}
		in.CreatedAt = t
	}
	if s := cell("label_human_ttr_seconds"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) {
			report("label.human_ttr_seconds", fmt.Sprintf("invalid number %s; expected seconds, or an empty cell when unknown", quoteValue(s)))
		} else {
			in.Label.HumanTTRSeconds = &v
		}
	}
	if s := cell("label_human_ttr_estimated"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			report("label.human_ttr_estimated", fmt.Sprintf("invalid boolean %s; expected true or false", quoteValue(s)))
		}
		in.Label.HumanTTREstimated = v
	}

	jsonCells := []struct {
		col, field string
		dst        any
	}{
		{"label_actions", "label.actions", &in.Label.Actions}, {"tags", "tags", &in.Tags},
		{"alerts", "alerts", &in.Alerts}, {"evidence", "evidence", &in.Evidence}, {"enrichments", "enrichments", &in.Enrichments},
	}
	for _, c := range jsonCells {
		if s := cell(c.col); s != "" {
			decodeJSONCell(s, c.field, c.dst, report)
		}
	}

	normalize(&in)
	return in, undecoded
}

// decodeJSONCell decodes a cell holding a JSON array into dst. A cell that
// is not JSON is reported whole. A JSON array with bad elements or members
// is decoded again part by part, so that each bad part is reported.
func decodeJSONCell(s, field string, dst any, report fieldReporter) {
	err := decodeCell(s, dst)
	if err == nil {
		return
	}
	if !json.Valid([]byte(s)) {
		report(field, jsonMessage(err)+"; expected a JSON array as written by soceval (see docs/datasets.md)")
		return
	}
	v := reflect.ValueOf(dst).Elem()
	v.SetZero()
	decodeValue([]byte(s), v, field, report)
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
