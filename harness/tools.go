package harness

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sashabaranov/go-openai"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/prompts"
)

// Tool is one offline investigation tool an LLM agent may call. Every
// result comes from the incident's recorded enrichments and evidence, so
// runs need no network and return the same result every time.
type Tool struct {
	Name        string
	Description string
	// Param is the name of the tool's single string argument.
	Param     string
	ParamDesc string
	// Sources lists the enrichment tool names the tool reads: its own
	// name and the names importers record, such as "file_reputation".
	Sources []string
	// fromIncident looks the argument up in the incident itself when no
	// enrichment matches; nil for tools served from enrichments only.
	fromIncident func(in *datasets.Incident, argument string) (any, bool)
}

// Tools lists the investigation tools in the order they are offered to
// the model.
var Tools = []Tool{
	{Name: "read_email", Param: "email", ParamDesc: "The e-mail's value as given in the evidence (message id or subject line).",
		Description:  "Read the recorded headers, body and attachments of an e-mail in the evidence.",
		fromIncident: evidenceByValue("email")},
	{Name: "lookup_url", Param: "url", ParamDesc: "The full URL.",
		Description: "Reputation and sandbox verdict recorded for a URL.",
		Sources:     []string{"url_reputation"}},
	{Name: "lookup_domain", Param: "domain", ParamDesc: "The domain name, such as example.com.",
		Description: "Reputation, registration age and category recorded for a domain.",
		Sources:     []string{"domain_reputation"}},
	{Name: "lookup_ip", Param: "ip", ParamDesc: "The IPv4 or IPv6 address.",
		Description: "Reputation, owner and geolocation recorded for an IP address.",
		Sources:     []string{"ip_reputation"}},
	{Name: "lookup_file_hash", Param: "hash", ParamDesc: "The file's SHA-256, SHA-1 or MD5 hash in hex, as given in the evidence.",
		Description: "Reputation and sandbox verdict recorded for a file hash.",
		Sources:     []string{"file_reputation"}},
	{Name: "get_device_timeline", Param: "device", ParamDesc: "The device name as given in the evidence.",
		Description: "Recorded process, network and file events on a device around the incident.",
		Sources:     []string{"device_timeline", "process_tree"}},
	{Name: "get_signin_history", Param: "user", ParamDesc: "The user principal name or account as given in the evidence.",
		Description: "Recorded recent sign-ins of a user: time, location, IP address, result.",
		Sources:     []string{"signin_history"}},
	{Name: "get_alert_details", Param: "alert_id", ParamDesc: "The alert id as given in the incident.",
		Description:  "Full recorded details and log lines of one alert of the incident.",
		Sources:      []string{"get_alert", "get_alert_log"},
		fromIncident: alertByID},
	{Name: "get_entity", Param: "entity", ParamDesc: "The entity as type:value, such as device:WS-042 or user:j.doe@contoso.com.",
		Description:  "Recorded details of one entity of the evidence (device, user, file, process, ip, mailbox, ...).",
		fromIncident: evidenceByTypedValue},
	{Name: "get_rule", Param: "rule_id", ParamDesc: "The detection rule id.",
		Description: "Recorded definition of the detection rule that raised an alert."},
}

// LookupTool returns the tool named name.
func LookupTool(name string) (Tool, bool) {
	i := slices.IndexFunc(Tools, func(t Tool) bool { return t.Name == name })
	if i < 0 {
		return Tool{}, false
	}
	return Tools[i], true
}

// ToolNames returns the names of all tools.
func ToolNames() []string {
	names := make([]string, len(Tools))
	for i, t := range Tools {
		names[i] = t.Name
	}
	return names
}

// toolDefinitions returns the OpenAI function definitions of the named
// tools, or an error naming a tool that does not exist.
func toolDefinitions(names []string) ([]openai.Tool, error) {
	defs := make([]openai.Tool, 0, len(names))
	for _, name := range names {
		t, ok := LookupTool(name)
		if !ok {
			return nil, fmt.Errorf("unknown tool %q: available tools are %s", name, strings.Join(ToolNames(), ", "))
		}
		params := map[string]any{
			"type":                 "object",
			"additionalProperties": false,
			"required":             []string{t.Param},
			"properties": map[string]any{
				t.Param: map[string]any{"type": "string", "description": t.ParamDesc},
			},
		}
		defs = append(defs, openai.Tool{
			Type:     openai.ToolTypeFunction,
			Function: &openai.FunctionDefinition{Name: t.Name, Description: t.Description, Parameters: params},
		})
	}
	return defs, nil
}

// maxToolResultBytes bounds a tool result sent to the model, so one huge
// recorded result cannot fill the context window.
const maxToolResultBytes = 16 << 10

// RunTool returns the result of one tool call for incident in, served
// from its recorded data.
// allowed lists the tools the prompt offers. The answer is always a
// string for the model: an unknown tool, invalid arguments or a look-up
// with no recorded answer each get an explicit "no data recorded" or
// "invalid" message, never an invented result. Answers are fenced as
// untrusted data because they may quote attacker-controlled text.
func RunTool(in *datasets.Incident, allowed []string, name, arguments string) string {
	t, ok := LookupTool(name)
	if !ok || !slices.Contains(allowed, name) {
		return fmt.Sprintf("no data recorded for unknown tool %s; available tools: %s", jsonQuote(truncate(name, 64)), strings.Join(allowed, ", "))
	}

	argument, err := toolArgument(t, arguments)
	if err != nil {
		return fmt.Sprintf("error: invalid arguments for %s: %v; call it with {%q: \"...\"}", t.Name, err, t.Param)
	}

	answer, found := t.lookup(in, argument)
	if !found {
		return fmt.Sprintf("no data recorded for %s(%s)", t.Name, jsonQuote(truncate(argument, 512)))
	}

	fenced, err := prompts.Fence("TOOL_RESULT", map[string]any{"tool": t.Name, "argument": argument, "result": answer})
	if err != nil {
		return fmt.Sprintf("error: the recorded answer of %s could not be encoded: %v", t.Name, err)
	}
	if len(fenced) > maxToolResultBytes {
		truncated, _ := prompts.Fence("TOOL_RESULT", map[string]any{
			"tool": t.Name, "argument": argument,
			"result":    truncate(fmt.Sprint(answer), maxToolResultBytes/2),
			"truncated": true,
		})
		return truncated
	}
	return fenced
}

// toolArgument extracts the tool's single string argument from the JSON
// arguments the model sent.
func toolArgument(t Tool, arguments string) (string, error) {
	var args map[string]any
	if err := json.Unmarshal([]byte(arguments), &args); err != nil {
		return "", fmt.Errorf("arguments are not a JSON object: %w", err)
	}
	v, ok := args[t.Param]
	if !ok {
		return "", fmt.Errorf("missing %q", t.Param)
	}
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%q must be a non-empty string", t.Param)
	}
	return unescapeJSON(strings.TrimSpace(s)), nil
}

// unescapeJSON decodes JSON escapes such as \u003c that a model may copy
// from the JSON-encoded incident into an argument, so that the argument
// matches the recorded value "<".
func unescapeJSON(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var decoded string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &decoded); err != nil {
		return s
	}
	return decoded
}

// lookup returns the recorded result for argument: the enrichments of
// the tool's name and sources first, then the tool's look-up in the
// incident. Several matching enrichments are returned as a list.
func (t Tool) lookup(in *datasets.Incident, argument string) (any, bool) {
	sources := append([]string{t.Name}, t.Sources...)
	if results := findEnrichments(in.Enrichments, sources, argument); len(results) > 0 {
		if len(results) == 1 {
			return results[0].Result, true
		}
		return results, true
	}
	if t.fromIncident != nil {
		return t.fromIncident(in, argument)
	}
	return nil, false
}

// findEnrichments returns the enrichments of the given tools recorded for
// argument. Exact argument matches win over case-insensitive ones, since
// host names and hashes ignore case but URL paths do not.
func findEnrichments(rows []datasets.Enrichment, tools []string, argument string) []datasets.Enrichment {
	var exact, folded []datasets.Enrichment
	for _, e := range rows {
		if !slices.Contains(tools, e.Tool) {
			continue
		}
		arg := strings.TrimSpace(e.Argument)
		switch {
		case arg == argument:
			exact = append(exact, e)
		case strings.EqualFold(arg, argument):
			folded = append(folded, e)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return folded
}

// evidenceByValue returns a look-up of the evidence entities of type
// kind by value, whose result is the entity with its recorded attributes.
func evidenceByValue(kind string) func(*datasets.Incident, string) (any, bool) {
	return func(in *datasets.Incident, argument string) (any, bool) {
		for _, e := range in.Evidence {
			if e.Type == kind && strings.EqualFold(strings.TrimSpace(e.Value), argument) {
				return e, true
			}
		}
		return nil, false
	}
}

// evidenceByTypedValue looks up an evidence entity by "type:value".
func evidenceByTypedValue(in *datasets.Incident, argument string) (any, bool) {
	kind, value, ok := strings.Cut(argument, ":")
	if !ok {
		return nil, false
	}
	return evidenceByValue(kind)(in, value)
}

func alertByID(in *datasets.Incident, argument string) (any, bool) {
	for _, a := range in.Alerts {
		if a.ID == argument {
			return a, true
		}
	}
	return nil, false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func jsonQuote(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}
