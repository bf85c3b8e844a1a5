package prompts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/soceval/soceval/datasets"
)

// IncidentView is what a template sees of an incident. It leaves out the
// label, which is the answer, and the tags, which name adversarial
// variants; enrichments are offered separately as .Enrichments so that a
// prompt with tools can leave them to tool calls.
type IncidentView struct {
	ID        string            `json:"id"`
	CreatedAt time.Time         `json:"created_at"`
	Title     string            `json:"title"`
	Source    string            `json:"source"`
	Category  string            `json:"category"`
	Severity  string            `json:"severity"`
	Alerts    []datasets.Alert  `json:"alerts"`
	Evidence  []datasets.Entity `json:"evidence"`
}

// templateData returns the value templates execute on. It is a map so
// that missingkey=error reports a misspelt top-level name.
//
// Templates can use:
//
//	.Incident     IncidentView
//	.Enrichments  []datasets.Enrichment, the recorded tool answers
//	.Tools        []string, the tools the prompt allows
//	.Prompt       map with Name and Version
func (p *Prompt) templateData(in *datasets.Incident) map[string]any {
	view := IncidentView{
		ID: in.ID, CreatedAt: in.CreatedAt, Title: in.Title, Source: in.Source,
		Category: in.Category, Severity: in.Severity, Alerts: in.Alerts, Evidence: in.Evidence,
	}
	enrichments := in.Enrichments
	if enrichments == nil {
		enrichments = []datasets.Enrichment{}
	}
	tools := p.Tools
	if tools == nil {
		tools = []string{}
	}
	return map[string]any{
		"Incident":    view,
		"Enrichments": enrichments,
		"Tools":       tools,
		"Prompt":      map[string]string{"Name": p.Name, "Version": p.Version},
	}
}

// funcs are the functions templates may call.
var funcs = template.FuncMap{
	"json":      jsonString,
	"untrusted": untrusted,
}

// jsonString returns v as compact JSON. Like every JSON this package
// writes, it escapes '<', '>' and '&' as \u003c, \u003e and \u0026.
func jsonString(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("json: %w", err)
	}
	return string(data), nil
}

var fenceLabelPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,31}$`)

// untrusted returns v as indented JSON between the lines
// "<<<BEGIN UNTRUSTED label>>>" and "<<<END UNTRUSTED label>>>".
// encoding/json escapes '<' and '>' inside strings, so no value can
// contain "<<<" and close the fence early or open a fake one.
func untrusted(label string, v any) (string, error) {
	if !fenceLabelPattern.MatchString(label) {
		return "", fmt.Errorf("untrusted: label %q must be upper-case letters, digits or '_'", label)
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("untrusted: %w", err)
	}
	return "<<<BEGIN UNTRUSTED " + label + ">>>\n" + string(data) + "\n<<<END UNTRUSTED " + label + ">>>", nil
}

// Render executes the prompt for one incident and returns the system and
// user messages, trimmed of surrounding blank lines.
func (p *Prompt) Render(in *datasets.Incident) (system, user string, err error) {
	if p.tmpl == nil {
		return "", "", fmt.Errorf("prompt %s was not loaded with Load, LoadFile or Parse", p.Ref())
	}
	data := p.templateData(in)

	system, err = p.execute("system", data, in.ID)
	if err != nil {
		return "", "", err
	}
	user, err = p.execute("user", data, in.ID)
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}

func (p *Prompt) execute(name string, data map[string]any, incidentID string) (string, error) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", newTemplateError(p, name, incidentID, err)
	}
	return strings.TrimSpace(buf.String()), nil
}

// maxCheckErrors bounds how many failing incidents Check reports.
const maxCheckErrors = 10

// Check renders the prompt for every incident and returns an error that
// names each failure (up to 10) with its template, file line and
// variable. Run it before any model call, so a misspelt variable stops a
// run before it spends money.
func (p *Prompt) Check(incidents []datasets.Incident) error {
	var errs []error
	failed := 0
	for i := range incidents {
		if _, _, err := p.Render(&incidents[i]); err != nil {
			failed++
			if failed <= maxCheckErrors {
				errs = append(errs, err)
			}
		}
	}
	if failed > maxCheckErrors {
		errs = append(errs, fmt.Errorf("%d more incidents failed to render", failed-maxCheckErrors))
	}
	return errors.Join(errs...)
}

// TemplateError is a failure to render a prompt for one incident.
type TemplateError struct {
	File       string
	Template   string // "system" or "user"
	Line       int    // file line, 0 when unknown
	Column     int
	Variable   string // such as ".Incident.Titel"
	IncidentID string
	Err        error
}

func (e *TemplateError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	fmt.Fprintf(&b, ": template %q", e.Template)
	if e.Variable != "" {
		fmt.Fprintf(&b, " variable %s", e.Variable)
	}
	fmt.Fprintf(&b, " (incident %q): %v", e.IncidentID, e.Err)
	if e.Variable != "" {
		b.WriteString("; templates can use .Incident (with ID, CreatedAt, Title, Source, Category, Severity, Alerts, Evidence), .Enrichments, .Tools and .Prompt")
	}
	return b.String()
}

func (e *TemplateError) Unwrap() error { return e.Err }

// execErrorPattern matches text/template execution errors, such as
// `template: triage/v1.md:12:5: executing "user" at <.Incidnet>: map has no entry for key "Incidnet"`.
var execErrorPattern = regexp.MustCompile(`^template: .*:(\d+):(\d+): executing "([^"]*)" at <([^>]*)>: (.*)$`)

func newTemplateError(p *Prompt, name, incidentID string, err error) *TemplateError {
	te := &TemplateError{File: p.Path, Template: name, IncidentID: incidentID, Err: err}
	m := execErrorPattern.FindStringSubmatch(err.Error())
	if m == nil {
		return te
	}
	te.Line, _ = strconv.Atoi(m[1])
	te.Column, _ = strconv.Atoi(m[2])
	te.Template = m[3]
	te.Variable = m[4]
	te.Err = errors.New(m[5])
	return te
}

// Fence returns v as indented JSON between the lines
// "<<<BEGIN UNTRUSTED label>>>" and "<<<END UNTRUSTED label>>>", the same
// fence templates get from the "untrusted" function. Tool results use it
// so that the model sees every piece of hostile data fenced the same way.
func Fence(label string, v any) (string, error) { return untrusted(label, v) }
