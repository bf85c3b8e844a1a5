// Package prompts loads, validates, renders and hashes versioned prompt
// templates.
//
// A prompt is one Markdown file at <name>/<version>.md, such as
// triage/v2.md. The file starts with YAML front matter between two "---"
// lines that holds the generation settings (model, temperature,
// max_tokens, response_format, schema, tools, description). The rest of the
// file is a text/template body that must define two templates, "system"
// and "user", which become the system and user messages. Text outside the
// two definitions is ignored, so it can hold notes for reviewers.
//
// Incident text is hostile: templates reach it only through a redacted
// view without the label or tags, and the "untrusted" function prints it
// as JSON inside a fence that the data itself cannot close.
package prompts

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// Bundled holds the prompts shipped with soceval, such as triage/v1.
//
//go:embed triage
var Bundled embed.FS

// Response formats a prompt can request from the model.
const (
	// FormatJSONSchema asks for structured output that conforms to Schema
	// (response_format type json_schema).
	FormatJSONSchema = "json_schema"
	// FormatJSONObject asks for any JSON object (response_format type
	// json_object); the schema is then enforced only by parsing.
	FormatJSONObject = "json_object"
	// FormatText sends no response_format; the verdict is extracted from
	// the reply text.
	FormatText = "text"
)

// Prompt is one loaded prompt version: its settings from the front matter
// and its parsed template body.
type Prompt struct {
	// Name and Version come from the file path <name>/<version>.md.
	Name    string
	Version string
	// Path is the file the prompt was loaded from, used in error messages.
	Path        string
	Description string
	// Model is the default model; an agent's settings may override it.
	Model string
	// Temperature is nil when the front matter does not set one.
	Temperature *float64
	MaxTokens   int
	// Tools lists the investigation tools the model may call.
	Tools []string
	// ResponseFormat is FormatJSONSchema, FormatJSONObject or FormatText.
	ResponseFormat string
	// SchemaName names the output schema, such as "verdict".
	SchemaName string
	// Schema is the JSON schema of the expected reply.
	Schema json.RawMessage
	// Text is the whole file; Body is the part after the front matter.
	Text string
	Body string
	// BodyLine is the 1-based file line on which Body starts.
	BodyLine int
	// SHA256 is the hex SHA-256 of the whole file, recorded in run
	// manifests so that a result can be traced to the exact prompt text.
	SHA256 string

	tmpl *template.Template
}

// Ref returns the prompt's reference, such as "triage/v2".
func (p *Prompt) Ref() string { return p.Name + "/" + p.Version }

var refPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*/v[0-9]+[a-z0-9._-]*$`)

// Load reads the prompt ref, such as "triage/v1", from fsys, where it is
// the file triage/v1.md. Use Bundled for the shipped prompts or
// os.DirFS for a directory of your own.
func Load(fsys fs.FS, ref string) (*Prompt, error) {
	ref = strings.TrimSuffix(ref, ".md")
	if !refPattern.MatchString(ref) {
		return nil, fmt.Errorf("invalid prompt reference %q: want <name>/<version>, such as triage/v1", ref)
	}

	file := ref + ".md"
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("prompt %s: %w", ref, err)
	}
	return Parse(file, data)
}

// LoadFile reads a prompt from a file on disk. The file's directory names
// the prompt and its base name the version: prompts/triage/v3.md is
// triage/v3.
func LoadFile(name string) (*Prompt, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read prompt: %w", err)
	}
	p, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Open resolves ref as a prompt file on disk when it ends in ".md", and
// otherwise as a bundled prompt reference such as "triage/v2".
func Open(ref string) (*Prompt, error) {
	if strings.HasSuffix(ref, ".md") {
		return LoadFile(ref)
	}
	return Load(Bundled, ref)
}

// Parse parses the prompt file data. name is the file's path; its last
// two elements give the prompt name and version.
func Parse(name string, data []byte) (*Prompt, error) {
	slashed := filepath.ToSlash(name)
	version := strings.TrimSuffix(path.Base(slashed), ".md")
	promptName := path.Base(path.Dir(slashed))
	if !refPattern.MatchString(promptName + "/" + version) {
		return nil, fmt.Errorf("%s: a prompt file must be named <name>/<version>.md with a version like v1, got name %q, version %q", name, promptName, version)
	}

	p := &Prompt{Name: promptName, Version: version, Path: name, Text: string(data)}
	sum := sha256.Sum256(data)
	p.SHA256 = hex.EncodeToString(sum[:])

	front, body, bodyLine, err := splitFrontMatter(p.Text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p.Body, p.BodyLine = body, bodyLine

	if err := p.applyFrontMatter(front); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := p.parseTemplate(); err != nil {
		return nil, err
	}
	return p, nil
}

// splitFrontMatter separates the YAML between the opening and closing
// "---" lines from the body. The returned front matter keeps one empty
// line in place of the opening "---", so YAML line numbers are file line
// numbers.
func splitFrontMatter(text string) (front, body string, bodyLine int, err error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.SplitAfter(text, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\n") != "---" {
		return "", "", 0, errors.New("line 1: missing front matter: the file must start with a line \"---\", then YAML settings, then another \"---\"")
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\n") == "---" {
			front = "\n" + strings.Join(lines[1:i], "")
			body = strings.Join(lines[i+1:], "")
			return front, body, i + 2, nil
		}
	}
	return "", "", 0, errors.New("line 1: front matter is not closed: add a line \"---\" after the YAML settings")
}

// parseTemplate parses the body so that template line numbers are file
// line numbers, and checks that "system" and "user" are defined.
func (p *Prompt) parseTemplate() error {
	padded := strings.Repeat("\n", p.BodyLine-1) + p.Body
	t, err := template.New(p.Path).Option("missingkey=error").Funcs(funcs).Parse(padded)
	if err != nil {
		return fmt.Errorf("parse prompt template: %w", err)
	}
	for _, name := range []string{"system", "user"} {
		if t.Lookup(name) == nil {
			return fmt.Errorf("%s: the body defines no %q template: add {{define %q}}...{{end}}", p.Path, name, name)
		}
	}
	p.tmpl = t
	return nil
}

// List loads every prompt in fsys (files <name>/<version>.md) sorted by
// name and then by version number, so v10 comes after v9.
func List(fsys fs.FS) ([]*Prompt, error) {
	files, err := fs.Glob(fsys, "*/*.md")
	if err != nil {
		return nil, fmt.Errorf("list prompts: %w", err)
	}

	var out []*Prompt
	var errs []error
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			errs = append(errs, fmt.Errorf("read prompt: %w", err))
			continue
		}
		p, err := Parse(file, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, compareRefs)
	return out, errors.Join(errs...)
}

// compareRefs orders prompts by name, then by the number in the version.
func compareRefs(a, b *Prompt) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	na, nb := versionNumber(a.Version), versionNumber(b.Version)
	if na != nb {
		return na - nb
	}
	return strings.Compare(a.Version, b.Version)
}

// versionNumber returns the digits after the leading "v", such as 12 for
// "v12-draft".
func versionNumber(v string) int {
	digits := strings.TrimPrefix(v, "v")
	end := 0
	for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(digits[:end])
	return n
}
