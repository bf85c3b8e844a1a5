package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// readJSONL decodes one incident per non-blank line of r. Lines that fail to
// decode are reported in ps and skipped, so every bad line is listed at once.
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
			if decodeIncident(trimmed, &in, ps, lineNo) {
				incidents = append(incidents, in)
				pos = append(pos, position{line: lineNo, row: len(incidents)})
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
	for _, elem := range raw {
		// RawMessage elements are sub-slices of data, so their offset
		// gives the line where each incident starts.
		offset = bytes.Index(data[offset:], elem) + offset
		line := lineAt(data, int64(offset))
		var in Incident
		if decodeIncident(elem, &in, ps, line) {
			incidents = append(incidents, in)
			pos = append(pos, position{line: line, row: len(incidents)})
		}
		offset += len(elem)
	}
	return incidents, pos, nil
}

// decodeIncident decodes one JSON object into in and reports whether it
// succeeded; a failure is added to ps with the field it concerns.
func decodeIncident(data []byte, in *Incident, ps *problems, line int) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(in)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the incident object")
	}
	if err == nil {
		normalize(in)
		return true
	}

	field, msg := describeDecodeError(data, err)
	ps.add(line, 0, field, "%s", msg)
	return false
}

// describeDecodeError turns a decoding error into a field and a message that
// says what is expected.
func describeDecodeError(data []byte, err error) (field, msg string) {
	var (
		typeErr  *json.UnmarshalTypeError
		parseErr *time.ParseError
	)
	switch {
	case errors.As(err, &typeErr):
		return typeErr.Field, fmt.Sprintf("has a JSON %s, expected %s", typeErr.Value, jsonKind(typeErr.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return name, fmt.Sprintf("unknown field; check the spelling (fields: %s)", strings.Join(incidentFields, ", "))
	case errors.As(err, &parseErr) || strings.Contains(err.Error(), "Time.UnmarshalJSON"):
		return badTimeField(data), "invalid timestamp; expected an RFC 3339 string such as \"2025-07-04T16:05:49Z\""
	}
	return "", jsonMessage(err) + "; each line must be one JSON object describing an incident"
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

// badTimeField finds which timestamp of an incident line does not parse.
func badTimeField(data []byte) string {
	var probe struct {
		CreatedAt json.RawMessage `json:"created_at"`
		Alerts    []struct {
			Time json.RawMessage `json:"time"`
		} `json:"alerts"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return ""
	}
	var t time.Time
	if probe.CreatedAt != nil && t.UnmarshalJSON(probe.CreatedAt) != nil {
		return "created_at"
	}
	for i, a := range probe.Alerts {
		if a.Time != nil && t.UnmarshalJSON(a.Time) != nil {
			return fmt.Sprintf("alerts[%d].time", i)
		}
	}
	return ""
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
