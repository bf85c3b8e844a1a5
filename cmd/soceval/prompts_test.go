package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPromptsList(t *testing.T) {
	code, out, errOut := runCLI(t, "prompts", "list")
	if code != ExitPassed {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "REF") {
		t.Fatalf("output:\n%s", out)
	}
	if !strings.HasPrefix(lines[1], "triage/v1 ") || !strings.HasPrefix(lines[2], "triage/v2 ") {
		t.Errorf("rows out of order:\n%s", out)
	}
}

func TestPromptsShowAndDiff(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "triage"), 0o755); err != nil {
		t.Fatal(err)
	}
	base := "---\nmodel: m\n---\n{{define \"system\"}}You triage.{{end}}\n{{define \"user\"}}{{json .Incident.Title}}{{end}}\n"
	changed := strings.Replace(base, "You triage.", "You triage carefully.", 1)
	for name, text := range map[string]string{"v1.md": base, "v2.md": changed} {
		if err := os.WriteFile(filepath.Join(dir, "triage", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	code, out, errOut := runCLI(t, "prompts", "show", "triage/v1", "--dir", dir)
	if code != ExitPassed || out != base {
		t.Errorf("show: exit %d, output %q, stderr %s", code, out, errOut)
	}

	code, out, _ = runCLI(t, "prompts", "diff", "triage/v1", "triage/v2", "--dir", dir)
	want := "--- triage/v1.md\n+++ triage/v2.md\n@@ -1,5 +1,5 @@\n ---\n model: m\n ---\n-{{define \"system\"}}You triage.{{end}}\n+{{define \"system\"}}You triage carefully.{{end}}\n {{define \"user\"}}{{json .Incident.Title}}{{end}}\n"
	if code != ExitPassed || out != want {
		t.Errorf("diff: exit %d, got\n%s\nwant\n%s", code, out, want)
	}
}

func TestPromptsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"prompts"}, "missing subcommand"},
		{[]string{"prompts", "shw"}, `unknown subcommand "shw"`},
		{[]string{"prompts", "show", "triage/v99"}, "triage/v99"},
		{[]string{"prompts", "show"}, "want exactly one prompt reference"},
		{[]string{"prompts", "diff", "triage/v1"}, "want two prompt references"},
		{[]string{"prompts", "show", "triage/v1", "--incident", "x"}, "--dataset and --incident go together"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, tt.args...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}
