package harness

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/sashabaranov/go-openai"
)

// CassetteMode selects how an LLM agent uses its cassette.
type CassetteMode string

// Cassette modes.
const (
	// ModeLive calls the model and records nothing.
	ModeLive CassetteMode = "live"
	// ModeRecord calls the model for every exchange and records each one,
	// replacing an earlier recording with the same key.
	ModeRecord CassetteMode = "record"
	// ModeReplay answers every exchange from the cassette and never calls
	// the model; a missing recording is an error.
	ModeReplay CassetteMode = "replay"
	// ModeReplayOrRecord replays recorded exchanges and calls the model
	// (recording the answer) for the rest.
	ModeReplayOrRecord CassetteMode = "replay-or-record"
)

// ParseCassetteMode parses a mode name; "" means ModeLive.
func ParseCassetteMode(s string) (CassetteMode, error) {
	switch m := CassetteMode(s); m {
	case "":
		return ModeLive, nil
	case ModeLive, ModeRecord, ModeReplay, ModeReplayOrRecord:
		return m, nil
	}
	return "", fmt.Errorf("invalid cassette mode %q: use live, record, replay or replay-or-record", s)
}

// ErrNotRecorded is returned in replay mode when the cassette holds no
// recording for an exchange.
var ErrNotRecorded = errors.New("exchange not recorded in cassette")

// CassetteEntry is one recorded model exchange: the reply to one request,
// with the usage and latency measured when it was recorded. It holds no
// request headers, so no API key can reach the file.
type CassetteEntry struct {
	// Key is the hex SHA-256 of the request (see cassetteKey).
	Key string `json:"key"`
	// Incident, Repeat and Step say where the exchange came from, for
	// people reading the file and for error messages; the key alone
	// decides a match.
	Incident string `json:"incident"`
	Repeat   int    `json:"repeat"`
	Step     int    `json:"step"`
	Model    string `json:"model"`

	Reply        CassetteReply `json:"reply"`
	FinishReason string        `json:"finish_reason,omitempty"`
	TokensIn     int           `json:"tokens_in"`
	TokensOut    int           `json:"tokens_out"`
	// LatencyMS is the duration of the successful call and Attempts the
	// number of calls it took, both as measured when recording.
	LatencyMS float64 `json:"latency_ms"`
	Attempts  int     `json:"attempts"`
}

// CassetteReply is the assistant message of a recorded reply.
type CassetteReply struct {
	Content   string             `json:"content,omitempty"`
	Refusal   string             `json:"refusal,omitempty"`
	ToolCalls []CassetteToolCall `json:"tool_calls,omitempty"`
}

// CassetteToolCall is one tool call the model requested.
type CassetteToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// Cassette stores recorded model exchanges in a JSON Lines file, one
// exchange per line. New recordings are appended and synced at once, so a
// crash loses at most the line being written; Close rewrites the file
// sorted by key, with sorted object keys, so that committed cassettes give
// small, stable diffs. A Cassette is safe for concurrent use.
type Cassette struct {
	path string

	mu      sync.Mutex
	entries map[string]CassetteEntry
	file    *os.File
	dirty   bool
}

// OpenCassette opens the cassette file at path, reading its recordings.
// A missing file is an empty cassette, created on the first recording.
// A torn last line, left by a crash while appending, is dropped with a
// warning; any other invalid line is an error naming its line.
func OpenCassette(path string) (*Cassette, error) {
	c := &Cassette{path: path, entries: map[string]CassetteEntry{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open cassette: %w", err)
	}

	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var e CassetteEntry
		err := json.Unmarshal(text, &e)
		if err == nil && e.Key == "" {
			err = errors.New(`missing "key"`)
		}
		if err != nil {
			if isTornLastLine(data, line) {
				slog.Warn("dropping incomplete last line of cassette", "file", path, "line", line, "error", err)
				c.dirty = true
				break
			}
			return nil, fmt.Errorf("%s:%d: invalid cassette entry: %w; fix or delete the line and re-record", path, line, err)
		}
		c.entries[e.Key] = e
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cassette %s: %w", path, err)
	}
	return c, nil
}

// isTornLastLine reports whether line is the file's last line and lacks
// its newline, the signature of an append cut short.
func isTornLastLine(data []byte, line int) bool {
	return !bytes.HasSuffix(data, []byte("\n")) && bytes.Count(data, []byte("\n")) == line-1
}

// Path returns the cassette's file name.
func (c *Cassette) Path() string { return c.path }

// Len returns the number of recordings.
func (c *Cassette) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Lookup returns the recording with key.
func (c *Cassette) Lookup(key string) (CassetteEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e, ok
}

// Record stores e, appending it to the file and syncing before it
// returns.
func (c *Cassette) Record(e CassetteEntry) error {
	line, err := encodeSorted(e)
	if err != nil {
		return fmt.Errorf("encode cassette entry: %w", err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file == nil {
		if dir := filepath.Dir(c.path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create cassette directory: %w", err)
			}
		}
		f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("open cassette for recording: %w", err)
		}
		c.file = f
	}
	if _, err := c.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("append to cassette %s: %w", c.path, err)
	}
	if err := c.file.Sync(); err != nil {
		return fmt.Errorf("sync cassette %s: %w", c.path, err)
	}
	c.entries[e.Key] = e
	c.dirty = true
	return nil
}

// Close rewrites the file sorted by key when anything was recorded, and
// releases it. The rewrite goes to a temporary file renamed over the
// cassette, so the file is never half-written.
func (c *Cassette) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file != nil {
		if err := c.file.Close(); err != nil {
			return fmt.Errorf("close cassette %s: %w", c.path, err)
		}
		c.file = nil
	}
	if !c.dirty {
		return nil
	}
	if err := c.rewrite(); err != nil {
		return err
	}
	c.dirty = false
	return nil
}

func (c *Cassette) rewrite() error {
	keys := make([]string, 0, len(c.entries))
	for k := range c.entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var buf bytes.Buffer
	for _, k := range keys {
		line, err := encodeSorted(c.entries[k])
		if err != nil {
			return fmt.Errorf("encode cassette entry %s: %w", k, err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}

	tmp, err := os.CreateTemp(filepath.Dir(c.path), filepath.Base(c.path)+".tmp*")
	if err != nil {
		return fmt.Errorf("rewrite cassette: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("rewrite cassette: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("rewrite cassette: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("rewrite cassette: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("rewrite cassette: %w", err)
	}
	return nil
}

// encodeSorted returns v as one line of JSON with object keys sorted at
// every level.
func encodeSorted(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic)
}

// cassetteKeyInput is everything that decides a model's reply: the model,
// the full message list, the tools, the generation settings and the
// repeat index. Repeats get distinct keys so that k repeats record k
// replies rather than replaying one.
type cassetteKeyInput struct {
	Model          string                               `json:"model"`
	Messages       []openai.ChatCompletionMessage       `json:"messages"`
	Tools          []openai.Tool                        `json:"tools"`
	ToolChoice     any                                  `json:"tool_choice"`
	Temperature    *float64                             `json:"temperature"`
	MaxTokens      int                                  `json:"max_tokens"`
	ResponseFormat *openai.ChatCompletionResponseFormat `json:"response_format"`
	Seed           *int                                 `json:"seed"`
	Repeat         int                                  `json:"repeat"`
}

// cassetteKey returns the hex SHA-256 of the request's key input.
func cassetteKey(in cassetteKeyInput) (string, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("compute cassette key: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// replyFromMessage converts a go-openai reply message to its recorded
// form.
func replyFromMessage(m openai.ChatCompletionMessage) CassetteReply {
	r := CassetteReply{Content: m.Content, Refusal: m.Refusal}
	for _, tc := range m.ToolCalls {
		r.ToolCalls = append(r.ToolCalls, CassetteToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return r
}

// message converts a recorded reply back to the assistant message that
// continues the conversation.
func (r CassetteReply) message() openai.ChatCompletionMessage {
	m := openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: r.Content, Refusal: r.Refusal}
	for _, tc := range r.ToolCalls {
		m.ToolCalls = append(m.ToolCalls, openai.ToolCall{
			ID: tc.ID, Type: openai.ToolTypeFunction,
			Function: openai.FunctionCall{Name: tc.Name, Arguments: tc.Arguments},
		})
	}
	return m
}

// describeExchange names an exchange in error messages.
func describeExchange(incident string, repeat, step int, key string) string {
	return fmt.Sprintf("incident %q repeat %d step %d (key %s)", incident, repeat, step, strings.TrimSpace(key))
}
