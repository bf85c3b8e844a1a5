package metrics

// Summary is the content of a run's metrics.json: every agent's metrics.
type Summary struct {
	RunID  string         `json:"run_id"`
	Agents []AgentMetrics `json:"agents"`
}

// Agent returns the metrics of the named agent, or nil.
func (s *Summary) Agent(name string) *AgentMetrics {
	for i := range s.Agents {
		if s.Agents[i].Agent == name {
			return &s.Agents[i]
		}
	}
	return nil
}

// AgentMetrics holds one agent's metrics over a run, overall and by slice.
type AgentMetrics struct {
	Agent string `json:"agent"`
	// Incidents is the number of distinct incidents scored, Rows the
	// number of result rows (incidents × repeats).
	Incidents int `json:"incidents"`
	Rows      int `json:"rows"`
	// Metrics maps a metric name (see Definitions) to its estimate.
	Metrics   map[string]Estimate    `json:"metrics"`
	PerClass  map[string]ClassScores `json:"per_class"`
	Confusion Confusion              `json:"confusion"`
	TTR       TTRSummary             `json:"ttr"`
	// Latency is the distribution of agent latency per row, in seconds.
	Latency Distribution `json:"latency"`
	Slices  []Slice      `json:"slices"`
	// Layers holds per-layer shares and accuracy for layered pipelines.
	Layers []LayerMetrics `json:"layers,omitempty"`
	// Calibration holds the reliability diagram bins.
	Calibration []CalibrationBin `json:"calibration,omitempty"`
	// Warnings are footnotes on the numbers, such as estimated inputs or
	// small samples.
	Warnings []string `json:"warnings,omitempty"`
}

// Slice returns the metrics of one slice, or nil when the run has no
// incident in it.
func (a *AgentMetrics) Slice(dimension, value string) *Slice {
	for i := range a.Slices {
		if a.Slices[i].Dimension == dimension && a.Slices[i].Value == value {
			return &a.Slices[i]
		}
	}
	return nil
}

// ClassScores are one grade's one-vs-rest precision, recall and F1.
type ClassScores struct {
	Precision Estimate `json:"precision"`
	Recall    Estimate `json:"recall"`
	F1        Estimate `json:"f1"`
	Support   int      `json:"support"`
}

// Confusion is a confusion matrix: Counts[i][j] is the number of rows
// whose gold grade is Gold[i] and whose predicted outcome is Predicted[j].
// Predicted has one column per grade plus "error" for rows with no
// usable verdict.
type Confusion struct {
	Gold      []string `json:"gold"`
	Predicted []string `json:"predicted"`
	Counts    [][]int  `json:"counts"`
}

// TTRSummary describes time to resolve, in seconds, for the agent
// pipeline and for the human baseline on the same incidents.
type TTRSummary struct {
	Pipeline  Distribution `json:"pipeline"`
	Human     Distribution `json:"human"`
	Estimated bool         `json:"estimated"`
}

// Distribution summarises a sample of durations in seconds.
type Distribution struct {
	N      int      `json:"n"`
	Mean   Estimate `json:"mean"`
	Median Estimate `json:"median"`
	P90    float64  `json:"p90"`
	P95    float64  `json:"p95"`
	// Histogram bins for charts: Edges has len(Counts)+1 entries.
	Edges  []float64 `json:"edges,omitempty"`
	Counts []int     `json:"counts,omitempty"`
}

// Slice is the metrics of the rows that share one value of one
// dimension (category, severity, source or tag).
type Slice struct {
	Dimension string              `json:"dimension"`
	Value     string              `json:"value"`
	Rows      int                 `json:"rows"`
	Metrics   map[string]Estimate `json:"metrics"`
}

// LayerMetrics describes one layer of a layered pipeline.
type LayerMetrics struct {
	Layer    string   `json:"layer"`
	Share    Estimate `json:"share"`
	Accuracy Estimate `json:"accuracy"`
}

// CalibrationBin is one bin of a reliability diagram.
type CalibrationBin struct {
	Lower          float64 `json:"lower"`
	Upper          float64 `json:"upper"`
	Count          int     `json:"count"`
	MeanConfidence float64 `json:"mean_confidence"`
	Accuracy       float64 `json:"accuracy"`
}
