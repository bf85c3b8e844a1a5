package datasets

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// maxReportedProblems caps how many problems ValidationError.Error lists;
// the rest are counted.
const maxReportedProblems = 20

// Problem is one defect found in a dataset file.
type Problem struct {
	// File is the dataset file, or a name given to Validate.
	File string
	// Line is the 1-based line of the incident in a JSONL or CSV file,
	// zero when unknown.
	Line int
	// Row is the 1-based position of the incident in the file or slice,
	// used when there is no line number (Parquet, Validate on a slice).
	Row int
	// Field is the JSON field path, such as "label.grade" or
	// "alerts[2].time". In CSV files it is the column as written
	// (label_grade). It is empty for problems of a whole record or file.
	Field string
	// Message describes what is wrong and what is expected.
	Message string
}

// String formats p as "file:line: field: message", the form compilers use,
// so editors can jump to the line.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	switch {
	case p.Line > 0:
		fmt.Fprintf(&b, ":%d", p.Line)
	case p.Row > 0:
		fmt.Fprintf(&b, ": row %d", p.Row)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in a dataset, so a user can fix
// a file in one pass instead of one error per run.
type ValidationError struct {
	Problems []Problem
}

// Error lists the first problems, one per line, and counts the rest.
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	if n == 1 {
		b.WriteString("1 problem:")
	} else {
		fmt.Fprintf(&b, "%d problems:", n)
	}
	for i, p := range e.Problems {
		if i == maxReportedProblems {
			fmt.Fprintf(&b, "\n\t... and %d more", n-maxReportedProblems)
			break
		}
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects problems while a file is read and validated.
type problems struct {
	file string
	list []Problem

	// fieldName, when set, turns a JSON field path into the name the
	// file uses, such as the CSV column label_grade for label.grade.
	fieldName func(string) string

	// undecoded holds, by 0-based incident index, the fields that did
	// not decode and were already reported, so validate does not report
	// them again as missing.
	undecoded map[int][]string
}

func (ps *problems) add(line, row int, field, format string, args ...any) {
	if ps.fieldName != nil && field != "" {
		field = ps.fieldName(field)
	}
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// markUndecoded records the fields of incident i that did not decode.
func (ps *problems) markUndecoded(i int, fields []string) {
	if len(fields) == 0 {
		return
	}
	if ps.undecoded == nil {
		ps.undecoded = make(map[int][]string)
	}
	ps.undecoded[i] = fields
}

// err returns a *ValidationError when problems were found, else nil. The
// problems are sorted by line, then row, because decoding and validation
// find the problems of one line at different times. Problems of one line
// keep the order they were found in.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Row, b.Row))
	})
	return &ValidationError{Problems: ps.list}
}
