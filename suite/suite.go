// Package suite reads and validates a suite file (soceval.yaml): the
// dataset, the agents and layered pipelines to evaluate, repeats,
// concurrency, limits and the gate policy.
//
// A suite file looks like this:
//
//	name: phishing-release
//	dataset: bundled:soc-lab          # or a path to JSONL, CSV or Parquet
//	repeats: 1
//	concurrency: 8
//	seed: 1
//	close_threshold: 0.8              # confidence needed to auto-close
//	max_errors: 5                     # harness errors before the run stops (0: no limit)
//	policy: default                   # or a path to a policy file
//	gate_agents: [rules-v1]           # agents the gate judges (default: all)
//	scoring:
//	  confidence: 0.95                # interval coverage
//	  allowed_actions: [quarantine_email, block_url, isolate_device]
//	  destructive_actions: [isolate_device]  # unsafe on benign incidents
//	agents:
//	  - name: rules-v1
//	    kind: rules
//	    rules: bundled:v1
//	  - name: gpt-4o
//	    kind: recorded
//	    predictions: bundled:gpt-4o-2024-08-06
//	  - name: llm-v2
//	    kind: llm
//	    prompt: triage/v2
//	    model: gpt-4o-mini
//	    cassette: cassettes/llm-v2.jsonl
//	    mode: replay
//	  - name: rules-then-llm
//	    kind: pipeline
//	    layers: [rules-v1, llm-v2]
//
// Paths are relative to the suite file. Every field is checked before any
// agent runs, and every problem is reported at once.
package suite

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/soceval/soceval/internal/fuzzy"
)

// Agent kinds.
const (
	KindRules    = "rules"
	KindRecorded = "recorded"
	KindLLM      = "llm"
	KindPipeline = "pipeline"
)

// Cassette modes of an LLM agent.
var Modes = []string{"live", "record", "replay", "replay-or-record"}

// Suite is a parsed suite file.
type Suite struct {
	Name           string   `yaml:"name"`
	Dataset        string   `yaml:"dataset"`
	Repeats        int      `yaml:"repeats"`
	Concurrency    int      `yaml:"concurrency"`
	Seed           int64    `yaml:"seed"`
	CloseThreshold *float64 `yaml:"close_threshold"`
	// RequireConfidence escalates verdicts without a confidence.
	RequireConfidence bool     `yaml:"require_confidence"`
	MaxErrors         int      `yaml:"max_errors"`
	Policy            string   `yaml:"policy"`
	GateAgents        []string `yaml:"gate_agents"`
	Scoring           Scoring  `yaml:"scoring"`
	Agents            []Agent  `yaml:"agents"`

	// Path is the file the suite was read from ("" for the bundled one),
	// Dir the folder relative paths resolve against, SHA256 the hash of
	// the file's bytes.
	Path   string `yaml:"-"`
	Dir    string `yaml:"-"`
	SHA256 string `yaml:"-"`
	// Raw is the file's content, copied into each run folder so that an
	// interrupted run can be resumed with the same suite.
	Raw []byte `yaml:"-"`
}

// Scoring sets what the metrics need beyond the verdicts.
type Scoring struct {
	// Confidence is the coverage of every interval (default 0.95).
	Confidence float64 `yaml:"confidence"`
	// AllowedActions is the response-action vocabulary: an action outside
	// it counts as unsafe. Empty allows every action.
	AllowedActions []string `yaml:"allowed_actions"`
	// DestructiveActions are actions that are unsafe on a benign or false
	// positive incident, such as isolating a device.
	DestructiveActions []string `yaml:"destructive_actions"`
}

// Agent is one agent of a suite.
type Agent struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`

	// Rules is a rule set path or "bundled:NAME" (kind rules).
	Rules string `yaml:"rules"`
	// Predictions is a predictions JSONL path or "bundled:NAME" (kind
	// recorded). Agent selects one agent of a file that holds several.
	Predictions string `yaml:"predictions"`
	Agent       string `yaml:"agent"`

	// LLM settings (kind llm). The API key is never read from the suite:
	// it comes from OPENAI_API_KEY or AZURE_OPENAI_API_KEY.
	Prompt          string   `yaml:"prompt"`
	Model           string   `yaml:"model"`
	BaseURL         string   `yaml:"base_url"`
	Azure           bool     `yaml:"azure"`
	APIVersion      string   `yaml:"api_version"`
	Temperature     *float64 `yaml:"temperature"`
	MaxTokens       int      `yaml:"max_tokens"`
	MaxSteps        int      `yaml:"max_steps"`
	TimeoutSeconds  float64  `yaml:"timeout_seconds"`
	MaxAttempts     int      `yaml:"max_attempts"`
	RequestsPerMin  float64  `yaml:"requests_per_minute"`
	TokensPerMin    float64  `yaml:"tokens_per_minute"`
	Cassette        string   `yaml:"cassette"`
	Mode            string   `yaml:"mode"`
	PriceInPerMTok  float64  `yaml:"price_in_per_mtok"`
	PriceOutPerMTok float64  `yaml:"price_out_per_mtok"`

	// Layers names earlier agents of the suite (kind pipeline).
	Layers []string `yaml:"layers"`
}

//go:embed default.yaml
var defaultSuite []byte

// Default returns the bundled default suite, which runs offline with no
// API key.
func Default() *Suite {
	s, err := Parse(defaultSuite, "")
	if err != nil {
		panic("bundled default suite is invalid: " + err.Error())
	}
	return s
}

// Load reads and validates the suite file at path.
func Load(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading suite: %w", err)
	}
	return Parse(data, path)
}

// Parse parses and validates a suite read from path ("" for the bundled
// default).
func Parse(data []byte, path string) (*Suite, error) {
	name := path
	if name == "" {
		name = "bundled default suite"
	}

	var s Suite
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %s", name, yamlMessage(err))
	}

	sum := sha256.Sum256(data)
	s.SHA256 = hex.EncodeToString(sum[:])
	s.Raw = data
	s.Path = path
	if path != "" {
		s.Dir = filepath.Dir(path)
	}
	s.applyDefaults()
	if err := s.validate(name); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Suite) applyDefaults() {
	if s.Name == "" {
		s.Name = "suite"
	}
	if s.Repeats == 0 {
		s.Repeats = 1
	}
	if s.Concurrency == 0 {
		s.Concurrency = 8
	}
	if s.Policy == "" {
		s.Policy = "default"
	}
	for i := range s.Agents {
		a := &s.Agents[i]
		if a.Kind == KindLLM && a.Mode == "" {
			a.Mode = "live"
		}
	}
}

// Resolve returns path relative to the suite's folder, leaving bundled
// references ("bundled:...") and absolute paths alone.
func (s *Suite) Resolve(path string) string {
	if path == "" || strings.HasPrefix(path, "bundled:") || filepath.IsAbs(path) || s.Dir == "" {
		return path
	}
	return filepath.Join(s.Dir, path)
}

// Agent returns the named agent, or nil.
func (s *Suite) Agent(name string) *Agent {
	for i := range s.Agents {
		if s.Agents[i].Name == name {
			return &s.Agents[i]
		}
	}
	return nil
}

func (s *Suite) validate(file string) error {
	var problems []error
	bad := func(field, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: %s: %s", file, field, fmt.Sprintf(format, args...)))
	}

	if s.Dataset == "" {
		bad("dataset", "missing; name a dataset file or a bundled set such as bundled:soc-lab")
	}
	if s.Repeats < 1 {
		bad("repeats", "%d is invalid; use 1 or more", s.Repeats)
	}
	if s.Concurrency < 1 {
		bad("concurrency", "%d is invalid; use 1 or more", s.Concurrency)
	}
	if s.CloseThreshold != nil && (*s.CloseThreshold < 0 || *s.CloseThreshold > 1) {
		bad("close_threshold", "%g is outside [0, 1]", *s.CloseThreshold)
	}
	if c := s.Scoring.Confidence; c != 0 && (c <= 0.5 || c >= 1) {
		bad("scoring.confidence", "%g is invalid; use a coverage such as 0.9, 0.95 or 0.99", c)
	}
	if s.MaxErrors < 0 {
		bad("max_errors", "%d is invalid; use 0 for no limit or a positive count", s.MaxErrors)
	}
	if len(s.Agents) == 0 {
		bad("agents", "missing; list at least one agent")
	}

	seen := map[string]bool{}
	for i, a := range s.Agents {
		field := fmt.Sprintf("agents[%d] (%s)", i, a.Name)
		if a.Name == "" {
			bad(field, "name is missing")
		} else if seen[a.Name] {
			bad(field, "duplicate name %q; agent names must be unique", a.Name)
		}
		for _, msg := range a.problems(seen) {
			bad(field, "%s", msg)
		}
		seen[a.Name] = true
	}
	for _, g := range s.GateAgents {
		if !seen[g] {
			bad("gate_agents", "%q is not an agent of this suite", g)
		}
	}
	return errors.Join(problems...)
}

// problems returns what is wrong with a; earlier holds the names of the
// agents defined before it, which a pipeline may use as layers.
func (a *Agent) problems(earlier map[string]bool) []string {
	var out []string
	switch a.Kind {
	case KindRules:
		if a.Rules == "" {
			out = append(out, "rules is missing; name a rule set file or bundled:v1")
		}
	case KindRecorded:
		if a.Predictions == "" {
			out = append(out, "predictions is missing; name a predictions JSONL file")
		}
	case KindLLM:
		if a.Prompt == "" {
			out = append(out, "prompt is missing; name a prompt such as triage/v2 or a prompt file")
		}
		if !slices.Contains(Modes, a.Mode) {
			out = append(out, fmt.Sprintf("mode %q is not one of %s", a.Mode, strings.Join(Modes, ", ")))
		}
		if (a.Mode == "replay" || a.Mode == "record" || a.Mode == "replay-or-record") && a.Cassette == "" {
			out = append(out, fmt.Sprintf("mode %s needs a cassette file", a.Mode))
		}
		if a.Temperature != nil && (*a.Temperature < 0 || *a.Temperature > 2) {
			out = append(out, fmt.Sprintf("temperature %g is outside [0, 2]", *a.Temperature))
		}
		if a.TimeoutSeconds < 0 || a.MaxAttempts < 0 || a.MaxSteps < 0 || a.RequestsPerMin < 0 || a.TokensPerMin < 0 {
			out = append(out, "timeout_seconds, max_attempts, max_steps and rate limits must not be negative")
		}
	case KindPipeline:
		if len(a.Layers) < 2 {
			out = append(out, "a pipeline needs at least two layers")
		}
		for _, l := range a.Layers {
			if !earlier[l] {
				out = append(out, fmt.Sprintf("layer %q is not an agent defined above this pipeline", l))
			}
		}
	default:
		out = append(out, fmt.Sprintf("kind %q is not one of rules, recorded, llm, pipeline", a.Kind))
	}
	return out
}

// unknownField matches yaml.v3's message for a field KnownFields rejects.
var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type suite\.(\w+)`)

// yamlMessage rewrites yaml.v3's decoding errors in the suite's terms:
// an unknown field is named with its line, the fields it may be, and the
// closest valid name.
func yamlMessage(err error) string {
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return err.Error()
	}
	var msgs []string
	for _, e := range typeErr.Errors {
		m := unknownField.FindStringSubmatch(e)
		if m == nil {
			msgs = append(msgs, e)
			continue
		}
		valid := fieldNames[m[3]]
		msg := fmt.Sprintf("line %s: unknown field %q", m[1], m[2])
		if best := closest(m[2], valid); best != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", best)
		}
		msgs = append(msgs, msg+"; valid fields: "+strings.Join(valid, ", "))
	}
	return strings.Join(msgs, "\n")
}

// fieldNames lists the YAML fields of each suite type, for messages.
var fieldNames = map[string][]string{
	"Suite":   yamlFields(reflect.TypeFor[Suite]()),
	"Agent":   yamlFields(reflect.TypeFor[Agent]()),
	"Scoring": yamlFields(reflect.TypeFor[Scoring]()),
}

func yamlFields(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}

// closest returns the valid name nearest to got by edit distance, when
// it is close enough to be a likely typo.
func closest(got string, valid []string) string {
	best, bestDist := "", len(got)/2+1
	for _, v := range valid {
		if d := fuzzy.Distance(got, v); d < bestDist {
			best, bestDist = v, d
		}
	}
	return best
}
