package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeOpenAI is an httptest server that speaks the OpenAI chat
// completions wire format. Each request is passed to script with its
// 0-based index; the server stores every request for inspection.
type fakeOpenAI struct {
	*httptest.Server
	t      *testing.T
	script func(n int, req *seenRequest, w http.ResponseWriter)

	mu   sync.Mutex
	seen []*seenRequest
}

// seenRequest is one request the server received.
type seenRequest struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Raw    []byte
	Body   map[string]any
	// Ctx is done when the client gives up; a slow script must return
	// then, or closing the server blocks.
	Ctx context.Context
}

func newFakeOpenAI(t *testing.T, script func(n int, req *seenRequest, w http.ResponseWriter)) *fakeOpenAI {
	t.Helper()
	f := &fakeOpenAI{t: t, script: script}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOpenAI) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := &seenRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Raw: raw}
	if err := json.Unmarshal(raw, &req.Body); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}

	f.mu.Lock()
	n := len(f.seen)
	f.seen = append(f.seen, req)
	f.mu.Unlock()

	req.Ctx = r.Context()
	f.script(n, req, w)
}

// requests returns the requests received so far.
func (f *fakeOpenAI) requests() []*seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*seenRequest(nil), f.seen...)
}

// url returns the OpenAI-style base URL of the server.
func (f *fakeOpenAI) url() string { return f.URL + "/v1" }

// usage is a reply's token usage.
type usage struct{ in, out int }

// writeReply writes a chat completion whose message has content.
func writeReply(w http.ResponseWriter, content string, u usage) {
	writeCompletion(w, map[string]any{"role": "assistant", "content": content}, "stop", u)
}

// toolCall is one tool call in a scripted reply.
type toolCall struct{ id, name, args string }

// writeToolCalls writes a chat completion that requests tool calls.
func writeToolCalls(w http.ResponseWriter, u usage, calls ...toolCall) {
	var list []map[string]any
	for _, c := range calls {
		list = append(list, map[string]any{
			"id": c.id, "type": "function",
			"function": map[string]any{"name": c.name, "arguments": c.args},
		})
	}
	writeCompletion(w, map[string]any{"role": "assistant", "content": nil, "tool_calls": list}, "tool_calls", u)
}

func writeCompletion(w http.ResponseWriter, message map[string]any, finish string, u usage) {
	body := map[string]any{
		"id":      "chatcmpl-test",
		"object":  "chat.completion",
		"created": 1767225600,
		"model":   "gpt-4o-mini-2024-07-18",
		"choices": []any{map[string]any{"index": 0, "message": message, "logprobs": nil, "finish_reason": finish}},
		"usage": map[string]any{
			"prompt_tokens": u.in, "completion_tokens": u.out, "total_tokens": u.in + u.out,
		},
		"system_fingerprint": "fp_test",
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// writeAPIError writes an OpenAI error object with status.
func writeAPIError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error","param":null,"code":null}}`, message)
}

// verdictJSON is a conforming verdict reply.
const verdictJSON = `{"grade":"true_positive","category":"phishing","confidence":0.92,"actions":["quarantine_email","block_url"],"escalate":false,"rationale":"The URL is a known credential-phishing page."}`

// sleepRecorder replaces RetryPolicy.Sleep: it records each wait and
// returns at once, so retry tests take no time and check exact waits.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) policy(maxAttempts int) RetryPolicy {
	return RetryPolicy{
		MaxAttempts: maxAttempts,
		BaseDelay:   time.Second,
		MaxDelay:    8 * time.Second,
		Sleep: func(_ context.Context, d time.Duration) error {
			s.mu.Lock()
			s.waits = append(s.waits, d)
			s.mu.Unlock()
			return nil
		},
	}
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}
