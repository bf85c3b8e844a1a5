package metrics

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/soceval/soceval/runstore"
)

// recordedPredictions is the file of recorded verdicts of five LLMs on
// 178 labeled Wazuh alerts (LLM-SOC-Alert-Triage, Rieger 2025, MIT).
var recordedPredictions = filepath.Join("..", "..", "shared", "data", "llm-soc-alert-triage", "model_predictions.jsonl")

// loadRecordedRuns builds one result row per recorded verdict: gold TP
// becomes true_positive and FP false_positive; a TP verdict is
// agent-resolved and an FP verdict auto-closed.
func loadRecordedRuns(t testing.TB) map[string][]runstore.Result {
	t.Helper()
	f, err := os.Open(recordedPredictions)
	if err != nil {
		t.Skipf("recorded predictions not available: %v", err)
	}
	defer f.Close()

	grades := map[string]string{"TP": tp, "FP": fp}
	runs := map[string][]runstore.Result{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var rec struct {
			Model              string `json:"model"`
			AlertID            string `json:"alert_id"`
			GoldLabel          string `json:"gold_label"`
			PredClassification string `json:"pred_classification"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s:%d: %v", recordedPredictions, line, err)
		}
		disposition := runstore.AgentResolved
		if rec.PredClassification == "FP" {
			disposition = runstore.AutoClosed
		}
		runs[rec.Model] = append(runs[rec.Model], runstore.Result{
			IncidentID:  rec.AlertID,
			Agent:       rec.Model,
			Grade:       grades[rec.PredClassification],
			Disposition: disposition,
			Gold:        runstore.Gold{Grade: grades[rec.GoldLabel]},
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", recordedPredictions, err)
	}
	return runs
}

func TestRecordedRunsMatchPublishedTable(t *testing.T) {
	runs := loadRecordedRuns(t)

	// Precision, recall and accuracy as published with the dataset,
	// TP as the positive class, to 4 decimals.
	tests := []struct {
		model                       string
		precision, recall, accuracy float64
	}{
		{"gpt-4o-2024-08-06", 0.6533, 0.9423, 0.6742},
		{"gpt-4.1-2025-04-14", 0.7684, 0.7019, 0.7022},
		{"gpt-4o-mini-2024-07-18", 0.6471, 0.9519, 0.6685},
		{"gpt-4.1-mini (snapshot as listed in source README)", 0.6772, 0.8269, 0.6685},
		{"DeepSeek-V3-0324", 0.7059, 0.9231, 0.7303},
	}
	for _, tt := range tests {
		rows := runs[tt.model]
		if len(rows) != 178 {
			t.Fatalf("%s: %d rows, want 178", tt.model, len(rows))
		}
		m := Compute(rows, Options{Resamples: 50}).Agent(tt.model).Metrics
		near(t, tt.model+" precision", m["precision"].Value, tt.precision, 0.00005)
		near(t, tt.model+" recall", m["recall"].Value, tt.recall, 0.00005)
		near(t, tt.model+" accuracy", m["accuracy"].Value, tt.accuracy, 0.00005)
	}
}

func TestRecordedRunsMcNemar(t *testing.T) {
	runs := loadRecordedRuns(t)
	base, cand := runs["gpt-4o-2024-08-06"], runs["gpt-4.1-2025-04-14"]

	tests := []struct {
		metric        string
		better, worse int
		p             float64
	}{
		// Counted with python3 from model_predictions.jsonl: gpt-4.1 is
		// correct where gpt-4o is wrong on 30 alerts, the reverse on 25.
		// p = 2·sum(math.comb(55, i) for i in range(26)) / 2**55
		//   = 0.5900533317766357.
		{"accuracy", 30, 25, 0.5900533317766357},
		// On the 104 true positives, gpt-4o alone is right on 25 and
		// gpt-4.1 alone on none: p = 2·math.comb(25, 0)/2**25.
		{"recall", 0, 25, 5.960464477539063e-08},
	}
	for _, tt := range tests {
		d, err := Compare(base, cand, tt.metric, Options{})
		if err != nil {
			t.Fatalf("Compare %s: %v", tt.metric, err)
		}
		if d.Test != TestMcNemarExact {
			t.Errorf("%s test = %q, want %q", tt.metric, d.Test, TestMcNemarExact)
		}
		if d.Better != tt.better || d.Worse != tt.worse {
			t.Errorf("%s better, worse = %d, %d, want %d, %d", tt.metric, d.Better, d.Worse, tt.better, tt.worse)
		}
		near(t, tt.metric+" p", d.PValue, tt.p, tt.p*1e-9)
		if d.Pairs != 178 {
			t.Errorf("%s pairs = %d, want 178", tt.metric, d.Pairs)
		}
	}

	// missed_threat_rate: gpt-4o auto-closed 6 threats (recall 98/104),
	// gpt-4.1 31 (recall 73/104). The 25 extra are worse for gpt-4.1.
	d, err := Compare(base, cand, "missed_threat_rate", Options{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "missed threat diff", d.Diff, 25.0/104, 1e-12)
	if d.Worse != 25 || d.Better != 0 {
		t.Errorf("missed threats better, worse = %d, %d, want 0, 25", d.Better, d.Worse)
	}
	if !(d.Lower > 0) {
		t.Errorf("interval of a 25-vs-0 change includes 0: [%v, %v]", d.Lower, d.Upper)
	}
}
