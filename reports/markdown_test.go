package reports

import (
	"bytes"
	"strings"
	"testing"
)

func TestMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, sampleData()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "summary.golden.md", buf.Bytes())
}

func TestEscapeMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a|b", `a\|b`},
		{"<script>", `\<script\>`},
		{"**bold** _it_", `\*\*bold\*\* \_it\_`},
		{"[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"line\nbreak", "line break"},
		{`back\slash`, `back\\slash`},
		{"&lt;", `\&lt;`},
		{"`code`", "\\`code\\`"},
		{"esc\x1b[31m", "esc\ufffd\\[31m"},
		{"plain 42%", "plain 42%"},
	}
	for _, c := range cases {
		if got := escapeMarkdown(c.in); got != c.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarkdownHostileCellsKeepColumns(t *testing.T) {
	d := hostileData()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, d); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		// Unescaped pipes are column separators: every row of the
		// headline table has 4 columns, every gate row 7.
		cols := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
		if cols != 4 && cols != 7 {
			t.Errorf("line %d has %d columns: %q", i+1, cols, line)
		}
	}
	if i := strings.Index(strings.ReplaceAll(buf.String(), `\<`, ""), "<"); i >= 0 {
		t.Errorf("summary contains an unescaped < at byte %d", i)
	}
}
