package harness

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/soceval/soceval/prompts"
)

// LLMConfig configures an LLM agent. Zero values take the prompt's
// settings or the documented defaults.
type LLMConfig struct {
	// Name identifies the agent in results; default "llm:<prompt ref>".
	Name   string
	Prompt *prompts.Prompt

	// BaseURL is an OpenAI-compatible endpoint such as
	// https://api.openai.com/v1; APIKey its key. Azure replaces both.
	BaseURL string
	APIKey  string
	Azure   *AzureConfig

	// Model overrides the prompt's model.
	Model string
	// Temperature overrides the prompt's temperature. A temperature of 0
	// is sent explicitly, although go-openai omits a zero value.
	Temperature *float64
	// MaxTokens overrides the prompt's max_tokens; it is sent as
	// max_completion_tokens.
	MaxTokens int
	// ResponseFormat overrides the prompt's response_format:
	// json_schema, json_object or text.
	ResponseFormat string
	// Seed is sent for best-effort determinism where the endpoint
	// supports it.
	Seed *int

	// Timeout bounds each HTTP call; default 60 s.
	Timeout time.Duration
	// MaxSteps bounds model calls per incident when tools are used; the
	// last step offers no tools, so the model must answer. Default 8.
	MaxSteps int
	Retry    RetryPolicy
	// Limiter may be shared by agents calling the same endpoint.
	Limiter *Limiter
	// Pricing converts tokens to cost; zero records no cost.
	Pricing Pricing

	Cassette *Cassette
	Mode     CassetteMode

	// HTTPClient is copied and given Timeout; nil means a new client.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// AzureConfig selects Azure OpenAI. go-openai maps a model name to a
// deployment name and silently uses the deployment "UNKNOWN" for a model
// it cannot map, so soceval requires the mapping to be explicit.
type AzureConfig struct {
	// Endpoint is the resource URL, such as
	// https://my-resource.openai.azure.com.
	Endpoint string
	// APIVersion is the api-version query value, such as 2024-10-21.
	APIVersion string
	// Deployment is the deployment for models not in Deployments.
	Deployment string
	// Deployments maps a model name to its deployment name.
	Deployments map[string]string
}

// deployment returns the deployment serving model, or "" when none does.
func (a *AzureConfig) deployment(model string) string {
	if d, ok := a.Deployments[model]; ok && d != "" {
		return d
	}
	return a.Deployment
}

// Pricing is the price of tokens in US dollars per million.
type Pricing struct {
	InputPerMillion  float64
	OutputPerMillion float64
}

func (p Pricing) cost(tokensIn, tokensOut int) float64 {
	return (float64(tokensIn)*p.InputPerMillion + float64(tokensOut)*p.OutputPerMillion) / 1e6
}

// Defaults of LLMConfig.
const (
	DefaultLLMTimeout  = 60 * time.Second
	DefaultLLMMaxSteps = 8
	defaultAzureAPIVer = "2024-10-21"
)

// LLMConfigFromEnv reads endpoint settings from the environment with the
// OpenAI SDK's variable names: OPENAI_BASE_URL and OPENAI_API_KEY, or for
// Azure AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY, with
// AZURE_OPENAI_API_VERSION (or OPENAI_API_VERSION) and
// AZURE_OPENAI_DEPLOYMENT. Azure wins when AZURE_OPENAI_ENDPOINT is set.
// Settings from a suite file are applied on top with Override.
func LLMConfigFromEnv(getenv func(string) string) LLMConfig {
	if endpoint := strings.TrimSpace(getenv("AZURE_OPENAI_ENDPOINT")); endpoint != "" {
		version := firstNonEmpty(getenv("AZURE_OPENAI_API_VERSION"), getenv("OPENAI_API_VERSION"))
		return LLMConfig{
			APIKey: strings.TrimSpace(getenv("AZURE_OPENAI_API_KEY")),
			Azure: &AzureConfig{
				Endpoint:   endpoint,
				APIVersion: strings.TrimSpace(version),
				Deployment: strings.TrimSpace(getenv("AZURE_OPENAI_DEPLOYMENT")),
			},
		}
	}
	return LLMConfig{
		BaseURL: strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		APIKey:  strings.TrimSpace(getenv("OPENAI_API_KEY")),
	}
}

// Override returns c with every non-zero field of o applied on top, so
// suite settings override the environment.
func (c LLMConfig) Override(o LLMConfig) LLMConfig {
	set := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	set(&c.Name, o.Name)
	set(&c.BaseURL, o.BaseURL)
	set(&c.APIKey, o.APIKey)
	set(&c.Model, o.Model)
	set(&c.ResponseFormat, o.ResponseFormat)
	if o.Mode != "" {
		c.Mode = o.Mode
	}
	if o.Prompt != nil {
		c.Prompt = o.Prompt
	}
	if o.Azure != nil {
		c.Azure = o.Azure
	}
	if o.Temperature != nil {
		c.Temperature = o.Temperature
	}
	if o.Seed != nil {
		c.Seed = o.Seed
	}
	if o.MaxTokens != 0 {
		c.MaxTokens = o.MaxTokens
	}
	if o.Timeout != 0 {
		c.Timeout = o.Timeout
	}
	if o.MaxSteps != 0 {
		c.MaxSteps = o.MaxSteps
	}
	if o.Retry.MaxAttempts != 0 || o.Retry.BaseDelay != 0 || o.Retry.MaxDelay != 0 || o.Retry.MaxRetryAfter != 0 || o.Retry.Sleep != nil {
		c.Retry = o.Retry
	}
	if o.Limiter != nil {
		c.Limiter = o.Limiter
	}
	if o.Pricing != (Pricing{}) {
		c.Pricing = o.Pricing
	}
	if o.Cassette != nil {
		c.Cassette = o.Cassette
	}
	if o.HTTPClient != nil {
		c.HTTPClient = o.HTTPClient
	}
	if o.Logger != nil {
		c.Logger = o.Logger
	}
	return c
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// redactURL returns raw without user information, query or fragment, so
// that a key passed in a URL never reaches a manifest or a log.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// validate checks the settings that need no network.
func (c *LLMConfig) validate() error {
	if c.Prompt == nil {
		return fmt.Errorf("llm agent %q: no prompt set", c.Name)
	}
	if c.Mode != ModeLive && c.Cassette == nil {
		return fmt.Errorf("llm agent %q: mode %s needs a cassette file", c.Name, c.Mode)
	}
	if c.Model == "" {
		return fmt.Errorf("llm agent %q: no model: set model in the prompt's front matter or the suite", c.Name)
	}
	if c.Mode == ModeReplay {
		return nil
	}
	if c.Azure != nil {
		if c.Azure.Endpoint == "" {
			return fmt.Errorf("llm agent %q: Azure endpoint is empty: set AZURE_OPENAI_ENDPOINT", c.Name)
		}
		if c.Azure.deployment(c.Model) == "" {
			return fmt.Errorf("llm agent %q: no Azure deployment for model %q: set AZURE_OPENAI_DEPLOYMENT or map the model to a deployment", c.Name, c.Model)
		}
	} else if c.BaseURL == "" {
		c.BaseURL = "https://api.openai.com/v1"
	}
	if c.APIKey == "" && c.Azure != nil {
		return fmt.Errorf("llm agent %q: no API key: set AZURE_OPENAI_API_KEY", c.Name)
	}
	return nil
}
