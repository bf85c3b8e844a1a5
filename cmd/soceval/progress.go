package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/soceval/soceval/harness"
)

// Progress output intervals: a terminal line is redrawn at most ten times
// a second; logs get one line every ten seconds.
const (
	terminalRedraw = 100 * time.Millisecond
	logInterval    = 10 * time.Second
)

// newProgress returns the runner's progress callback: a redrawn status
// line with rate, ETA and error counts when stderr is a terminal, else a
// periodic log line.
func newProgress(e *env) func(harness.Progress) {
	var mu sync.Mutex
	// The first line waits one interval, so a fast run logs no progress.
	last := time.Now()
	interval := logInterval
	if e.stderrTerminal {
		interval = terminalRedraw
	}

	return func(p harness.Progress) {
		mu.Lock()
		defer mu.Unlock()
		finished := p.Done == p.Total
		if !finished && time.Since(last) < interval {
			return
		}
		last = time.Now()

		rate := float64(p.Done) / max(p.Elapsed.Seconds(), 1e-9)
		eta := time.Duration(0)
		if rate > 0 {
			eta = time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second)).Round(time.Second)
		}
		if e.stderrTerminal {
			fmt.Fprintf(e.stderr, "\r%s %d/%d rows  %.1f/s  ETA %s  errors %d  format failures %d ",
				bar(p.Done, p.Total, 24), p.Done, p.Total, rate, eta, p.Errors, p.FormatFailures)
			if finished {
				fmt.Fprintln(e.stderr)
			}
			return
		}
		e.log.Info("progress", "done", p.Done, "total", p.Total, "rows_per_second", fmt.Sprintf("%.1f", rate),
			"eta", eta.String(), "errors", p.Errors, "format_failures", p.FormatFailures)
	}
}

func bar(done, total, width int) string {
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	b := make([]byte, width+2)
	b[0], b[width+1] = '[', ']'
	for i := range width {
		b[i+1] = '.'
		if i < filled {
			b[i+1] = '#'
		}
	}
	return string(b)
}
