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
	SchemaVersion int         `json:"schema_version"`
	RunID         string      `json:"run_id"`
	ToolVersion   string      `json:"tool_version"`
	Suite         string      `json:"suite"`
	SuiteSHA256   string      `json:"suite_sha256,omitempty"`
	Dataset       DatasetRef  `json:"dataset"`
	Agents        []AgentSpec `json:"agents"`
	// Prompts maps "name/version" to the SHA-256 of the prompt file.
	Prompts map[string]string `json:"prompts,omitempty"`
	Seed    int64             `json:"seed"`
	Repeats int               `json:"repeats"`
	Shard   *Shard            `json:"shard,omitempty"`
	// Policy is the gate policy the run was gated with.
	Policy     string     `json:"policy,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Status     string     `json:"status"`
	// ExpectedRows is incidents × agents × repeats for this run or shard.
	ExpectedRows int `json:"expected_rows"`
	// Incidents lists the ids this run or shard covers, in dataset order.
	Incidents []string `json:"incidents,omitempty"`
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
