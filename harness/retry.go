package harness

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sashabaranov/go-openai"
)

// RetryPolicy decides how often and how long an LLM agent retries a
// failed model call. Rate limiting (HTTP 429), server errors (5xx),
// request time-outs (408) and transport failures such as a timed-out or
// reset connection are retried; other errors, such as 400 or 401, are
// returned at once.
type RetryPolicy struct {
	// MaxAttempts counts the first call; 1 disables retries. Zero means 4.
	MaxAttempts int
	// BaseDelay is the wait before the first retry; it doubles on each
	// retry up to MaxDelay. Zeros mean 1 s and 30 s.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps a server's Retry-After hint. Zero means 2 min.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx is done. Nil means a real timer; tests
	// set it to record waits instead of taking them.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleepContext
	}
	return p
}

// backoff returns the wait before retry number retry (1 for the first
// retry): exponential with "equal jitter", uniformly drawn from
// [d/2, d] where d = BaseDelay·2^(retry−1) capped at MaxDelay, so that
// concurrent workers that failed together do not retry together.
func (p RetryPolicy) backoff(retry int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < retry && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// wait returns how long to wait before retry number retry after a
// failure that carried the server hint retryAfter (0 when none).
func (p RetryPolicy) wait(retry int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.MaxRetryAfter)
	}
	return p.backoff(retry)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports whether a failed call is worth retrying. A refused
// connection or an unknown host is not: retrying an unreachable endpoint
// only delays the error.
func retryable(err error) bool {
	if status := httpStatus(err); status != 0 {
		return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var urlErr *url.Error
	return errors.As(err, &urlErr)
}

// httpStatus returns the HTTP status code carried by an error of
// go-openai, or 0.
func httpStatus(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// retryHint carries the server's Retry-After hint of the last response
// from the HTTP layer, which sees the headers, to the retry loop, which
// only sees go-openai's error value.
type retryHint struct {
	mu    sync.Mutex
	after time.Duration
}

func (h *retryHint) set(d time.Duration) {
	h.mu.Lock()
	h.after = d
	h.mu.Unlock()
}

func (h *retryHint) get() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.after
}

type retryHintKey struct{}

func withRetryHint(ctx context.Context, h *retryHint) context.Context {
	return context.WithValue(ctx, retryHintKey{}, h)
}

func retryHintFrom(ctx context.Context) *retryHint {
	h, _ := ctx.Value(retryHintKey{}).(*retryHint)
	return h
}

// parseRetryAfter reads a response's retry hint: the "retry-after-ms"
// header (milliseconds, sent by Azure OpenAI) or "Retry-After", either a
// number of seconds or an HTTP date (RFC 9110, section 10.2.3). It
// returns 0 when there is no usable hint.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
