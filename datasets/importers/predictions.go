package importers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/soceval/soceval/datasets"
)

// LLMSOCPredictionsFile holds the recorded verdicts of five LLMs on the 178
// LLM-SOC-Alert-Triage alerts.
const LLMSOCPredictionsFile = "model_predictions.jsonl"

// ModelPredictions is the recorded verdicts of one model.
type ModelPredictions struct {
	// Model is the file-safe model name, used as file name.
	Model string
	// SourceModel is the model name exactly as the source records it.
	SourceModel string
	Predictions []datasets.Prediction
}

// LLMSOCPredictions converts dir/model_predictions.jsonl into one
// prediction list per model, in the order models first appear. Each
// prediction has the incident id of its alert, the grade the model gave,
// agent "recorded:MODEL" and the model's justification as rationale. The
// source records no confidence, so none is set.
func LLMSOCPredictions(dir string) ([]ModelPredictions, error) {
	path := filepath.Join(dir, LLMSOCPredictionsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open recorded predictions: %w", err)
	}
	defer f.Close()

	var (
		out   []ModelPredictions
		index = map[string]int{}
	)
	br := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if data = bytes.TrimSpace(data); len(data) > 0 {
			var rec struct {
				Model              string `json:"model"`
				AlertID            string `json:"alert_id"`
				PredClassification string `json:"pred_classification"`
				Justification      string `json:"justification"`
			}
			if err := json.Unmarshal(data, &rec); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			grade, gerr := llmsocGrade(rec.PredClassification)
			if gerr != nil {
				return nil, fmt.Errorf("%s:%d: pred_classification: %w", path, line, gerr)
			}
			i, ok := index[rec.Model]
			if !ok {
				i = len(out)
				index[rec.Model] = i
				out = append(out, ModelPredictions{Model: modelFileName(rec.Model), SourceModel: rec.Model})
			}
			out[i].Predictions = append(out[i].Predictions, datasets.Prediction{
				IncidentID: LLMSOCIncidentID(rec.AlertID),
				Grade:      grade,
				Agent:      "recorded:" + out[i].Model,
				Rationale:  rec.Justification,
			})
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
	}
}

// modelFileName drops a parenthesised remark from a model name, as in
// "gpt-4.1-mini (snapshot as listed in source README)", and keeps only
// characters safe in file names.
func modelFileName(model string) string {
	name, _, _ := strings.Cut(model, " (")
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, strings.TrimSpace(name))
}
