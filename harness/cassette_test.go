package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sashabaranov/go-openai"
)

func baseKeyInput() cassetteKeyInput {
	temp := 0.0
	return cassetteKeyInput{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{
			{Role: "system", Content: "You triage."},
			{Role: "user", Content: "Incident 1"},
		},
		Temperature: &temp,
		MaxTokens:   600,
	}
}

func TestCassetteKeyCoversRequest(t *testing.T) {
	base, err := cassetteKey(baseKeyInput())
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := cassetteKey(baseKeyInput()); again != base {
		t.Fatal("key is not deterministic")
	}

	half := 0.5
	seed := 7
	changes := map[string]func(*cassetteKeyInput){
		"model":   func(k *cassetteKeyInput) { k.Model = "gpt-4o" },
		"message": func(k *cassetteKeyInput) { k.Messages[1].Content = "Incident 2" },
		"extra turn": func(k *cassetteKeyInput) {
			k.Messages = append(k.Messages, openai.ChatCompletionMessage{Role: "tool", Content: "x"})
		},
		"temperature": func(k *cassetteKeyInput) { k.Temperature = &half },
		"max tokens":  func(k *cassetteKeyInput) { k.MaxTokens = 900 },
		"seed":        func(k *cassetteKeyInput) { k.Seed = &seed },
		"repeat":      func(k *cassetteKeyInput) { k.Repeat = 1 },
		"tool choice": func(k *cassetteKeyInput) { k.ToolChoice = "none" },
		"tools": func(k *cassetteKeyInput) {
			k.Tools, _ = toolDefinitions([]string{"lookup_url"})
		},
		"format": func(k *cassetteKeyInput) {
			k.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		},
	}
	for name, change := range changes {
		in := baseKeyInput()
		change(&in)
		key, err := cassetteKey(in)
		if err != nil {
			t.Fatal(err)
		}
		if key == base {
			t.Errorf("changing the %s does not change the key", name)
		}
	}
}

func entry(key string, latency float64) CassetteEntry {
	return CassetteEntry{
		Key: key, Incident: "inc-" + key, Model: "m", TokensIn: 3, TokensOut: 4, LatencyMS: latency, Attempts: 1,
		Reply: CassetteReply{Content: `{"grade":"false_positive"} <b>&`},
	}
}

func TestCassetteConcurrentRecord(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.jsonl")
	c, err := OpenCassette(file)
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Record(entry(fmt.Sprintf("k%02d", 39-i), float64(i)+0.125)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	// Before Close the appended file already holds every entry.
	reopened, err := OpenCassette(file)
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Len() != 40 {
		t.Errorf("appended file has %d entries, want 40", reopened.Len())
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 40 {
		t.Fatalf("%d lines, want 40", len(lines))
	}
	if !slices.IsSorted(lines) {
		t.Error("rewritten file is not sorted by key")
	}
	want := `{"attempts":1,"incident":"inc-k00","key":"k00","latency_ms":39.125,"model":"m","repeat":0,"reply":{"content":"{\"grade\":\"false_positive\"} \u003cb\u003e\u0026"},"step":0,"tokens_in":3,"tokens_out":4}`
	if lines[0] != want {
		t.Errorf("line 1 =\n%s\nwant\n%s", lines[0], want)
	}

	final, err := OpenCassette(file)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := final.Lookup("k00")
	if !ok || got.LatencyMS != 39.125 || got.Reply.Content != `{"grade":"false_positive"} <b>&` {
		t.Errorf("Lookup(k00) = %+v, %v", got, ok)
	}
}

func TestCassetteTornLastLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.jsonl")
	good := `{"key":"a","incident":"i","reply":{"content":"x"}}`
	if err := os.WriteFile(file, []byte(good+"\n"+`{"key":"b","inc`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := OpenCassette(file)
	if err != nil {
		t.Fatalf("a torn last line must be dropped, got %v", err)
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d, want 1", c.Len())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), `"b"`) {
		t.Error("Close kept the torn line")
	}
}

func TestCassetteInvalidLine(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"bad json", "{\"key\":\"a\"}\nnot json\n{\"key\":\"c\"}\n", "c.jsonl:2: invalid cassette entry"},
		{"no key", "{\"incident\":\"x\"}\n", `c.jsonl:1: invalid cassette entry: missing "key"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "c.jsonl")
			if err := os.WriteFile(file, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenCassette(file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseCassetteMode(t *testing.T) {
	for _, s := range []string{"live", "record", "replay", "replay-or-record"} {
		if m, err := ParseCassetteMode(s); err != nil || string(m) != s {
			t.Errorf("ParseCassetteMode(%q) = %q, %v", s, m, err)
		}
	}
	if m, err := ParseCassetteMode(""); err != nil || m != ModeLive {
		t.Errorf(`ParseCassetteMode("") = %q, %v`, m, err)
	}
	if _, err := ParseCassetteMode("Replay"); err == nil {
		t.Error("mode names are case-sensitive")
	}
}
