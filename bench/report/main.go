// Command report measures the HTML report of a large synthetic run: it
// generates seeded result rows for N incidents (1,000,000 by default),
// summarises them into report data, writes report.html, and times how
// long headless Chromium takes to load the file.
//
//	go run ./bench/report -incidents 1000000
//
// The report is written to a temporary folder unless -out is given;
// nothing it generates is meant to be committed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/reports"
	"github.com/soceval/soceval/runstore"
)

func main() {
	incidents := flag.Int("incidents", 1_000_000, "number of synthetic incidents")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "", "folder for report.html (default: a new temporary folder)")
	chromium := flag.String("chromium", "/usr/bin/chromium", "path of the Chromium binary; empty skips the load time")
	flag.Parse()

	if err := run(*incidents, *seed, *out, *chromium); err != nil {
		slog.Error("report benchmark failed", "err", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, out, chromium string) error {
	if out == "" {
		dir, err := os.MkdirTemp("", "soceval-bench-report-")
		if err != nil {
			return fmt.Errorf("create output folder: %w", err)
		}
		out = dir
	}

	start := time.Now()
	rows := generate(n, seed)
	genTime := time.Since(start)

	start = time.Now()
	d := summarise(rows)
	sumTime := time.Since(start)

	path := filepath.Join(out, "report.html")
	start = time.Now()
	if err := writeReport(path, d); err != nil {
		return err
	}
	writeTime := time.Since(start)
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat report: %w", err)
	}

	fmt.Printf("incidents:      %d (seed %d)\n", n, seed)
	fmt.Printf("machine:        %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("generate rows:  %v\n", genTime.Round(time.Millisecond))
	fmt.Printf("summarise:      %v\n", sumTime.Round(time.Millisecond))
	fmt.Printf("write report:   %v\n", writeTime.Round(time.Millisecond))
	fmt.Printf("report size:    %d bytes (%.2f MB); limit 5 MB\n", info.Size(), float64(info.Size())/1e6)
	fmt.Printf("report file:    %s\n", path)

	if chromium == "" {
		return nil
	}
	if _, err := exec.LookPath(chromium); err != nil {
		return fmt.Errorf("chromium not found at %q: %w; pass -chromium \"\" to skip the load time", chromium, err)
	}
	load, err := loadTime(chromium, path)
	if err != nil {
		return err
	}
	fmt.Printf("chromium load:  %v (median of 5 loads); limit 2 s\n", load.Round(time.Millisecond))
	return nil
}

// row is the part of a result row the benchmark needs, kept small so that
// a million rows fit in memory.
type row struct {
	category, severity, source, tag int
	gold, grade                     int
	confidence                      float64
	escalate                        bool
}

var categories = []string{"phishing", "malware", "credential_access", "lateral_movement", "exfiltration",
	"command_and_control", "persistence", "privilege_escalation", "discovery", "impact", "initial_access", "execution"}

// Number of distinct sources and tags: more tags than the report's slice
// table cap, to exercise it.
const (
	sourceCount = 60
	tagCount    = 400
)

func generate(n int, seed uint64) []row {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	rows := make([]row, n)
	for i := range rows {
		r := &rows[i]
		r.category = rng.IntN(len(categories))
		r.severity = rng.IntN(len(datasets.Severities))
		r.source = rng.IntN(sourceCount)
		r.tag = rng.IntN(tagCount)
		r.gold = rng.IntN(len(datasets.Grades))
		r.grade = r.gold
		if rng.Float64() < 0.12 {
			r.grade = rng.IntN(len(datasets.Grades))
		}
		r.confidence = 0.5 + 0.5*rng.Float64()
		r.escalate = rng.Float64() < 0.1
	}
	return rows
}

const closeThreshold = 0.9

// autoClosed applies the single-layer close rule: a benign or
// false-positive verdict, no escalation, confidence at the threshold.
func autoClosed(r *row) bool { return r.grade != 0 && !r.escalate && r.confidence >= closeThreshold }

type counts struct{ n, correct, closedNoise, noise, closedThreat, threat, covered int }

func (c *counts) add(r *row) {
	c.n++
	if r.grade == r.gold {
		c.correct++
	}
	if r.gold == 0 {
		c.threat++
	} else {
		c.noise++
	}
	if autoClosed(r) {
		if r.gold == 0 {
			c.closedThreat++
		} else {
			c.closedNoise++
		}
	}
	if !r.escalate {
		c.covered++
	}
}

func (c *counts) estimates() map[string]metrics.Estimate {
	p := func(num, den int) metrics.Estimate {
		return metrics.Estimate{Value: float64(num) / float64(den), Lower: math.NaN(), Upper: math.NaN(),
			Num: num, Den: den, N: den, Interval: metrics.IntervalNone}
	}
	return map[string]metrics.Estimate{
		"accuracy": p(c.correct, c.n), "noise_auto_triage_rate": p(c.closedNoise, c.noise),
		"missed_threat_rate": p(c.closedThreat, c.threat), "agent_coverage": p(c.covered, c.n),
	}
}

// summarise counts the rows into the metrics a report shows. Intervals
// are left out because the benchmark measures rendering, not statistics.
func summarise(rows []row) *reports.Data {
	var all counts
	dims := map[string][]counts{
		"category": make([]counts, len(categories)), "severity": make([]counts, len(datasets.Severities)),
		"source": make([]counts, sourceCount), "tag": make([]counts, tagCount),
	}
	confusion := make([][]int, len(datasets.Grades))
	for i := range confusion {
		confusion[i] = make([]int, len(datasets.Grades)+1)
	}
	results := make([]runstore.Result, len(rows))

	for i := range rows {
		r := &rows[i]
		all.add(r)
		dims["category"][r.category].add(r)
		dims["severity"][r.severity].add(r)
		dims["source"][r.source].add(r)
		dims["tag"][r.tag].add(r)
		confusion[r.gold][r.grade]++
		results[i] = runstore.Result{Agent: "llm", Grade: datasets.Grades[r.grade], Confidence: &r.confidence,
			Escalate: r.escalate, Disposition: runstore.AgentResolved, Gold: runstore.Gold{Grade: datasets.Grades[r.gold]}}
	}

	am := metrics.AgentMetrics{
		Agent: "llm", Incidents: len(rows), Rows: len(rows), Metrics: all.estimates(),
		Confusion: metrics.Confusion{Gold: datasets.Grades, Predicted: append(slices.Clone(datasets.Grades), "error"), Counts: confusion},
	}
	am.Metrics["ttr_reduction"] = metrics.Estimate{Value: 0.58, Lower: 0.57, Upper: 0.59, N: len(rows),
		Interval: metrics.IntervalBootstrap, Estimated: true}
	names := map[string]func(int) string{
		"category": func(i int) string { return categories[i] },
		"severity": func(i int) string { return datasets.Severities[i] },
		"source":   func(i int) string { return fmt.Sprintf("detector-%02d", i) },
		"tag":      func(i int) string { return fmt.Sprintf("tag-%03d", i) },
	}
	for _, dim := range metrics.SliceDimensions {
		for v := range dims[dim] {
			c := &dims[dim][v]
			am.Slices = append(am.Slices, metrics.Slice{Dimension: dim, Value: names[dim](v), Rows: c.n, Metrics: c.estimates()})
		}
	}

	thresholds := []float64{0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99}
	return &reports.Data{
		Manifest:  runstore.Manifest{RunID: "bench", Dataset: runstore.DatasetRef{Name: "synthetic", Incidents: len(rows)}},
		Summary:   &metrics.Summary{RunID: "bench", Agents: []metrics.AgentMetrics{am}},
		Agent:     "llm",
		Gates:     &gates.Outcome{Status: gates.Pass, Valid: true},
		Threshold: reports.ThresholdCurve(results, "llm", thresholds, closeThreshold),
		Flips:     flips(rows, 4*reports.DefaultMaxFlips),
	}
}

// flips returns n flipped incidents with long rationales and many tool
// calls, the worst case for report size; the report keeps the top
// DefaultMaxFlips.
func flips(rows []row, n int) []metrics.Flip {
	long := strings.Repeat("The sandbox verdict and the sender history disagree. ", 60)
	out := make([]metrics.Flip, 0, n)
	for i := 0; i < len(rows) && len(out) < n; i++ {
		r := &rows[i]
		if r.grade == r.gold {
			continue
		}
		calls := make([]runstore.ToolCall, 30)
		for k := range calls {
			calls[k] = runstore.ToolCall{Name: "url_reputation", Arguments: fmt.Sprintf(`{"url":"hxxp://example.invalid/%d"}`, k), Result: long}
		}
		out = append(out, metrics.Flip{
			IncidentID: fmt.Sprintf("inc-%07d", i), Title: fmt.Sprintf("Synthetic incident %d", i),
			GoldGrade: datasets.Grades[r.gold], Category: categories[r.category], Kind: "newly_wrong",
			Baseline:  runstore.Result{Grade: datasets.Grades[r.gold], Rationale: long},
			Candidate: runstore.Result{Grade: datasets.Grades[r.grade], Rationale: long, ToolCalls: calls},
		})
	}
	return out
}

func writeReport(path string, d *reports.Data) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := reports.WriteHTML(f, d); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// loadTime starts Chromium once, then loads the report five times and
// returns the median time from navigation start until the footer is
// visible, so that browser start-up is not counted.
func loadTime(chromium, path string) (time.Duration, error) {
	profile, err := os.MkdirTemp("", "soceval-bench-chromium-")
	if err != nil {
		return 0, fmt.Errorf("create Chromium profile folder: %w", err)
	}
	defer os.RemoveAll(profile)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	times := make([]time.Duration, 0, 5)
	for range 5 {
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			return 0, fmt.Errorf("reset page: %w", err)
		}
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("footer"))); err != nil {
			return 0, fmt.Errorf("load %s: %w", path, err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}
