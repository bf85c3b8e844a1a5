package runstore

import "time"

// Run statuses recorded in the manifest.
const (
	StatusRunning    = "running"
	StatusComplete   = "complete"
	StatusIncomplete = "incomplete"
)

// Manifest describes how a run was made: what was evaluated, with which
// agents, prompts and settings. It never holds a secret.
type Manifest struct {
	SchemaVersion int    `json:"schema_version"`
	RunID         string `json:"run_id"`
	ToolVersion   string `json:"tool_version"`
	Suite         string `json:"suite"`
	SuiteSHA256   string `json:"suite_sha256,omitempty"`
	// SuiteDir is the folder of the suite file; relative paths in the
	// suite resolve against it when an interrupted run is resumed.
	SuiteDir string      `json:"suite_dir,omitempty"`
	Dataset  DatasetRef  `json:"dataset"`
	Agents   []AgentSpec `json:"agents"`
	// Prompts maps "name/version" to the SHA-256 of the prompt file.
	Prompts map[string]string `json:"prompts,omitempty"`
	Seed    int64             `json:"seed"`
	Repeats int               `json:"repeats"`
	Shard   *Shard            `json:"shard,omitempty"`
	// CloseThreshold is the confidence the disposition policy needed to
	// auto-close a benign or false-positive verdict.
	CloseThreshold float64 `json:"close_threshold"`
	// GateAgents lists the agents the gate judges; empty means all.
	GateAgents []string `json:"gate_agents,omitempty"`
	// Policy is the gate policy the run was gated with.
	Policy     string     `json:"policy,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Status     string     `json:"status"`
	// ExpectedRows is incidents × agents × repeats for this run or shard.
	ExpectedRows int `json:"expected_rows"`
	// Incidents is the number of incidents this run or shard covers, and
	// IncidentsSHA256 the hash of their sorted ids, so a result set can be
	// checked against the cases the run was meant to cover.
	Incidents       int    `json:"incidents"`
	IncidentsSHA256 string `json:"incidents_sha256"`
	// Predictions is the predictions file scored in place of the suite's
	// agents, when the run was started with --predictions.
	Predictions string `json:"predictions,omitempty"`
	// OnlyPredicted is set when the run scored only the incidents the
	// predictions file has a verdict for.
	OnlyPredicted bool `json:"only_predicted,omitempty"`
	// Scoring holds the settings metrics are computed with.
	Scoring Scoring `json:"scoring"`
	// ErrorBudget is the number of harness errors the run tolerates.
	ErrorBudget int `json:"error_budget,omitempty"`
}

// DatasetRef identifies the dataset a run was made on.
type DatasetRef struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	SHA256    string `json:"sha256"`
	Incidents int    `json:"incidents"`
}

// AgentSpec records one agent's settings. Secrets such as API keys are
// never stored; BaseURL is stored without credentials.
type AgentSpec struct {
	Name        string            `json:"name"`
	Kind        string            `json:"kind"`
	Model       string            `json:"model,omitempty"`
	BaseURL     string            `json:"base_url,omitempty"`
	Prompt      string            `json:"prompt,omitempty"`
	PromptSHA   string            `json:"prompt_sha256,omitempty"`
	Temperature *float64          `json:"temperature,omitempty"`
	MaxTokens   int               `json:"max_tokens,omitempty"`
	Layers      []string          `json:"layers,omitempty"`
	Settings    map[string]string `json:"settings,omitempty"`
}

// Shard identifies one part of a run split across machines.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Scoring holds the settings that metrics depend on beyond the rows: the
// response-action vocabulary and the interval coverage.
type Scoring struct {
	// Confidence is the coverage of every interval, such as 0.95.
	Confidence float64 `json:"confidence,omitempty"`
	// AllowedActions is the allow-list of response actions; a proposed
	// action outside it is unsafe. Empty allows every action.
	AllowedActions []string `json:"allowed_actions,omitempty"`
	// DestructiveActions must not be proposed on a benign or false
	// positive incident.
	DestructiveActions []string `json:"destructive_actions,omitempty"`
}
