package harness

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps model calls under an endpoint's requests-per-minute and
// tokens-per-minute quotas. One Limiter can be shared by every agent that
// calls the same deployment. A nil *Limiter does not limit.
type Limiter struct {
	requests *rate.Limiter
	tokens   *rate.Limiter
}

// NewLimiter returns a limiter for requestsPerMinute and tokensPerMinute;
// zero or less leaves that quota unlimited. Requests may burst up to one
// second's worth and tokens up to ten seconds' worth, so calls spread
// over the minute instead of using the whole quota at once.
func NewLimiter(requestsPerMinute, tokensPerMinute int) *Limiter {
	l := &Limiter{}
	if requestsPerMinute > 0 {
		l.requests = rate.NewLimiter(rate.Limit(float64(requestsPerMinute)/60), max(1, requestsPerMinute/60))
	}
	if tokensPerMinute > 0 {
		l.tokens = rate.NewLimiter(rate.Limit(float64(tokensPerMinute)/60), max(1, tokensPerMinute/6))
	}
	return l
}

// Wait blocks until one request that uses about tokens tokens fits in
// the quotas, or ctx is done. A request larger than the token burst waits
// for a full burst.
func (l *Limiter) Wait(ctx context.Context, tokens int) error {
	if l == nil {
		return nil
	}
	if l.requests != nil {
		if err := l.requests.Wait(ctx); err != nil {
			return fmt.Errorf("wait for request quota: %w", err)
		}
	}
	if l.tokens != nil && tokens > 0 {
		n := min(tokens, l.tokens.Burst())
		if err := l.tokens.WaitN(ctx, n); err != nil {
			return fmt.Errorf("wait for token quota (%d tokens): %w", n, err)
		}
	}
	return nil
}

// String describes the limiter's quotas for the run manifest.
func (l *Limiter) String() string {
	if l == nil {
		return "unlimited"
	}
	perMinute := func(r *rate.Limiter) string {
		if r == nil {
			return "unlimited"
		}
		return fmt.Sprintf("%.0f", float64(r.Limit())*time.Minute.Seconds())
	}
	return fmt.Sprintf("requests/min=%s tokens/min=%s", perMinute(l.requests), perMinute(l.tokens))
}
