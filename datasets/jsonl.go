package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readJSONL decodes one incident per non-blank line of r. A line that is
// not one JSON object is reported in ps and skipped. A line with bad fields
// is reported field by field and kept for validation, so that every problem
// of every line is listed at once.
func readJSONL(r io.Reader, ps *problems) ([]Incident, []position, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var (
		incidents []Incident
		pos       []position
	)
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s:%d: %w", ps.file, lineNo, err)
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			var in Incident
			first := len(incidents) == 0 && len(ps.list) == 0
			undecoded, ok := decodeIncident(trimmed, &in, ps, lineNo)
			if first && len(ps.list) > 0 && rejectForeign(trimmed, ps, lineNo) {
				return nil, nil, nil
			}
			if ok {
				incidents = append(incidents, in)
				pos = append(pos, position{line: lineNo, row: len(incidents)})
				ps.markUndecoded(len(incidents)-1, undecoded)
			}
		}
		if errors.Is(err, io.EOF) {
			return incidents, pos, nil
		}
	}
}

// readJSONArray decodes a JSON array of incidents, locating each element by
// the line where it starts.
func readJSONArray(data []byte, ps *problems) ([]Incident, []position, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		ps.add(lineAt(data, offsetOf(err)), 0, "", "%s; a .json dataset must be one JSON array of incident objects", jsonMessage(err))
		return nil, nil, nil
	}

	var (
		incidents []Incident
		pos       []position
		offset    int
	)
	for i, elem := range raw {
		// RawMessage elements are sub-slices of data, so their offset
		// gives the line where each incident starts.
		offset = bytes.Index(data[offset:], elem) + offset
		line := lineAt(data, int64(offset))
		var in Incident
		undecoded, ok := decodeIncident(elem, &in, ps, line)
		if i == 0 && len(ps.list) > 0 && rejectForeign(elem, ps, line) {
			return nil, nil, nil
		}
		if ok {
			incidents = append(incidents, in)
			pos = append(pos, position{line: line, row: len(incidents)})
			ps.markUndecoded(len(incidents)-1, undecoded)
		}
		offset += len(elem)
	}
	return incidents, pos, nil
}

// rejectForeign checks the first record of a file, which had problems. When
// the record is not an incident at all, its problems are replaced by one
// that says what the file is, and rejectForeign returns true.
func rejectForeign(record []byte, ps *problems, line int) bool {
	msg := foreignRecord(record)
	if msg == "" {
		return false
	}
	ps.list = ps.list[:0]
	ps.add(line, 0, "", "%s", msg)
	return true
}

// decodeIncident decodes one JSON object into in. It returns false when
// data is not one JSON object. Otherwise it returns the fields that did not
// decode, each reported in ps, and in holds the fields that did.
func decodeIncident(data []byte, in *Incident, ps *problems, line int) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err == nil && !dec.More() {
		normalize(in)
		return nil, true
	}
	return decodeIncidentFields(data, in, ps, line)
}

// incidentFields lists the top-level JSON fields of Incident.
var incidentFields = []string{"id", "created_at", "title", "source", "category", "severity", "alerts", "evidence", "enrichments", "label", "tags"}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "datasets."):
		return "an object"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "float"), strings.HasPrefix(goType, "int"), goType == "*float64":
		return "a number"
	}
	return goType
}

// jsonMessage strips the "json: " prefix and adds the byte offset of a
// syntax error.
func jsonMessage(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "invalid JSON: a value is not closed"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func offsetOf(err error) int64 {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return syn.Offset
	}
	return 0
}

// lineAt returns the 1-based line of byte offset in data.
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte{'\n'}) + 1
}

// WriteJSONL writes incidents to w, one JSON object per line, in the
// canonical form the dataset hash is computed over: times in UTC, empty
// lists as [] and HTML characters unescaped.
func WriteJSONL(w io.Writer, incidents []Incident) error {
	jw := NewJSONLWriter(w)
	for i := range incidents {
		if err := jw.Write(&incidents[i]); err != nil {
			return err
		}
	}
	return jw.Flush()
}

// JSONLWriter streams incidents as JSONL, one at a time, for sets too large
// to hold in memory.
type JSONLWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// NewJSONLWriter returns a writer that encodes incidents to w. Call Flush
// when done.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{bw: bw, enc: enc}
}

// Write encodes one incident in canonical form. in is not modified.
func (jw *JSONLWriter) Write(in *Incident) error {
	c := *in
	normalize(&c)
	if err := jw.enc.Encode(&c); err != nil {
		return fmt.Errorf("encode incident %q: %w", in.ID, err)
	}
	return nil
}

// Flush writes buffered data to the underlying writer.
func (jw *JSONLWriter) Flush() error { return jw.bw.Flush() }
