package datasets

import (
	"fmt"
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
	// "alerts[2].time"; empty for problems of the whole record or file.
	Field string
	// Message says what is wrong and what is expected.
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
}

func (ps *problems) add(line, row int, field, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns a *ValidationError when problems were found, else nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list}
}
