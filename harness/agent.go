// Package harness runs agents over incidents: the agent implementations
// (rule-based, recorded replay, LLM over an OpenAI-compatible API), the
// offline investigation tools, the disposition policy and the runner.
package harness

import (
	"context"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// Agent triages one incident at a time. Implementations must be safe for
// concurrent use.
type Agent interface {
	// Name identifies the agent and its version in results, such as
	// "rules-v1" or "llm:triage/v2".
	Name() string
	// Triage returns the agent's outcome for one incident and repeat index.
	// A reply that does not parse is not an error: it is an Outcome with
	// FormatError set. An error means no reply was obtained at all
	// (time-out, transport failure, missing recording).
	Triage(ctx context.Context, in *datasets.Incident, repeat int) (Outcome, error)
}

// Describer is implemented by agents that can describe their settings
// for the run manifest. Descriptions never contain secrets.
type Describer interface {
	Describe() runstore.AgentSpec
}

// Outcome is what one agent call produced.
type Outcome struct {
	// Verdict is nil when FormatError is set.
	Verdict     *Verdict
	FormatError string
	ToolCalls   []runstore.ToolCall
	// Latency is the time the agent took. For replayed recordings it is
	// the recorded latency, not the look-up time.
	Latency   time.Duration
	TokensIn  int
	TokensOut int
	CostUSD   float64
	RawOutput string
	Replayed  bool
	Attempts  int
	// Layer names the pipeline layer that produced the verdict.
	Layer string
}
