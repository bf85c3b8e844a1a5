package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the headless browser, or skips the test; under CI
// (env CI set) a missing browser fails the test instead.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SOCEVAL_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found; install it (apt-get install -y chromium) or set SOCEVAL_CHROMIUM")
	}
	t.Skip("chromium not found; set SOCEVAL_CHROMIUM to run the browser test")
	return ""
}

func TestBrowserLoadsReportOffline(t *testing.T) {
	chromium := chromiumPath(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, withManyCategories(sampleData())); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 900),
	}
	var mu sync.Mutex
	var problems, requests []string
	listener := func(ev any) {
		// Runs in the tab's event loop: record and return.
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, "console "+string(e.Type))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, "log "+string(e.Entry.Level)+": "+e.Entry.Text)
			}
		}
	}

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(listener))
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	url := "file://" + page
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#verdict"))); err != nil {
		t.Fatalf("load %s in chromium: %v", url, err)
	}
	verdict, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#verdict .word")))
	if err != nil {
		t.Fatalf("read verdict: %v", err)
	}
	figures, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure svg").length`))
	if err != nil {
		t.Fatalf("count charts: %v", err)
	}
	split, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](splitWordsJS))
	if err != nil {
		t.Fatalf("look for split words: %v", err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		t.Fatalf("measure page width: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Error("saw no network event, not even the page's own load; the listener is not working")
	}
	for _, r := range requests {
		if r != url {
			t.Errorf("network request from the report: %s", r)
		}
	}
	for _, p := range problems {
		t.Errorf("browser reported: %s", p)
	}
	if strings.TrimSpace(verdict) != "Gate failed: do not ship" {
		t.Errorf("verdict text %q", verdict)
	}
	if figures != 7 {
		t.Errorf("%d charts rendered, want 7", figures)
	}
	if len(split) > 0 {
		t.Errorf("words wrapped mid-word in names and labels: %q", split)
	}
	if overflow > 0 {
		t.Errorf("the page is %d px wider than the window", overflow)
	}

	shotDir := os.Getenv("SOCEVAL_SCREENSHOT_DIR")
	if shotDir == "" {
		shotDir = dir
	}
	shot := filepath.Join(shotDir, "report.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
}

// splitWordsJS lists the words of category, slice, rule and agent names
// in tables that the browser broke across lines. A word laid out on two
// lines has client rectangles at two heights. Break points the report
// adds on purpose (<wbr>) separate text nodes, so they are not words.
const splitWordsJS = `(() => {
	const split = [];
	const cells = document.querySelectorAll("table.breakdown td.label, td.name, #gates td.wrap, table.agents th");
	for (const cell of cells) {
		const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			for (const m of node.data.matchAll(/\S+/g)) {
				const r = document.createRange();
				r.setStart(node, m.index);
				r.setEnd(node, m.index + m[0].length);
				const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top)));
				if (tops.size > 1) split.push(m[0]);
			}
		}
	}
	return split;
})()`
