package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Prediction is one verdict produced outside soceval, one JSON object per
// line of a predictions file (soceval run --predictions). Only IncidentID
// and Grade are required.
type Prediction struct {
	IncidentID string   `json:"incident_id"`
	Grade      string   `json:"grade"`
	Agent      string   `json:"agent,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	Category   string   `json:"category,omitempty"`
	Actions    []string `json:"actions,omitempty"`
	Escalate   bool     `json:"escalate,omitempty"`
	Rationale  string   `json:"rationale,omitempty"`
	LatencyMS  float64  `json:"latency_ms,omitempty"`
	TokensIn   int      `json:"tokens_in,omitempty"`
	TokensOut  int      `json:"tokens_out,omitempty"`

	// Line is the line of the predictions file the prediction was read
	// from, for messages; it is not part of the file format.
	Line int `json:"-"`
}

// WritePredictions writes predictions as JSONL.
func WritePredictions(w io.Writer, predictions []Prediction) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range predictions {
		if err := enc.Encode(&predictions[i]); err != nil {
			return fmt.Errorf("encode prediction for %q: %w", predictions[i].IncidentID, err)
		}
	}
	return bw.Flush()
}

// ReadPredictions decodes a predictions JSONL stream; name labels errors.
// It checks syntax only, not grades or ids, which the scorer checks
// against the dataset.
func ReadPredictions(r io.Reader, name string) ([]Prediction, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var out []Prediction
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if data = bytes.TrimSpace(data); len(data) > 0 {
			var p Prediction
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if derr := dec.Decode(&p); derr != nil {
				return nil, fmt.Errorf("%s:%d: %s; expected one JSON object with incident_id and grade", name, line, jsonMessage(derr))
			}
			out = append(out, p)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
	}
}
