package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sashabaranov/go-openai"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/prompts"
	"github.com/soceval/soceval/runstore"
)

// LLMAgent triages incidents with a chat model behind an
// OpenAI-compatible API (OpenAI, Azure OpenAI, vLLM, Ollama, ...), using
// a versioned prompt and the offline investigation tools. It retries
// transient failures, respects rate limits, and records or replays every
// model exchange through a cassette. It is safe for concurrent use.
type LLMAgent struct {
	cfg       LLMConfig
	prompt    *prompts.Prompt
	model     string
	maxTokens int
	tools     []openai.Tool
	retry     RetryPolicy
	client    *openai.Client
	log       *slog.Logger

	// jsonSchemaRejected is set once the endpoint rejects a json_schema
	// response format; later requests then ask for json_object.
	jsonSchemaRejected atomic.Bool
}

// NewLLMAgent checks cfg and returns the agent. It makes no network call.
func NewLLMAgent(cfg LLMConfig) (*LLMAgent, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeLive
	}
	if _, err := ParseCassetteMode(string(cfg.Mode)); err != nil {
		return nil, err
	}
	if cfg.Prompt != nil {
		cfg = applyPromptDefaults(cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	switch cfg.ResponseFormat {
	case prompts.FormatJSONSchema, prompts.FormatJSONObject, prompts.FormatText:
	default:
		return nil, fmt.Errorf("llm agent %q: invalid response format %q: use json_schema, json_object or text", cfg.Name, cfg.ResponseFormat)
	}

	tools, err := toolDefinitions(cfg.Prompt.Tools)
	if err != nil {
		return nil, fmt.Errorf("llm agent %q, prompt %s: %w", cfg.Name, cfg.Prompt.Ref(), err)
	}

	a := &LLMAgent{
		cfg: cfg, prompt: cfg.Prompt, model: cfg.Model, maxTokens: cfg.MaxTokens,
		tools: tools, retry: cfg.Retry.withDefaults(), log: cfg.Logger,
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.client = newOpenAIClient(cfg)
	return a, nil
}

// applyPromptDefaults fills the settings cfg leaves unset from the prompt
// and the package defaults.
func applyPromptDefaults(cfg LLMConfig) LLMConfig {
	p := cfg.Prompt
	if cfg.Name == "" {
		cfg.Name = "llm:" + p.Ref()
	}
	if cfg.Model == "" {
		cfg.Model = p.Model
	}
	if cfg.Temperature == nil {
		cfg.Temperature = p.Temperature
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = p.MaxTokens
	}
	if cfg.ResponseFormat == "" {
		cfg.ResponseFormat = p.ResponseFormat
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultLLMTimeout
	}
	if cfg.MaxSteps <= 0 {
		cfg.MaxSteps = DefaultLLMMaxSteps
	}
	return cfg
}

// newOpenAIClient builds the go-openai client: OpenAI-compatible or
// Azure with an explicit deployment mapping, over an HTTP client with a
// time-out.
func newOpenAIClient(cfg LLMConfig) *openai.Client {
	httpClient := &http.Client{}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		httpClient = &copied
	}
	httpClient.Timeout = cfg.Timeout

	transport := &llmTransport{client: httpClient, now: time.Now}
	if cfg.Temperature != nil && *cfg.Temperature == 0 {
		transport.extra = map[string]any{"temperature": 0}
	}

	var oc openai.ClientConfig
	if cfg.Azure != nil {
		oc = openai.DefaultAzureConfig(cfg.APIKey, strings.TrimRight(cfg.Azure.Endpoint, "/"))
		oc.APIVersion = firstNonEmpty(cfg.Azure.APIVersion, defaultAzureAPIVer)
		azure := cfg.Azure
		oc.AzureModelMapperFunc = azure.deployment
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	oc.HTTPClient = transport
	return openai.NewClientWithConfig(oc)
}

// Name returns the agent's name, such as "llm:triage/v2".
func (a *LLMAgent) Name() string { return a.cfg.Name }

// Describe returns the agent's settings for the run manifest. The API
// key is never included, and URLs lose any user information and query.
func (a *LLMAgent) Describe() runstore.AgentSpec {
	c := a.cfg
	settings := map[string]string{
		"response_format":    c.ResponseFormat,
		"max_steps":          strconv.Itoa(c.MaxSteps),
		"timeout":            c.Timeout.String(),
		"retry_max_attempts": strconv.Itoa(a.retry.MaxAttempts),
		"mode":               string(c.Mode),
		"tools":              strings.Join(a.prompt.Tools, ","),
		"rate_limit":         c.Limiter.String(),
	}
	if c.Cassette != nil {
		settings["cassette"] = c.Cassette.Path()
	}
	if c.Seed != nil {
		settings["seed"] = strconv.Itoa(*c.Seed)
	}
	baseURL := c.BaseURL
	if c.Azure != nil {
		baseURL = c.Azure.Endpoint
		settings["azure_api_version"] = firstNonEmpty(c.Azure.APIVersion, defaultAzureAPIVer)
		settings["azure_deployment"] = c.Azure.deployment(c.Model)
	}
	return runstore.AgentSpec{
		Name: c.Name, Kind: "llm", Model: c.Model, BaseURL: redactURL(baseURL),
		Prompt: a.prompt.Ref(), PromptSHA: a.prompt.SHA256,
		Temperature: c.Temperature, MaxTokens: c.MaxTokens, Settings: settings,
	}
}

// Triage renders the prompt for in, runs the conversation (model calls
// and tool calls, at most MaxSteps model calls) and parses the final
// reply into a verdict. A reply that does not parse is a FormatError in
// the outcome, not an error. The outcome's latency is the sum of the
// model calls' latencies, without retry waits and local tool time.
func (a *LLMAgent) Triage(ctx context.Context, in *datasets.Incident, repeat int) (Outcome, error) {
	system, user, err := a.prompt.Render(in)
	if err != nil {
		return Outcome{}, fmt.Errorf("render prompt %s: %w", a.prompt.Ref(), err)
	}
	messages := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}

	out := Outcome{Replayed: a.cfg.Mode != ModeLive}
	for step := 0; step < a.cfg.MaxSteps; step++ {
		last := step == a.cfg.MaxSteps-1
		entry, replayed, err := a.exchange(ctx, in.ID, repeat, step, messages, last)
		out.addExchange(entry, replayed, a.cfg.Pricing)
		if err != nil {
			return out, err
		}

		if len(entry.Reply.ToolCalls) == 0 {
			finishOutcome(&out, entry)
			return out, nil
		}
		if last {
			out.RawOutput = entry.Reply.Content
			out.FormatError = fmt.Sprintf("model still requested tools after %d steps (max_steps)", a.cfg.MaxSteps)
			return out, nil
		}
		messages = append(messages, entry.Reply.message())
		messages = append(messages, a.runTools(in, entry.Reply.ToolCalls, &out)...)
	}
	return out, nil
}

// addExchange adds one exchange's usage to the outcome.
func (o *Outcome) addExchange(e CassetteEntry, replayed bool, pricing Pricing) {
	o.TokensIn += e.TokensIn
	o.TokensOut += e.TokensOut
	o.CostUSD += pricing.cost(e.TokensIn, e.TokensOut)
	o.Latency += time.Duration(e.LatencyMS * float64(time.Millisecond))
	o.Attempts += e.Attempts
	o.Replayed = o.Replayed && replayed
}

// finishOutcome parses the final reply into the outcome's verdict or
// format error.
func finishOutcome(out *Outcome, e CassetteEntry) {
	reply := e.Reply
	out.RawOutput = reply.Content
	if reply.Refusal != "" {
		out.RawOutput = reply.Refusal
		out.FormatError = "model refused: " + truncate(reply.Refusal, 200)
		return
	}
	if strings.TrimSpace(reply.Content) == "" {
		out.FormatError = fmt.Sprintf("empty reply (finish reason %q)", e.FinishReason)
		return
	}
	v, err := ParseVerdict(reply.Content)
	if err != nil {
		out.FormatError = err.Error()
		if e.FinishReason == string(openai.FinishReasonLength) {
			out.FormatError += " (the reply was cut off at max_tokens)"
		}
		return
	}
	out.Verdict = &v
}

// runTools answers the model's tool calls and records them in out.
func (a *LLMAgent) runTools(in *datasets.Incident, calls []CassetteToolCall, out *Outcome) []openai.ChatCompletionMessage {
	var replies []openai.ChatCompletionMessage
	for _, tc := range calls {
		start := time.Now()
		result := RunTool(in, a.prompt.Tools, tc.Name, tc.Arguments)
		out.ToolCalls = append(out.ToolCalls, runstore.ToolCall{
			Name: tc.Name, Arguments: tc.Arguments, Result: result,
			DurationMS: float64(time.Since(start).Microseconds()) / 1000,
		})
		replies = append(replies, openai.ChatCompletionMessage{
			Role: openai.ChatMessageRoleTool, Content: result, ToolCallID: tc.ID,
		})
	}
	return replies
}

// request builds the chat completion request for messages in the given
// response format. The last step offers tools with tool_choice "none",
// so the model must answer.
func (a *LLMAgent) request(messages []openai.ChatCompletionMessage, format string, last bool) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model:               a.model,
		Messages:            messages,
		MaxCompletionTokens: a.maxTokens,
		Seed:                a.cfg.Seed,
		ResponseFormat:      a.responseFormat(format),
	}
	if t := a.cfg.Temperature; t != nil {
		// A zero is dropped by go-openai's omitempty; llmTransport adds it.
		req.Temperature = float32(*t)
	}
	if len(a.tools) > 0 {
		req.Tools = a.tools
		if last {
			req.ToolChoice = "none"
		}
	}
	return req
}

func (a *LLMAgent) responseFormat(format string) *openai.ChatCompletionResponseFormat {
	switch format {
	case prompts.FormatJSONSchema:
		return &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   a.prompt.SchemaName,
				Schema: json.RawMessage(a.prompt.Schema),
				// Strict mode needs every property required and no extra
				// properties, which only the built-in schemas guarantee.
				Strict: a.prompt.SchemaName != "inline",
			},
		}
	case prompts.FormatJSONObject:
		return &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	return nil
}

// format returns the response format requests currently use.
func (a *LLMAgent) format() string {
	if a.cfg.ResponseFormat == prompts.FormatJSONSchema && a.jsonSchemaRejected.Load() {
		return prompts.FormatJSONObject
	}
	return a.cfg.ResponseFormat
}

// keyInput returns the cassette key input of req.
func (a *LLMAgent) keyInput(req openai.ChatCompletionRequest, repeat int) cassetteKeyInput {
	return cassetteKeyInput{
		Model: req.Model, Messages: req.Messages, Tools: req.Tools, ToolChoice: req.ToolChoice,
		Temperature: a.cfg.Temperature, MaxTokens: req.MaxCompletionTokens,
		ResponseFormat: req.ResponseFormat, Seed: req.Seed, Repeat: repeat,
	}
}

// exchange obtains the reply to one request: from the cassette when the
// mode allows, else from the model, recording it in record modes.
// The bool reports whether the reply was replayed.
func (a *LLMAgent) exchange(ctx context.Context, incident string, repeat, step int, messages []openai.ChatCompletionMessage, last bool) (CassetteEntry, bool, error) {
	format := a.format()
	req := a.request(messages, format, last)
	key, err := cassetteKey(a.keyInput(req, repeat))
	if err != nil {
		return CassetteEntry{}, false, err
	}

	if a.cfg.Mode == ModeReplay || a.cfg.Mode == ModeReplayOrRecord {
		if e, ok := a.lookup(key, messages, repeat, last, format); ok {
			return e, true, nil
		}
		if a.cfg.Mode == ModeReplay {
			return CassetteEntry{}, false, fmt.Errorf("replay %s from %s: %w; record it with mode replay-or-record",
				describeExchange(incident, repeat, step, key), a.cfg.Cassette.Path(), ErrNotRecorded)
		}
	}

	resp, latency, attempts, err := a.call(ctx, incident, req)
	if err != nil && format == prompts.FormatJSONSchema && rejectsResponseFormat(err) {
		a.jsonSchemaRejected.Store(true)
		a.log.Warn("endpoint rejected response_format json_schema; using json_object", "agent", a.cfg.Name, "error", err)
		return a.exchange(ctx, incident, repeat, step, messages, last)
	}
	if err != nil {
		return CassetteEntry{Attempts: attempts}, false, fmt.Errorf("incident %q repeat %d step %d: %w", incident, repeat, step, err)
	}

	entry := CassetteEntry{
		Key: key, Incident: incident, Repeat: repeat, Step: step, Model: req.Model,
		TokensIn: resp.Usage.PromptTokens, TokensOut: resp.Usage.CompletionTokens,
		LatencyMS: float64(latency.Microseconds()) / 1000, Attempts: attempts,
	}
	if len(resp.Choices) > 0 {
		entry.Reply = replyFromMessage(resp.Choices[0].Message)
		entry.FinishReason = string(resp.Choices[0].FinishReason)
	}
	if a.cfg.Mode == ModeRecord || a.cfg.Mode == ModeReplayOrRecord {
		if err := a.cfg.Cassette.Record(entry); err != nil {
			return entry, false, err
		}
	}
	return entry, false, nil
}

// lookup finds a recording of the request. When the agent asks for
// json_schema it also accepts a recording made after the endpoint
// rejected json_schema and the agent fell back to json_object.
func (a *LLMAgent) lookup(key string, messages []openai.ChatCompletionMessage, repeat int, last bool, format string) (CassetteEntry, bool) {
	if e, ok := a.cfg.Cassette.Lookup(key); ok {
		return e, true
	}
	if format != prompts.FormatJSONSchema {
		return CassetteEntry{}, false
	}
	fallback, err := cassetteKey(a.keyInput(a.request(messages, prompts.FormatJSONObject, last), repeat))
	if err != nil {
		return CassetteEntry{}, false
	}
	return a.cfg.Cassette.Lookup(fallback)
}

// rejectsResponseFormat reports whether err is an HTTP 400 about the
// response format, as endpoints without structured output return.
func rejectsResponseFormat(err error) bool {
	if httpStatus(err) != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "response_format") || strings.Contains(msg, "json_schema")
}

// call sends req, waiting for the rate limiter and retrying transient
// failures. It returns the reply, the latency of the successful attempt
// and the number of attempts made.
func (a *LLMAgent) call(ctx context.Context, incident string, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, time.Duration, int, error) {
	for attempt := 1; ; attempt++ {
		if err := a.cfg.Limiter.Wait(ctx, estimateTokens(req)); err != nil {
			return openai.ChatCompletionResponse{}, 0, attempt - 1, err
		}

		hint := &retryHint{}
		start := time.Now()
		resp, err := a.client.CreateChatCompletion(withRetryHint(ctx, hint), req)
		latency := time.Since(start)
		if err == nil {
			return resp, latency, attempt, nil
		}

		if ctx.Err() != nil {
			return resp, 0, attempt, fmt.Errorf("model call canceled: %w", ctx.Err())
		}
		if !retryable(err) || attempt >= a.retry.MaxAttempts {
			return resp, 0, attempt, fmt.Errorf("model call failed after %d attempt(s): %w", attempt, err)
		}

		wait := a.retry.wait(attempt, hint.get())
		a.log.Warn("retrying model call", "agent", a.cfg.Name, "incident", incident,
			"attempt", attempt, "status", httpStatus(err), "retry_after", hint.get(), "wait", wait, "error", err)
		if err := a.retry.Sleep(ctx, wait); err != nil {
			return resp, 0, attempt, fmt.Errorf("model call canceled while waiting to retry: %w", err)
		}
	}
}

// estimateTokens guesses the tokens a request uses for the rate limiter:
// about four characters per prompt token plus the completion budget.
func estimateTokens(req openai.ChatCompletionRequest) int {
	chars := 0
	for _, m := range req.Messages {
		chars += len(m.Content)
		for _, tc := range m.ToolCalls {
			chars += len(tc.Function.Arguments)
		}
	}
	return chars/4 + req.MaxCompletionTokens
}

var _ interface {
	Agent
	Describer
} = (*LLMAgent)(nil)
