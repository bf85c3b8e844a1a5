package datasets

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// A file given as a dataset is sometimes another soceval file: a run's
// results.parquet or a predictions JSONL. Listing every missing and unknown
// column of such a file as a rename is wrong advice, so the readers first
// check whether the file is an incident file at all.

// requiredFields lists the top-level JSON fields every incident has.
var requiredFields = []string{"id", "created_at", "title", "label"}

// foreignKinds recognises other soceval files by their top-level fields,
// most specific first.
var foreignKinds = []struct {
	fields []string
	advice string
}{
	{
		fields: []string{"incident_id", "agent", "repeat", "disposition"},
		advice: "it looks like soceval run results (results.parquet); open its run folder with soceval report or soceval compare, and validate the incident set the run used instead",
	},
	{
		fields: []string{"incident_id", "grade"},
		advice: "it looks like predictions (incident_id, grade); score a predictions JSONL file with soceval run --predictions FILE",
	},
}

// notIncidentMessage returns why a file whose records have the top-level
// fields names is not an incident file, or "" when it may be one. noun
// ("fields" or "columns") and required name the fields as the format spells
// them; all lists every field an incident file may have.
//
// A file counts as foreign when it has at most one of the required fields
// and fewer than half of all fields, so that a sparse or misspelt incident
// file still gets a problem for each field.
func notIncidentMessage(names, required, all []string, noun string) string {
	present := 0
	var have []string
	for _, name := range required {
		if slices.Contains(names, name) {
			present++
			have = append(have, name)
		}
	}
	known := 0
	for _, name := range all {
		if slices.Contains(names, name) {
			known++
		}
	}
	if present > 1 || 2*known >= len(all) {
		return ""
	}

	var b strings.Builder
	b.WriteString("not an incident file: ")
	if present == 0 {
		fmt.Fprintf(&b, "it has none of the %s %s", noun, strings.Join(required, ", "))
	} else {
		fmt.Fprintf(&b, "it has only %s of the %s %s", have[0], noun, strings.Join(required, ", "))
	}
	b.WriteString("; ")
	b.WriteString(foreignAdvice(names))
	return b.String()
}

func foreignAdvice(names []string) string {
	for _, kind := range foreignKinds {
		if containsAll(names, kind.fields) {
			return kind.advice
		}
	}
	return "an incident file has the record described in docs/datasets.md; convert other data with soceval dataset import or a script"
}

func containsAll(names, want []string) bool {
	for _, w := range want {
		if !slices.Contains(names, w) {
			return false
		}
	}
	return true
}

// foreignRecord returns a problem message when data, the first record of a
// JSONL or JSON file, is not an incident, or "".
func foreignRecord(data []byte) string {
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil {
		return ""
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	return notIncidentMessage(names, requiredFields, incidentFields, "fields")
}

// foreignParquet returns a problem message when the Parquet file at path is
// not an incident file, or "" when it may be one or cannot be read.
func foreignParquet(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return ""
	}

	var names []string
	for _, field := range pf.Schema().Fields() {
		names = append(names, field.Name())
	}
	return notIncidentMessage(names, requiredFields, incidentFields, "columns")
}
