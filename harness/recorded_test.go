package harness

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readPredictionsSerial is the reference for ReadPredictions: the
// straightforward reader that decodes and checks one line at a time.
func readPredictionsSerial(r io.Reader, file, defaultAgent string) (map[string]map[string]Prediction, []string, error) {
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

// predictionLines returns n lines for two agents and the default agent,
// with a bad line (invalid JSON, missing id, wrong type, unknown field,
// duplicate, blank) every badEvery lines when badEvery is above zero.
func predictionLines(n, badEvery int) string {
	var b strings.Builder
	for i := range n {
		switch {
		case badEvery > 0 && i%badEvery == badEvery-1:
			b.WriteString([]string{
				`not json`,
				`{"grade":"false_positive"}`,
				`{"incident_id":"x","grade":"true_positive","confidence":"high"}`,
				`{"incident_id":"y","grade":"true_positive","agnt":"a"}`,
				`{"incident_id":"inc-0","grade":"true_positive","agent":"a"}`,
				`   `,
			}[(i/badEvery)%6])
		case i%3 == 0:
			fmt.Fprintf(&b, `{"incident_id":"inc-%d","grade":"true_positive","agent":"a","confidence":0.%d,"actions":["isolate_host"],"latency_ms":%d}`, i, i%10, i)
		case i%3 == 1:
			fmt.Fprintf(&b, `  {"incident_id":"inc-%d","grade":"maybe","agent":"b","rationale":"line %d"}  `, i, i)
		default:
			fmt.Fprintf(&b, `{"incident_id":"inc-%d","grade":"false_positive","escalate":true,"tokens_in":%d}`, i, i)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestReadPredictionsMatchesSerialReader(t *testing.T) {
	tests := []struct {
		name  string
		input func() io.Reader
	}{
		{"empty", func() io.Reader { return strings.NewReader("") }},
		{"one line without newline", func() io.Reader {
			return strings.NewReader(`{"incident_id":"a","grade":"true_positive"}`)
		}},
		{"valid lines across chunks", func() io.Reader { return strings.NewReader(predictionLines(5000, 0)) }},
		{"some problems across chunks", func() io.Reader { return strings.NewReader(predictionLines(5000, 97)) }},
		{"too many problems", func() io.Reader { return strings.NewReader(predictionLines(5000, 17)) }},
		{"problems only", func() io.Reader { return strings.NewReader(strings.Repeat("not json\n", 3000)) }},
		{"read error after lines", func() io.Reader {
			return io.MultiReader(strings.NewReader(predictionLines(3000, 500)), iotest.ErrReader(errors.New("disk failed")))
		}},
		{"line over the 64 MiB limit", func() io.Reader {
			long := `{"incident_id":"z","grade":"true_positive","rationale":"` + strings.Repeat("x", 64<<20) + `"}` + "\n"
			return io.MultiReader(strings.NewReader(predictionLines(2000, 300)), strings.NewReader(long), strings.NewReader(predictionLines(10, 0)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantBy, wantOrder, wantErr := readPredictionsSerial(tt.input(), "p.jsonl", "default")
			gotBy, gotOrder, gotErr := ReadPredictions(tt.input(), "p.jsonl", "default")

			if !reflect.DeepEqual(gotBy, wantBy) {
				t.Errorf("predictions differ from the serial reader's: %d agents, want %d", len(gotBy), len(wantBy))
			}
			if !reflect.DeepEqual(gotOrder, wantOrder) {
				t.Errorf("agent order = %v, want %v", gotOrder, wantOrder)
			}
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("error =\n%v\nwant\n%v", gotErr, wantErr)
			}
		})
	}
}

func TestReadPredictionsStopsAtProblemLimit(t *testing.T) {
	_, _, err := ReadPredictions(strings.NewReader(predictionLines(5000, 17)), "p.jsonl", "default")
	if err == nil {
		t.Fatal("ReadPredictions accepted a file with bad lines")
	}
	msgs := strings.Split(err.Error(), "\n")
	if last := msgs[len(msgs)-1]; last != "too many problems; stopped reading" {
		t.Errorf("last problem = %q, want the stop notice", last)
	}
	// Every 17th line is bad and one bad line in six is blank, which is
	// no problem, so 120 bad lines make 100 problems. The 100th is on line
	// 17*119 = 2023 and reading stops after the next good line.
	if got := len(msgs) - 1; got != 100 {
		t.Errorf("%d problems reported before stopping, want 100", got)
	}
	if !strings.HasPrefix(msgs[99], "p.jsonl:2023:") {
		t.Errorf("100th problem = %q, want line 2023", msgs[99])
	}
}
