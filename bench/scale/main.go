// Command scale measures a whole `soceval run --predictions` at scale
// through the real CLI: it generates a synthetic incident set and the
// recorded verdicts of a synthetic agent with `soceval dataset generate`,
// runs `soceval run` on them, and reports the wall time and peak resident
// memory of each stage.
//
//	go build -o /tmp/soceval ./cmd/soceval
//	go run ./bench/scale -soceval /tmp/soceval -n 1000000
//
// Stages are timed from outside the process, so the CLI carries no
// benchmark hooks: the start of the process, the "run started" log line,
// the last progress line, and the modification times of the files the run
// writes in order (results.parquet, metrics.json, gates.json, report.html)
// bound the stages. Resident memory is sampled from /proc every 20 ms and
// the kernel's peak for the whole process comes from its rusage, so the
// benchmark runs on Linux only.
//
// Generated files go to -dir (/tmp/soceval-scale by default) and are reused
// when present with the same -n and -seed; nothing here is meant to be
// committed.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("soceval", "soceval", "path of the soceval binary to measure")
	n := flag.Int("n", 1_000_000, "number of incidents")
	seed := flag.Uint("seed", 1, "generator seed")
	dir := flag.String("dir", "/tmp/soceval-scale", "folder for the generated set, predictions and run folders")
	format := flag.String("format", "parquet", "dataset format: parquet or jsonl")
	flag.Parse()

	if err := run(*bin, *n, *seed, *dir, *format); err != nil {
		slog.Error("scale benchmark failed", "err", err)
		os.Exit(1)
	}
}

func run(bin string, n int, seed uint, dir, format string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	base := fmt.Sprintf("n%d-seed%d", n, seed)
	dataset := filepath.Join(dir, base+"."+format)
	preds := filepath.Join(dir, base+"-predictions.jsonl")

	if !exists(dataset) || !exists(preds) {
		m, err := measure(bin, "dataset", "generate", "--n", strconv.Itoa(n), "--seed", strconv.FormatUint(uint64(seed), 10),
			"-o", dataset, "--predictions", preds)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		fmt.Printf("generate %d incidents: %s, peak RSS %s\n", n, round(m.wall), mib(m.peakRSS))
	}

	out := filepath.Join(dir, "runs")
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	m, err := measure(bin, "run", "--dataset", dataset, "--predictions", preds, "--out", out)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	runDir, err := onlyRunDir(out)
	if err != nil {
		return err
	}

	fmt.Printf("\nsoceval run --dataset %s --predictions %s (%d incidents)\n\n", filepath.Base(dataset), filepath.Base(preds), n)
	fmt.Println("| stage | wall | peak RSS in stage |")
	fmt.Println("|---|---|---|")
	for _, st := range stages(m, runDir) {
		fmt.Printf("| %s | %s | %s |\n", st.name, round(st.end.Sub(st.start)), mib(m.peakBetween(st.start, st.end)))
	}
	fmt.Printf("| **total** | **%s** | **%s** (kernel maxrss) |\n", round(m.wall), mib(m.peakRSS))
	fmt.Printf("\nuser %s, system %s\n", round(m.user), round(m.system))
	return nil
}

// measurement is one process's timeline.
type measurement struct {
	start, end   time.Time
	wall         time.Duration
	user, system time.Duration
	peakRSS      int64 // bytes, from rusage
	samples      []sample
	// logTimes maps a log message ("run started", "progress") to the
	// times it was logged.
	logTimes map[string][]time.Time
}

type sample struct {
	at  time.Time
	rss int64
}

// measure runs the soceval binary with args, sampling its resident set
// and collecting the times of its log lines.
func measure(bin string, args ...string) (*measurement, error) {
	cmd := exec.Command(bin, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}

	m := &measurement{logTimes: map[string][]time.Time{}}
	m.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}

	var wg sync.WaitGroup
	var stderrText strings.Builder
	wg.Go(func() { m.readLog(stderr, &stderrText) })
	done := make(chan struct{})
	var samples []sample
	wg.Go(func() { samples = sampleRSS(cmd.Process.Pid, done) })

	waitErr := cmd.Wait()
	m.end = time.Now()
	close(done)
	wg.Wait()
	m.samples = samples
	m.wall = m.end.Sub(m.start)

	if st, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peakRSS = st.Maxrss * 1024
		m.user = time.Duration(st.Utime.Nano())
		m.system = time.Duration(st.Stime.Nano())
	}
	var exit *exec.ExitError
	if errors.As(waitErr, &exit) && exit.ExitCode() == 1 {
		// Exit code 1 is a failed gate, a normal outcome for a benchmark.
		return m, nil
	}
	if waitErr != nil {
		return nil, fmt.Errorf("%w\n%s", waitErr, stderrText.String())
	}
	return m, nil
}

// readLog records the time of each slog text line on r.
func (m *measurement) readLog(r io.Reader, all *strings.Builder) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		all.WriteString(line + "\n")
		at, msg, ok := parseLogLine(line)
		if ok {
			m.logTimes[msg] = append(m.logTimes[msg], at)
		}
	}
}

// parseLogLine reads the time and message of a slog text line such as
// `time=2026-01-02T03:04:05.678Z level=INFO msg="run started" ...`.
func parseLogLine(line string) (time.Time, string, bool) {
	rest, ok := strings.CutPrefix(line, "time=")
	if !ok {
		return time.Time{}, "", false
	}
	stamp, rest, _ := strings.Cut(rest, " ")
	at, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}, "", false
	}
	_, rest, ok = strings.Cut(rest, "msg=")
	if !ok {
		return time.Time{}, "", false
	}
	if msg, ok := strings.CutPrefix(rest, `"`); ok {
		msg, _, _ = strings.Cut(msg, `"`)
		return at, msg, true
	}
	msg, _, _ := strings.Cut(rest, " ")
	return at, msg, true
}

// sampleRSS reads the process's resident set every 20 ms until done.
func sampleRSS(pid int, done <-chan struct{}) []sample {
	path := fmt.Sprintf("/proc/%d/status", pid)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var out []sample
	for {
		if rss, ok := readRSS(path); ok {
			out = append(out, sample{time.Now(), rss})
		}
		select {
		case <-done:
			return out
		case <-tick.C:
		}
	}
}

func readRSS(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// peakBetween returns the largest sampled resident set in [from, to].
func (m *measurement) peakBetween(from, to time.Time) int64 {
	var peak int64
	for _, s := range m.samples {
		if !s.at.Before(from) && !s.at.After(to) {
			peak = max(peak, s.rss)
		}
	}
	return peak
}

type stage struct {
	name       string
	start, end time.Time
}

// stages splits the run's timeline at its log lines and at the times its
// output files were last written.
func stages(m *measurement, runDir string) []stage {
	marks := []struct {
		name string
		at   time.Time
	}{
		{"load dataset and predictions", first(m.logTimes["run started"])},
		{"run (replay verdicts, append results log)", last(m.logTimes["progress"])},
		{"finalize results.parquet", mtime(runDir, "results.parquet")},
		{"metrics (read results, compute, metrics.json)", mtime(runDir, "metrics.json")},
		{"gate (gates.json)", mtime(runDir, "gates.json")},
		{"report (junit, summary.md, report.html)", mtime(runDir, "report.html")},
		{"exit (print summary)", m.end},
	}
	var out []stage
	prev := m.start
	for _, mk := range marks {
		if mk.at.IsZero() {
			continue
		}
		out = append(out, stage{mk.name, prev, mk.at})
		prev = mk.at
	}
	return out
}

func first(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[0]
}

func last(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[len(ts)-1]
}

func mtime(dir, name string) time.Time {
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

func onlyRunDir(out string) (string, error) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.IsDir() {
			return filepath.Join(out, e.Name()), nil
		}
	}
	return "", fmt.Errorf("%s contains no run folder", out)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func mib(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }
