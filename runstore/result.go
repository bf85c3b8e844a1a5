// Package runstore defines the run folder: its manifest, the result rows
// the harness appends while a run is in progress, and the Parquet file
// they become when it finishes. Metrics and reports read runs only through
// this package, so scoring never depends on agent code.
package runstore

import "time"

// Dispositions an orchestration policy can give a verdict.
const (
	// AutoClosed means the agent closed the incident as benign or false
	// positive with confidence at or above the close threshold.
	AutoClosed = "auto_closed"
	// AgentResolved means the agent graded a true positive and proposed
	// actions for approval without handing over to a human.
	AgentResolved = "agent_resolved"
	// Escalated means the incident went to a human analyst.
	Escalated = "escalated"
	// Errored means the harness got no usable verdict: a format failure,
	// a time-out, an HTTP error or a missing recording.
	Errored = "error"
)

// Result is one row of a run: the outcome of one agent on one incident
// for one repeat, with a snapshot of the incident's label and slicing
// fields so that a stored run can be scored without its dataset.
type Result struct {
	IncidentID string `json:"incident_id" parquet:"incident_id"`
	Agent      string `json:"agent" parquet:"agent"`
	Repeat     int    `json:"repeat" parquet:"repeat"`
	// Layer names the pipeline layer that settled the incident; empty for
	// single-agent pipelines.
	Layer string `json:"layer,omitempty" parquet:"layer"`

	// The verdict. Grade is empty when the agent produced no usable verdict.
	Grade      string   `json:"grade" parquet:"grade"`
	Category   string   `json:"category,omitempty" parquet:"category"`
	Confidence *float64 `json:"confidence,omitempty" parquet:"confidence,optional"`
	Actions    []string `json:"actions,omitempty" parquet:"actions,list"`
	Escalate   bool     `json:"escalate,omitempty" parquet:"escalate"`
	Rationale  string   `json:"rationale,omitempty" parquet:"rationale"`

	// Disposition is one of AutoClosed, AgentResolved, Escalated, Errored.
	Disposition string `json:"disposition" parquet:"disposition"`
	// FormatError is set when the agent replied but the reply did not parse
	// or did not conform to the verdict schema.
	FormatError string `json:"format_error,omitempty" parquet:"format_error"`
	// Error is set when the harness failed to get a reply at all.
	Error string `json:"error,omitempty" parquet:"error"`

	LatencyMS float64    `json:"latency_ms" parquet:"latency_ms"`
	TokensIn  int        `json:"tokens_in,omitempty" parquet:"tokens_in"`
	TokensOut int        `json:"tokens_out,omitempty" parquet:"tokens_out"`
	CostUSD   float64    `json:"cost_usd,omitempty" parquet:"cost_usd"`
	Attempts  int        `json:"attempts,omitempty" parquet:"attempts"`
	Replayed  bool       `json:"replayed,omitempty" parquet:"replayed"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty" parquet:"tool_calls,list"`
	RawOutput string     `json:"raw_output,omitempty" parquet:"raw_output"`
	StartedAt time.Time  `json:"started_at" parquet:"started_at,timestamp(millisecond)"`

	Gold Gold `json:"gold" parquet:"gold"`
}

// ToolCall is one investigation tool call an agent made, with the answer
// the harness served from recorded evidence.
type ToolCall struct {
	Name       string  `json:"name" parquet:"name"`
	Arguments  string  `json:"arguments" parquet:"arguments"`
	Result     string  `json:"result" parquet:"result"`
	DurationMS float64 `json:"duration_ms" parquet:"duration_ms"`
}

// Gold is the snapshot of an incident's label and slicing fields taken
// when the row was written.
type Gold struct {
	Grade             string   `json:"grade" parquet:"grade"`
	Category          string   `json:"category" parquet:"category"`
	Actions           []string `json:"actions,omitempty" parquet:"actions,list"`
	HumanTTRSeconds   *float64 `json:"human_ttr_seconds,omitempty" parquet:"human_ttr_seconds,optional"`
	HumanTTREstimated bool     `json:"human_ttr_estimated,omitempty" parquet:"human_ttr_estimated"`
	Title             string   `json:"title" parquet:"title"`
	Source            string   `json:"source" parquet:"source"`
	Severity          string   `json:"severity" parquet:"severity"`
	IncidentCategory  string   `json:"incident_category" parquet:"incident_category"`
	Tags              []string `json:"tags,omitempty" parquet:"tags,list"`
}

// Key identifies a row within a run: each (incident, agent, repeat) is
// written exactly once.
type Key struct {
	IncidentID string
	Agent      string
	Repeat     int
}

// Key returns the row's identity.
func (r *Result) Key() Key { return Key{r.IncidentID, r.Agent, r.Repeat} }

// Failed reports whether the row holds no usable verdict.
func (r *Result) Failed() bool { return r.Disposition == Errored || r.Grade == "" }

// Correct reports whether the verdict's grade equals the gold grade.
// A failed row is never correct.
func (r *Result) Correct() bool { return !r.Failed() && r.Grade == r.Gold.Grade }
