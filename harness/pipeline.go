package harness

import (
	"context"
	"strings"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// Pipeline chains agents as layers: each layer sees the incidents the
// layers before it escalated, and the first layer whose verdict is not an
// escalation settles the incident. The last layer's verdict always stands.
type Pipeline struct {
	name   string
	layers []Agent
	policy Policy
}

// NewPipeline returns a layered agent named name. policy decides whether a
// layer's verdict settles the incident.
func NewPipeline(name string, policy Policy, layers ...Agent) *Pipeline {
	return &Pipeline{name: name, layers: layers, policy: policy}
}

// Name returns the pipeline's name.
func (p *Pipeline) Name() string { return p.name }

// Describe returns the pipeline's settings for the manifest.
func (p *Pipeline) Describe() runstore.AgentSpec {
	spec := runstore.AgentSpec{Name: p.name, Kind: "pipeline"}
	for _, l := range p.layers {
		spec.Layers = append(spec.Layers, l.Name())
	}
	return spec
}

// Triage runs the layers in order until one settles the incident. Latency,
// tokens, cost and tool calls add up over the layers that ran.
func (p *Pipeline) Triage(ctx context.Context, in *datasets.Incident, repeat int) (Outcome, error) {
	var total Outcome
	var ran []string
	for i, layer := range p.layers {
		out, err := layer.Triage(ctx, in, repeat)
		ran = append(ran, layer.Name())
		if err != nil {
			return total, &LayerError{Layer: layer.Name(), Err: err}
		}

		total.Latency += out.Latency
		total.TokensIn += out.TokensIn
		total.TokensOut += out.TokensOut
		total.CostUSD += out.CostUSD
		total.Attempts += out.Attempts
		total.ToolCalls = append(total.ToolCalls, out.ToolCalls...)
		total.Replayed = total.Replayed || out.Replayed

		last := i == len(p.layers)-1
		if last || p.policy.Dispose(out.Verdict) != runstore.Escalated {
			total.Verdict = out.Verdict
			total.FormatError = out.FormatError
			total.RawOutput = out.RawOutput
			total.Layer = layer.Name()
			return total, nil
		}
	}
	return total, &LayerError{Layer: strings.Join(ran, ">"), Err: context.Canceled}
}

// LayerError is an error of one layer of a pipeline.
type LayerError struct {
	Layer string
	Err   error
}

func (e *LayerError) Error() string { return "layer " + e.Layer + ": " + e.Err.Error() }
func (e *LayerError) Unwrap() error { return e.Err }
