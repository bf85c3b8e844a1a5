package datasets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/soceval/soceval/internal/fuzzy"
)

// Field-by-field decoding. A record that fails the strict one-call decode
// is decoded again here, one JSON member at a time, so that every bad field
// is reported in one pass and the fields that do decode are still validated.
// Only records with a problem take this slower path.

// fieldReporter records that field did not decode, and why.
type fieldReporter func(field, msg string)

var timeType = reflect.TypeFor[time.Time]()

// exampleTime is the RFC 3339 example that timestamp messages show.
const exampleTime = "2025-07-04T16:05:49Z"

// decodeIncidentFields decodes one record that failed the strict decode.
// It returns false when data is not one JSON object, after reporting why.
// Otherwise in holds every field that decoded, and the returned list names
// the fields that did not, each already reported in ps.
func decodeIncidentFields(data []byte, in *Incident, ps *problems, line int) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		ps.add(line, 0, "", "%s; each line must be one JSON object describing an incident", jsonMessage(err))
		return nil, false
	}
	if dec.More() {
		ps.add(line, 0, "", "unexpected data after the incident object; each line must be one JSON object describing an incident")
	}
	if kind := jsonValueKind(raw); kind != "object" {
		ps.add(line, 0, "", "has a JSON %s, expected an object describing an incident", kind)
		return nil, false
	}

	var undecoded []string
	report := func(field, msg string) {
		ps.add(line, 0, field, "%s", msg)
		undecoded = append(undecoded, field)
	}
	*in = Incident{}
	decodeValue(raw, reflect.ValueOf(in).Elem(), "", report)
	normalize(in)
	return undecoded, true
}

// decodeValue decodes data into dst, descending into structs and slices so
// that a bad element or member is reported by its own path, such as
// "alerts[1].time". Values that fail to decode are left zero.
func decodeValue(data []byte, dst reflect.Value, path string, report fieldReporter) {
	t := dst.Type()
	switch {
	case t == timeType:
		decodeTime(data, dst, path, report)
	case t.Kind() == reflect.Struct:
		decodeObject(data, dst, path, report)
	case t.Kind() == reflect.Slice && jsonValueKind(data) != "null":
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			report(path, fmt.Sprintf("has a JSON %s, expected an array", jsonValueKind(data)))
			return
		}
		s := reflect.MakeSlice(t, len(elems), len(elems))
		for i, elem := range elems {
			decodeValue(elem, s.Index(i), fmt.Sprintf("%s[%d]", path, i), report)
		}
		dst.Set(s)
	default:
		if err := json.Unmarshal(data, dst.Addr().Interface()); err != nil {
			report(path, fmt.Sprintf("has a JSON %s, expected %s", jsonValueKind(data), jsonKind(t.String())))
		}
	}
}

// decodeObject decodes the JSON object data into the struct dst member by
// member, in the order of data, reporting unknown members with the known
// ones.
func decodeObject(data []byte, dst reflect.Value, path string, report fieldReporter) {
	switch kind := jsonValueKind(data); kind {
	case "null":
		return
	case "object":
	default:
		report(path, fmt.Sprintf("has a JSON %s, expected an object", kind))
		return
	}

	names, index := jsonFields(dst.Type())
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		report(path, jsonMessage(err))
		return
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			report(path, jsonMessage(err))
			return
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			report(path, jsonMessage(err))
			return
		}

		field := joinPath(path, key)
		i, ok := index[key]
		if !ok {
			report(field, unknownFieldMessage(key, names))
			continue
		}
		decodeValue(value, dst.Field(i), field, report)
	}
}

func decodeTime(data []byte, dst reflect.Value, path string, report fieldReporter) {
	kind := jsonValueKind(data)
	if kind == "null" {
		return
	}
	if kind != "string" {
		report(path, fmt.Sprintf("has a JSON %s, expected an RFC 3339 string such as %q", kind, exampleTime))
		return
	}
	var t time.Time
	if err := t.UnmarshalJSON(data); err != nil {
		var s string
		_ = json.Unmarshal(data, &s)
		report(path, fmt.Sprintf("invalid timestamp %s; expected an RFC 3339 string such as %q", quoteValue(s), exampleTime))
		return
	}
	dst.Set(reflect.ValueOf(t))
}

// jsonFields returns the JSON names of struct type t in declaration order
// and the index of the field each names.
func jsonFields(t reflect.Type) ([]string, map[string]int) {
	names := make([]string, 0, t.NumField())
	index := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		names = append(names, name)
		index[name] = i
	}
	return names, index
}

func unknownFieldMessage(key string, known []string) string {
	if guess := closestName(key, known); guess != "" {
		return fmt.Sprintf("unknown field; did you mean %s? (fields: %s)", guess, strings.Join(known, ", "))
	}
	return fmt.Sprintf("unknown field; check the spelling (fields: %s)", strings.Join(known, ", "))
}

// closestName returns the name in known that name most likely misspells:
// the same name in another case, or a name it abbreviates (mitre for
// mitre_techniques). Failing those, it returns the nearest name within one
// edit for names of three to five bytes and two edits for longer ones, the
// first in known on a tie, or "".
func closestName(name string, known []string) string {
	lower := strings.ToLower(name)
	for _, k := range known {
		if k == lower {
			return k
		}
	}
	if len(lower) >= 3 {
		for _, k := range known {
			if strings.HasPrefix(k, lower) {
				return k
			}
		}
	}

	var maxEdits int
	switch {
	case len(lower) <= 2:
		return ""
	case len(lower) <= 5:
		maxEdits = 1
	default:
		maxEdits = 2
	}
	best, bestDist := "", maxEdits+1
	for _, k := range known {
		if d := fuzzy.Distance(lower, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonValueKind names the kind of the JSON value data starts with.
func jsonValueKind(data []byte) string {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// maxQuotedValue caps how many bytes of a bad value a message repeats.
const maxQuotedValue = 60

// quoteValue quotes s for a message, escaping control characters and
// shortening it, because values come from untrusted files.
func quoteValue(s string) string {
	if len(s) <= maxQuotedValue {
		return fmt.Sprintf("%q", s)
	}
	cut := maxQuotedValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...", s[:cut])
}
