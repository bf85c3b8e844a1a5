// Command soceval evaluates AI agents that triage security incidents: it
// replays labeled incident sets through agents, scores the verdicts with
// confidence intervals, and gates a release on guardrail metrics.
//
// Exit codes: 0 passed (warnings allowed), 1 a gate failed, 2 bad usage or
// input, 3 run incomplete or invalid.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], newEnv())
	stop()
	os.Exit(code)
}
