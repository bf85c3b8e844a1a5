package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// Prediction is one line of a predictions file: a verdict produced
// outside soceval, by a team's own agent or a recorded model run.
type Prediction struct {
	IncidentID string   `json:"incident_id"`
	Agent      string   `json:"agent,omitempty"`
	Grade      string   `json:"grade"`
	Confidence *float64 `json:"confidence,omitempty"`
	Category   string   `json:"category,omitempty"`
	Actions    []string `json:"actions,omitempty"`
	Escalate   bool     `json:"escalate,omitempty"`
	Rationale  string   `json:"rationale,omitempty"`
	LatencyMS  float64  `json:"latency_ms,omitempty"`
	TokensIn   int      `json:"tokens_in,omitempty"`
	TokensOut  int      `json:"tokens_out,omitempty"`

	// Line is the line of the predictions file the prediction was read from.
	Line int `json:"-"`
}

// InputError is a problem in an input file, located by file and line.
type InputError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *InputError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s:%d: field %q: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ReadPredictions parses a predictions JSONL stream. Lines without an
// agent field are attributed to defaultAgent. Every problem is reported in
// one joined error. A grade outside the known set is not a problem here:
// it is recorded as a format failure when the agent replays it.
func ReadPredictions(r io.Reader, file, defaultAgent string) (map[string]map[string]Prediction, []string, error) {
	byAgent := map[string]map[string]Prediction{}
	var order []string
	var problems []error

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}

		var p Prediction
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			problems = append(problems, decodeProblem(file, line, err))
			continue
		}
		p.Line = line
		if p.IncidentID == "" {
			problems = append(problems, &InputError{file, line, "incident_id", "missing; every prediction must name the incident it judges"})
			continue
		}
		if p.Agent == "" {
			p.Agent = defaultAgent
		}

		preds := byAgent[p.Agent]
		if preds == nil {
			preds = map[string]Prediction{}
			byAgent[p.Agent] = preds
			order = append(order, p.Agent)
		}
		if _, dup := preds[p.IncidentID]; dup {
			problems = append(problems, &InputError{file, line, "incident_id",
				fmt.Sprintf("duplicate prediction for %q by agent %q; keep one line per incident and agent", p.IncidentID, p.Agent)})
			continue
		}
		preds[p.IncidentID] = p

		if len(problems) >= 100 {
			problems = append(problems, errors.New("too many problems; stopped reading"))
			break
		}
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Errorf("%s: %w", file, err))
	}
	return byAgent, order, errors.Join(problems...)
}

// predictionFields lists the fields a prediction line may have.
const predictionFields = "incident_id, grade, agent, confidence, category, actions, escalate, rationale, latency_ms, tokens_in, tokens_out"

// decodeProblem turns a JSON decoding error into a problem that names the
// field and what it must hold, rather than Go type names.
func decodeProblem(file string, line int, err error) *InputError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return &InputError{file, line, typeErr.Field, fmt.Sprintf("expected %s, found a JSON %s", expectedKind(typeErr.Field), typeErr.Value)}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &InputError{file, line, strings.Trim(field, `"`), "unknown field; a prediction has the fields " + predictionFields}
	}
	return &InputError{file, line, "", "invalid JSON (" + err.Error() + "); each line must be one JSON object"}
}

func expectedKind(field string) string {
	switch field {
	case "confidence", "latency_ms":
		return "a number"
	case "tokens_in", "tokens_out":
		return "a whole number"
	case "escalate":
		return "true or false"
	case "actions":
		return "an array of action names"
	}
	return "a string"
}

// Nonconforming lists, by file line, the predictions whose verdict does
// not conform (an unknown grade, a confidence outside [0, 1]). They are
// scored as format failures; the list lets the CLI say where they are.
func Nonconforming(file string, byAgent map[string]map[string]Prediction) []string {
	type item struct {
		line int
		msg  string
	}
	var items []item
	for _, preds := range byAgent {
		for _, p := range preds {
			v := Verdict{Grade: p.Grade, Confidence: p.Confidence}
			if err := v.Validate(); err != nil {
				items = append(items, item{p.Line, fmt.Sprintf("%s:%d: %v", file, p.Line, err)})
			}
		}
	}
	slices.SortFunc(items, func(a, b item) int { return a.line - b.line })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.msg
	}
	return out
}

// RecordedAgent replays verdicts recorded elsewhere. An incident with no
// recorded verdict yields an error row, counted as a failure.
type RecordedAgent struct {
	name   string
	source string
	preds  map[string]Prediction
}

// NewRecordedAgent returns an agent that replays preds, which were read
// from source.
func NewRecordedAgent(name, source string, preds map[string]Prediction) *RecordedAgent {
	return &RecordedAgent{name: name, source: source, preds: preds}
}

// Name returns the agent's name.
func (a *RecordedAgent) Name() string { return a.name }

// Describe returns the agent's settings for the manifest.
func (a *RecordedAgent) Describe() runstore.AgentSpec {
	return runstore.AgentSpec{Name: a.name, Kind: "recorded", Settings: map[string]string{"predictions": a.source}}
}

// Covers reports how many of ids have a recorded verdict.
func (a *RecordedAgent) Covers(ids []string) int {
	n := 0
	for _, id := range ids {
		if _, ok := a.preds[id]; ok {
			n++
		}
	}
	return n
}

// Triage returns the recorded verdict for in. The repeat index is ignored:
// a recording holds one verdict per incident.
func (a *RecordedAgent) Triage(_ context.Context, in *datasets.Incident, _ int) (Outcome, error) {
	p, ok := a.preds[in.ID]
	if !ok {
		return Outcome{}, fmt.Errorf("no recorded verdict for incident %q in %s", in.ID, a.source)
	}

	out := Outcome{
		Latency:   time.Duration(p.LatencyMS * float64(time.Millisecond)),
		TokensIn:  p.TokensIn,
		TokensOut: p.TokensOut,
		Replayed:  true,
		Attempts:  1,
	}
	v := Verdict{
		Grade: p.Grade, Category: p.Category, Confidence: p.Confidence,
		Actions: p.Actions, Escalate: p.Escalate, Rationale: p.Rationale,
	}
	if err := v.Validate(); err != nil {
		raw, _ := json.Marshal(p)
		out.FormatError = err.Error()
		out.RawOutput = string(raw)
		return out, nil
	}
	out.Verdict = &v
	return out, nil
}
