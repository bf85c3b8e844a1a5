package harness

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sashabaranov/go-openai"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"fraction", map[string]string{"Retry-After": "0.25"}, 250 * time.Millisecond},
		{"http date", map[string]string{"Retry-After": "Mon, 02 Mar 2026 09:00:30 GMT"}, 30 * time.Second},
		{"past date", map[string]string{"Retry-After": "Mon, 02 Mar 2026 08:59:00 GMT"}, 0},
		{"milliseconds win", map[string]string{"Retry-After": "7", "Retry-After-Ms": "1500"}, 1500 * time.Millisecond},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0},
		{"negative", map[string]string{"Retry-After": "-3"}, 0},
		{"none", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			if got := parseRetryAfter(h, now); got != tt.want {
				t.Errorf("parseRetryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetryWaitCapsHint(t *testing.T) {
	p := RetryPolicy{MaxRetryAfter: time.Minute}.withDefaults()
	if got := p.wait(1, time.Hour); got != time.Minute {
		t.Errorf("wait = %v, want the 1m cap", got)
	}
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{BaseDelay: time.Second, MaxDelay: 4 * time.Second}.withDefaults()
	// d = 1s, 2s, 4s, 4s (capped); equal jitter draws from [d/2, d].
	bounds := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
	for retry, d := range bounds {
		for range 200 {
			got := p.backoff(retry + 1)
			if got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v outside [%v, %v]", retry+1, got, d/2, d)
			}
		}
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&openai.APIError{HTTPStatusCode: 429}, true},
		{&openai.APIError{HTTPStatusCode: 500}, true},
		{&openai.RequestError{HTTPStatusCode: 503}, true},
		{&openai.APIError{HTTPStatusCode: 408}, true},
		{&openai.APIError{HTTPStatusCode: 400}, false},
		{&openai.APIError{HTTPStatusCode: 401}, false},
		{errors.New("decode failed"), false},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	var nilLimiter *Limiter
	if err := nilLimiter.Wait(context.Background(), 1e9); err != nil {
		t.Errorf("nil limiter: %v", err)
	}
	if err := NewLimiter(0, 0).Wait(context.Background(), 1e9); err != nil {
		t.Errorf("unlimited limiter: %v", err)
	}

	// One request per minute: the first passes at once; the second would
	// wait a minute, which rate.Limiter reports at once as exceeding the
	// context's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	l := NewLimiter(1, 0)
	if err := l.Wait(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, 0); err == nil {
		t.Error("second request within the minute passed")
	}

	// 600 tokens per minute is 10 per second with a burst of 100.
	tl := NewLimiter(0, 600)
	if err := tl.Wait(ctx, 5000); err != nil {
		t.Fatalf("a request above the burst must take a full burst, not fail: %v", err)
	}
	if err := tl.Wait(ctx, 10); err == nil {
		t.Error("token quota not enforced: 10 more tokens need 1 s")
	}
	if got := tl.String(); got != "requests/min=unlimited tokens/min=600" {
		t.Errorf("String() = %q", got)
	}
}
