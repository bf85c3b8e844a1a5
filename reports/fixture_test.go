package reports

import (
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/runstore"
)

// prop builds a proportion estimate num/den with hand-picked bounds.
func prop(num, den int, lower, upper float64) metrics.Estimate {
	return metrics.Estimate{
		Value: float64(num) / float64(den), Lower: lower, Upper: upper,
		Num: num, Den: den, N: den, Interval: metrics.IntervalWilson, Confidence: 0.95,
	}
}

// boot builds a bootstrap estimate.
func boot(v, lower, upper float64, n int) metrics.Estimate {
	return metrics.Estimate{Value: v, Lower: lower, Upper: upper, N: n, Interval: metrics.IntervalBootstrap, Confidence: 0.95}
}

func ptr(f float64) *float64 { return &f }

// sampleData is a hand-built two-agent run with a baseline, gates, flips,
// history and threshold curve. Wilson bounds were computed by hand with
// z = 1.96; for example 9/12 gives [0.4677, 0.9111].
func sampleData() *Data {
	headline := map[string]metrics.Estimate{
		"accuracy":               prop(170, 200, 0.7934, 0.8943),
		"recall":                 prop(76, 80, 0.8782, 0.9804),
		"precision":              prop(76, 84, 0.8230, 0.9508),
		"missed_threat_rate":     prop(1, 80, 0.0022, 0.0675),
		"noise_auto_triage_rate": prop(84, 120, 0.6128, 0.7738),
		"auto_close_precision":   prop(84, 85, 0.9362, 0.9979),
		"agent_coverage":         prop(150, 200, 0.6856, 0.8043),
		"ttr_reduction":          {Value: 0.62, Lower: 0.55, Upper: 0.68, N: 200, Interval: metrics.IntervalBootstrap, Estimated: true},
		"ttr_median":             boot(95, 80, 110, 200),
		"ttr_mean":               boot(684, 600, 770, 200),
		"human_ttr_mean":         boot(1800, 1700, 1900, 200),
		"format_failure_rate":    prop(2, 200, 0.0027, 0.0357),
		"latency_p95":            boot(4.2, 3.9, 4.6, 200),
		"cost_mean":              boot(0.0031, 0.0029, 0.0033, 200),
		"ece":                    boot(0.04, 0.03, 0.06, 200),
	}
	slices := []metrics.Slice{
		{Dimension: "category", Value: "malware", Rows: 60, Metrics: map[string]metrics.Estimate{
			"agent_coverage": prop(39, 60, 0.5238, 0.7557), "accuracy": prop(51, 60, 0.7391, 0.9191),
			"ttr_mean": boot(900, 800, 1000, 60), "human_ttr_mean": boot(2400, 2300, 2500, 60)}},
		{Dimension: "category", Value: "phishing", Rows: 100, Metrics: map[string]metrics.Estimate{
			"agent_coverage": prop(85, 100, 0.7672, 0.9069), "accuracy": prop(88, 100, 0.8020, 0.9303),
			"ttr_mean": boot(420, 380, 470, 100), "human_ttr_mean": boot(1500, 1400, 1600, 100)}},
		{Dimension: "category", Value: "credential_access", Rows: 40, Metrics: map[string]metrics.Estimate{
			"agent_coverage": prop(26, 40, 0.4951, 0.7794), "accuracy": prop(31, 40, 0.6251, 0.8768),
			"ttr_mean": boot(1000, 850, 1150, 40), "human_ttr_mean": boot(1800, 1650, 1950, 40)}},
		{Dimension: "severity", Value: "low", Rows: 120, Metrics: map[string]metrics.Estimate{"accuracy": prop(108, 120, 0.8336, 0.9421)}},
		{Dimension: "severity", Value: "critical", Rows: 80, Metrics: map[string]metrics.Estimate{"accuracy": prop(62, 80, 0.6719, 0.8550)}},
		{Dimension: "source", Value: "Defender for Office 365", Rows: 200, Metrics: map[string]metrics.Estimate{"accuracy": prop(170, 200, 0.7934, 0.8943)}},
		{Dimension: "tag", Value: "prompt_injection", Rows: 12, Metrics: map[string]metrics.Estimate{"accuracy": prop(9, 12, 0.4677, 0.9111)}},
	}
	primary := metrics.AgentMetrics{
		Agent: "llm-v2", Incidents: 200, Rows: 200, Metrics: headline, Slices: slices,
		Confusion: metrics.Confusion{
			Gold:      []string{"true_positive", "benign_positive", "false_positive"},
			Predicted: []string{"true_positive", "benign_positive", "false_positive", "error"},
			Counts:    [][]int{{76, 1, 2, 1}, {5, 40, 4, 1}, {3, 3, 64, 0}},
		},
		TTR: metrics.TTRSummary{
			Pipeline:  metrics.Distribution{N: 200, Edges: []float64{0, 300, 600, 900, 1200, 1800}, Counts: []int{120, 30, 20, 20, 10}},
			Human:     metrics.Distribution{N: 200, Edges: []float64{0, 300, 600, 900, 1200, 1800}, Counts: []int{10, 20, 40, 60, 70}},
			Estimated: true,
		},
		Layers: []metrics.LayerMetrics{
			{Layer: "rules", Share: prop(60, 200, 0.2411, 0.3662), Accuracy: prop(59, 60, 0.9114, 0.9970)},
			{Layer: "llm", Share: prop(140, 200, 0.6338, 0.7589), Accuracy: prop(111, 140, 0.7174, 0.8507)},
		},
		Calibration: []metrics.CalibrationBin{
			{Lower: 0.5, Upper: 0.6, Count: 10, MeanConfidence: 0.55, Accuracy: 0.5},
			{Lower: 0.7, Upper: 0.8, Count: 40, MeanConfidence: 0.75, Accuracy: 0.7},
			{Lower: 0.9, Upper: 1.0, Count: 150, MeanConfidence: 0.95, Accuracy: 0.9},
		},
		Warnings: []string{"Human handling times are estimated for 200 of 200 incidents."},
	}
	second := metrics.AgentMetrics{
		Agent: "rules-only", Incidents: 200, Rows: 200,
		Metrics: map[string]metrics.Estimate{
			"accuracy":           prop(140, 200, 0.6331, 0.7594),
			"missed_threat_rate": prop(0, 80, 0, 0.0458),
			"agent_coverage":     prop(60, 200, 0.2411, 0.3662),
			"latency_p95":        boot(0.01, 0.01, 0.02, 200),
			"cost_mean":          boot(0, 0, 0, 200),
		},
	}
	baseAgent := metrics.AgentMetrics{
		Agent: "llm-v1", Incidents: 200, Rows: 200,
		Metrics: map[string]metrics.Estimate{
			"noise_auto_triage_rate": prop(72, 120, 0.5107, 0.6834),
			"agent_coverage":         prop(140, 200, 0.6338, 0.7589),
			"missed_threat_rate":     prop(0, 80, 0, 0.0458),
		},
	}

	start := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	conf := 0.93
	return &Data{
		Manifest: runstore.Manifest{
			SchemaVersion: 1, RunID: "20261201-093000-ab12", ToolVersion: "v0.1.0", Suite: "suites/default.yaml",
			Dataset: runstore.DatasetRef{Name: "curated-soc", SHA256: "3f2a9c", Incidents: 200},
			Agents: []runstore.AgentSpec{
				{Name: "llm-v2", Kind: "openai", Model: "gpt-4o-mini", Prompt: "triage/v2"},
				{Name: "rules-only", Kind: "rules"},
			},
			Prompts: map[string]string{"triage/v2": "9b1c"},
			Seed:    7, Repeats: 1, Policy: "default", StartedAt: start, Status: runstore.StatusComplete,
		},
		Summary: &metrics.Summary{RunID: "20261201-093000-ab12", Agents: []metrics.AgentMetrics{primary, second}},
		Agent:   "llm-v2",
		Gates: &gates.Outcome{
			Status: gates.Fail, Valid: true, Policy: "default", Baseline: "20261120-base",
			Results: []gates.RuleResult{
				{Rule: "missed_threat_rate max 0.01", Metric: "missed_threat_rate", Agent: "llm-v2", Status: gates.Fail,
					Observed: headline["missed_threat_rate"], Judged: 0.0675, Limit: 0.01,
					Message: "Upper bound 6.75% is above the limit 1%."},
				{Rule: "agent_coverage min 0.75", Metric: "agent_coverage", Slice: "category=phishing", Agent: "llm-v2", Status: gates.Pass,
					Observed: prop(85, 100, 0.7672, 0.9069), Judged: 0.85, Limit: 0.75, Message: "85% is at least 75%."},
				{Rule: "recall max_drop 0.02", Metric: "recall", Agent: "llm-v2", Status: gates.Warn,
					Observed: headline["recall"], Judged: -0.025, Limit: -0.02,
					Delta:   &metrics.Delta{Metric: "recall", Diff: -0.025, PValue: 0.38},
					Message: "Recall dropped 2.5 pp, not significant (p = 0.38)."},
				{Rule: "consistency min 0.9", Metric: "consistency", Agent: "llm-v2", Status: gates.Inconclusive,
					Observed: metrics.NoData(), Judged: 0, Limit: 0.9, Message: "No incident has repeats."},
			},
		},
		Baseline: &Baseline{
			Manifest: runstore.Manifest{RunID: "20261120-base"},
			Summary:  &metrics.Summary{RunID: "20261120-base", Agents: []metrics.AgentMetrics{baseAgent}},
			Agent:    "llm-v1",
		},
		Deltas: []metrics.Delta{
			{Metric: "noise_auto_triage_rate", Baseline: baseAgent.Metrics["noise_auto_triage_rate"], Candidate: headline["noise_auto_triage_rate"],
				Diff: 0.1, Lower: 0.04, Upper: 0.16, PValue: 0.0034, Test: metrics.TestMcNemarExact, Pairs: 120, Better: 14, Worse: 2},
			{Metric: "missed_threat_rate", Baseline: baseAgent.Metrics["missed_threat_rate"], Candidate: headline["missed_threat_rate"],
				Diff: 0.0125, Lower: -0.0125, Upper: 0.0375, PValue: 1, Test: metrics.TestMcNemarExact, Pairs: 80, Better: 0, Worse: 1},
		},
		Flips: []metrics.Flip{
			{IncidentID: "inc-17", Title: "Invoice overdue: open attachment", GoldGrade: "false_positive", Category: "phishing", Kind: "newly_correct",
				Baseline:  runstore.Result{Grade: "true_positive", Disposition: runstore.Escalated, Confidence: ptr(0.6)},
				Candidate: runstore.Result{Grade: "false_positive", Disposition: runstore.AutoClosed, Confidence: ptr(0.97), Rationale: "Sender domain is the company's own billing system."}},
			{IncidentID: "inc-42", Title: "Macro document from new sender", GoldGrade: "true_positive", Category: "malware", Kind: "threat_newly_auto_closed",
				Baseline: runstore.Result{Grade: "true_positive", Disposition: runstore.AgentResolved, Confidence: ptr(0.8), Actions: []string{"isolate_device"}},
				Candidate: runstore.Result{Grade: "benign_positive", Disposition: runstore.AutoClosed, Confidence: &conf,
					Rationale: "The sandbox verdict is clean.",
					ToolCalls: []runstore.ToolCall{{Name: "sandbox_verdict", Arguments: `{"sha256":"ab12"}`, Result: `{"verdict":"clean"}`}}}},
		},
		Incidents: map[string]*datasets.Incident{
			"inc-42": {ID: "inc-42", Title: "Macro document from new sender",
				Alerts:      []datasets.Alert{{Title: "Suspicious macro", Detector: "EDR"}},
				Evidence:    []datasets.Entity{{Type: "file", Value: "invoice.docm", Attributes: map[string]string{"sha256": "ab12"}}},
				Enrichments: []datasets.Enrichment{{Tool: "sandbox_verdict", Argument: "ab12", Result: `{"verdict":"clean"}`}}},
		},
		Threshold: []ThresholdPoint{
			{Threshold: 0.5, NoiseAutoClose: 0.9, MissedThreat: 0.08},
			{Threshold: 0.7, NoiseAutoClose: 0.8, MissedThreat: 0.03},
			{Threshold: 0.9, NoiseAutoClose: 0.7, MissedThreat: 0.0125, Current: true},
			{Threshold: 0.99, NoiseAutoClose: 0.35, MissedThreat: 0},
		},
		History: []HistoryPoint{
			{RunID: "r1", Version: "triage/v1", Metrics: baseAgent.Metrics},
			{RunID: "r2", Version: "triage/v1.1", Metrics: map[string]metrics.Estimate{
				"noise_auto_triage_rate": prop(78, 120, 0.5616, 0.7292), "agent_coverage": prop(145, 200, 0.6600, 0.7821),
				"missed_threat_rate": metrics.NoData()}},
		},
	}
}
