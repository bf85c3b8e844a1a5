package prompts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// frontMatter is the YAML header of a prompt file. Unknown keys are
// rejected, so a misspelt setting fails loudly instead of being ignored.
type frontMatter struct {
	Description    string    `yaml:"description"`
	Model          string    `yaml:"model"`
	Temperature    *float64  `yaml:"temperature"`
	MaxTokens      int       `yaml:"max_tokens"`
	ResponseFormat string    `yaml:"response_format"`
	Schema         yaml.Node `yaml:"schema"`
	Tools          []string  `yaml:"tools"`
}

var toolNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// applyFrontMatter decodes and validates the front matter into p.
func (p *Prompt) applyFrontMatter(front string) error {
	var fm frontMatter
	dec := yaml.NewDecoder(strings.NewReader(front))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("invalid front matter: %w", err)
	}

	if fm.Temperature != nil && (*fm.Temperature < 0 || *fm.Temperature > 2) {
		return fmt.Errorf("front matter: temperature %g is outside [0, 2]", *fm.Temperature)
	}
	if fm.MaxTokens < 0 {
		return fmt.Errorf("front matter: max_tokens %d is negative", fm.MaxTokens)
	}
	for _, tool := range fm.Tools {
		if !toolNamePattern.MatchString(tool) {
			return fmt.Errorf("front matter: tool name %q is invalid: use letters, digits, '_' or '-'", tool)
		}
	}

	p.Description = strings.TrimSpace(fm.Description)
	p.Model = fm.Model
	p.Temperature = fm.Temperature
	p.MaxTokens = fm.MaxTokens
	p.Tools = fm.Tools

	switch fm.ResponseFormat {
	case "":
		p.ResponseFormat = FormatJSONSchema
	case FormatJSONSchema, FormatJSONObject, FormatText:
		p.ResponseFormat = fm.ResponseFormat
	default:
		return fmt.Errorf("front matter: response_format %q is not one of %s, %s, %s", fm.ResponseFormat, FormatJSONSchema, FormatJSONObject, FormatText)
	}

	name, schema, err := decodeSchema(&fm.Schema)
	if err != nil {
		return err
	}
	p.SchemaName, p.Schema = name, schema
	return nil
}

// decodeSchema reads the schema setting: either the name of a built-in
// schema ("verdict", the default) or an inline JSON schema written as a
// YAML mapping.
func decodeSchema(node *yaml.Node) (string, json.RawMessage, error) {
	switch node.Kind {
	case 0:
		return "verdict", VerdictSchema, nil

	case yaml.ScalarNode:
		schema, ok := namedSchemas[node.Value]
		if !ok {
			return "", nil, fmt.Errorf("front matter line %d: unknown schema %q: use \"verdict\" or write a JSON schema as a mapping", node.Line, node.Value)
		}
		return node.Value, schema, nil

	case yaml.MappingNode:
		var v any
		if err := node.Decode(&v); err != nil {
			return "", nil, fmt.Errorf("front matter line %d: invalid schema: %w", node.Line, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return "", nil, fmt.Errorf("front matter line %d: schema is not representable as JSON: %w", node.Line, err)
		}
		return "inline", compactJSON(raw), nil

	default:
		return "", nil, fmt.Errorf("front matter line %d: schema must be a schema name or a mapping", node.Line)
	}
}

func compactJSON(raw []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// VerdictSchema is the JSON schema of a triage verdict: the reply every
// triage prompt asks for. It is written for strict structured output, so
// every property is required and no other property is allowed.
var VerdictSchema = compactJSON([]byte(`{
  "type": "object",
  "additionalProperties": false,
  "required": ["grade", "category", "confidence", "actions", "escalate", "rationale"],
  "properties": {
    "grade": {"type": "string", "enum": ["true_positive", "benign_positive", "false_positive"]},
    "category": {"type": "string"},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    "actions": {"type": "array", "items": {"type": "string"}},
    "escalate": {"type": "boolean"},
    "rationale": {"type": "string"}
  }
}`))

var namedSchemas = map[string]json.RawMessage{"verdict": VerdictSchema}
