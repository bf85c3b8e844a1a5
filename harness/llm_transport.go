package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// llmTransport sits between go-openai and the HTTP client. It adds
// request fields go-openai cannot send (a temperature of exactly 0, which
// its omitempty tag drops) and passes the Retry-After hint of each
// response to the retry loop through the request's context.
type llmTransport struct {
	client *http.Client
	// extra holds top-level fields set in every chat completion body.
	extra map[string]any
	now   func() time.Time
}

// Do implements go-openai's HTTPDoer.
func (t *llmTransport) Do(req *http.Request) (*http.Response, error) {
	if len(t.extra) > 0 && req.Body != nil && strings.HasSuffix(req.URL.Path, "/chat/completions") {
		if err := t.patchBody(req); err != nil {
			return nil, err
		}
	}

	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	if h := retryHintFrom(req.Context()); h != nil {
		h.set(parseRetryAfter(resp.Header, t.now()))
	}
	return resp, nil
}

func (t *llmTransport) patchBody(req *http.Request) error {
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}

	var body map[string]json.RawMessage
	if err := json.Unmarshal(data, &body); err != nil {
		return fmt.Errorf("patch request body: %w", err)
	}
	for k, v := range t.extra {
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("patch request body field %s: %w", k, err)
		}
		body[k] = raw
	}
	patched, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("patch request body: %w", err)
	}

	req.Body = io.NopCloser(bytes.NewReader(patched))
	req.ContentLength = int64(len(patched))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(patched)), nil }
	return nil
}
