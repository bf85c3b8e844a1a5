package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// Prediction is one line of a predictions file; its format belongs to
// the datasets package, which also writes such files.
type Prediction = datasets.Prediction

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
// one joined error, in line order. Once there are 100 problems, reading
// stops at the next accepted line. A grade outside the known set is not a
// problem here: it is recorded as a format failure when the agent replays
// it.
//
// Lines are decoded in parallel chunks, then checked for missing ids and
// duplicates in line order, so the result and the problems are those of a
// reader that decodes one line at a time.
func ReadPredictions(r io.Reader, file, defaultAgent string) (map[string]map[string]Prediction, []string, error) {
	pr := &predictionReader{file: file, defaultAgent: defaultAgent, byAgent: map[string]map[string]Prediction{}}

	chunks := make(chan *predictionChunk, 2*runtime.GOMAXPROCS(0))
	// Chunks are reused once their lines are filed, which keeps a large
	// file from leaving hundreds of megabytes of buffers to the collector.
	free := make(chan *predictionChunk, 4*runtime.GOMAXPROCS(0))
	stop := make(chan struct{})
	var scanErr error
	var wg sync.WaitGroup
	wg.Go(func() { scanErr = scanPredictions(r, file, defaultAgent, chunks, free, stop) })

	stopped := false
	for c := range chunks {
		<-c.done
		if !pr.add(c.lines) {
			stopped = true
			break
		}
		select {
		case free <- c:
		default:
		}
	}
	close(stop)
	for range chunks {
		// The scanner may have queued chunks before it saw stop.
	}
	wg.Wait()

	if scanErr != nil && !stopped {
		pr.problems = append(pr.problems, scanErr)
	}
	return pr.byAgent, pr.order, errors.Join(pr.problems...)
}

// maxPredictionProblems is how many problems ReadPredictions collects
// before it stops reading.
const maxPredictionProblems = 100

// predictionChunkLines is how many lines one goroutine decodes at a time.
const predictionChunkLines = 1024

// predictionChunk is a run of consecutive lines, decoded by one goroutine.
// done is closed when lines hold the decoded predictions.
type predictionChunk struct {
	text  []byte
	lines []decodedLine
	done  chan struct{}
}

// decodedLine is one non-blank line: its prediction, or why it has none.
type decodedLine struct {
	number  int
	end     int // end of the line's text in the chunk's text
	pred    Prediction
	problem error
}

// scanPredictions splits r into chunks of non-blank lines, sends them to
// chunks in line order and decodes each in its own goroutine, at most
// GOMAXPROCS at a time. It takes chunks from free when there are any. It
// stops early when stop is closed, closes chunks when it returns, and
// returns the scanner's error.
func scanPredictions(r io.Reader, file, defaultAgent string, chunks chan<- *predictionChunk, free <-chan *predictionChunk, stop <-chan struct{}) error {
	defer close(chunks)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var decoders sync.WaitGroup
	defer decoders.Wait()

	send := func(c *predictionChunk) bool {
		select {
		case <-stop:
			return false
		default:
		}
		select {
		case chunks <- c:
		case <-stop:
			return false
		}
		sem <- struct{}{}
		decoders.Go(func() {
			defer func() { <-sem }()
			c.decode(file, defaultAgent)
		})
		return true
	}

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	c := newPredictionChunk(free)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		c.text = append(c.text, text...)
		c.lines = append(c.lines, decodedLine{number: line, end: len(c.text)})
		if len(c.lines) == predictionChunkLines {
			if !send(c) {
				return nil
			}
			c = newPredictionChunk(free)
		}
	}
	if len(c.lines) > 0 && !send(c) {
		return nil
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// newPredictionChunk returns an empty chunk, reusing one from free when
// there is one.
func newPredictionChunk(free <-chan *predictionChunk) *predictionChunk {
	select {
	case c := <-free:
		c.text = c.text[:0]
		clear(c.lines)
		c.lines = c.lines[:0]
		c.done = make(chan struct{})
		return c
	default:
		return &predictionChunk{lines: make([]decodedLine, 0, predictionChunkLines), done: make(chan struct{})}
	}
}

// decode decodes every line of the chunk and closes done. The checks that
// need no other line (JSON, field types, a missing id) happen here.
func (c *predictionChunk) decode(file, defaultAgent string) {
	defer close(c.done)
	start := 0
	for i := range c.lines {
		l := &c.lines[i]
		text := c.text[start:l.end]
		start = l.end

		// A Decoder rejects unknown fields and ignores any text after the
		// first JSON value, where json.Unmarshal would differ on both.
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l.pred); err != nil {
			l.problem = decodeProblem(file, l.number, err)
			continue
		}
		l.pred.Line = l.number
		if l.pred.IncidentID == "" {
			l.problem = &InputError{file, l.number, "incident_id", "missing; every prediction must name the incident it judges"}
			continue
		}
		if l.pred.Agent == "" {
			l.pred.Agent = defaultAgent
		}
	}
}

// predictionReader collects decoded lines in line order.
type predictionReader struct {
	file, defaultAgent string
	byAgent            map[string]map[string]Prediction
	order              []string
	problems           []error
}

// add files the decoded lines of one chunk under their agents, rejecting
// duplicates. It returns false once there are too many problems to go on.
func (pr *predictionReader) add(lines []decodedLine) bool {
	for i := range lines {
		l := &lines[i]
		if l.problem != nil {
			pr.problems = append(pr.problems, l.problem)
			continue
		}
		p := &l.pred

		preds := pr.byAgent[p.Agent]
		if preds == nil {
			preds = map[string]Prediction{}
			pr.byAgent[p.Agent] = preds
			pr.order = append(pr.order, p.Agent)
		}
		if _, dup := preds[p.IncidentID]; dup {
			pr.problems = append(pr.problems, &InputError{pr.file, l.number, "incident_id",
				fmt.Sprintf("duplicate prediction for %q by agent %q; keep one line per incident and agent", p.IncidentID, p.Agent)})
			continue
		}
		preds[p.IncidentID] = *p

		// As in a serial reader, the limit is checked only after a line
		// is accepted.
		if len(pr.problems) >= maxPredictionProblems {
			pr.problems = append(pr.problems, errors.New("too many problems; stopped reading"))
			return false
		}
	}
	return true
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
