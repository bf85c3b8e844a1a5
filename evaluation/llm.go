package evaluation

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/soceval/soceval/harness"
	"github.com/soceval/soceval/prompts"
	"github.com/soceval/soceval/suite"
)

// llmAgent builds an LLM agent from the environment's endpoint settings
// with the suite's on top, and renders its prompt for every incident
// before any call, so a template error stops the run before it costs
// anything.
func (p *Plan) llmAgent(spec *suite.Agent) (harness.Agent, error) {
	ref := spec.Prompt
	if len(ref) > 3 && ref[len(ref)-3:] == ".md" {
		ref = p.Suite.Resolve(ref)
	}
	prompt, err := prompts.Open(ref)
	if err != nil {
		return nil, err
	}
	if err := prompt.Check(p.Incidents); err != nil {
		return nil, err
	}

	mode, err := harness.ParseCassetteMode(spec.Mode)
	if err != nil {
		return nil, err
	}
	suiteCfg := harness.LLMConfig{
		Name:        spec.Name,
		Prompt:      prompt,
		BaseURL:     spec.BaseURL,
		Model:       spec.Model,
		Temperature: spec.Temperature,
		MaxTokens:   spec.MaxTokens,
		Timeout:     time.Duration(spec.TimeoutSeconds * float64(time.Second)),
		MaxSteps:    spec.MaxSteps,
		Retry:       harness.RetryPolicy{MaxAttempts: spec.MaxAttempts},
		Pricing:     harness.Pricing{InputPerMillion: spec.PriceInPerMTok, OutputPerMillion: spec.PriceOutPerMTok},
		Mode:        mode,
		Logger:      p.log,
	}
	if spec.RequestsPerMin > 0 || spec.TokensPerMin > 0 {
		suiteCfg.Limiter = harness.NewLimiter(int(spec.RequestsPerMin), int(spec.TokensPerMin))
	}
	if spec.Cassette != "" {
		path := p.Suite.Resolve(spec.Cassette)
		// Replay needs recordings: without the file every call would fail,
		// and the run would end blaming the network.
		if mode == harness.ModeReplay {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("mode replay needs the cassette %s, which does not exist; record it first with mode: record or replay-or-record", path)
			}
		}
		c, err := harness.OpenCassette(path)
		if err != nil {
			return nil, err
		}
		p.closers = append(p.closers, c)
		suiteCfg.Cassette = c
	}

	cfg := harness.LLMConfigFromEnv(p.Env).Override(suiteCfg)
	if spec.Azure && cfg.Azure == nil {
		return nil, fmt.Errorf("azure: true needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY in the environment")
	}
	if cfg.Azure != nil && spec.APIVersion != "" {
		cfg.Azure.APIVersion = spec.APIVersion
	}
	return harness.NewLLMAgent(cfg)
}

// Close releases what the plan's agents hold open, such as cassettes
// being recorded.
func (p *Plan) Close() error {
	var first error
	for _, c := range p.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	p.closers = nil
	return first
}

var _ io.Closer = (*harness.Cassette)(nil)
