package prompts

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around each change,
// as in diff -u.
const diffContext = 3

// UnifiedDiff returns a unified diff (the format of diff -u) that turns
// text a, named aName, into text b, named bName. It returns "" when the
// texts are equal. Lines are matched by a longest common subsequence,
// which costs O(len(a)·len(b)) time and memory: fine for prompt files of
// a few hundred lines.
func UnifiedDiff(aName, a, bName, b string) string {
	if a == b {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	ops := diffLines(al, bl)

	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for _, h := range hunks(ops) {
		writeHunk(&out, h)
	}
	return out.String()
}

// splitLines splits text into lines without their newlines. A missing
// final newline does not create an extra empty line.
func splitLines(text string) []string {
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// edit is one line of a diff: kind ' ' (kept), '-' (deleted from a) or
// '+' (inserted from b), with the 1-based line numbers it has in a and b.
type edit struct {
	kind         byte
	text         string
	aLine, bLine int
}

// diffLines computes the edit script from a to b with a longest common
// subsequence table, preferring deletions before insertions.
func diffLines(a, b []string) []edit {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}

	var ops []edit
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, edit{' ', a[i], i + 1, j + 1})
			i++
			j++
		case j == m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, edit{'-', a[i], i + 1, j})
			i++
		default:
			ops = append(ops, edit{'+', b[j], i, j + 1})
			j++
		}
	}
	return ops
}

// hunks groups the edit script into hunks: runs of changes with up to
// diffContext kept lines around them. Changes separated by at most
// 2·diffContext kept lines share a hunk.
func hunks(ops []edit) [][]edit {
	var out [][]edit
	start, end := -1, -1
	for k, op := range ops {
		if op.kind == ' ' {
			continue
		}
		lo, hi := max(0, k-diffContext), min(len(ops), k+diffContext+1)
		if start >= 0 && lo <= end {
			end = hi
			continue
		}
		if start >= 0 {
			out = append(out, ops[start:end])
		}
		start, end = lo, hi
	}
	if start >= 0 {
		out = append(out, ops[start:end])
	}
	return out
}

func writeHunk(out *strings.Builder, h []edit) {
	aStart, bStart, aCount, bCount := 0, 0, 0, 0
	for _, op := range h {
		if op.kind != '+' {
			if aCount == 0 {
				aStart = op.aLine
			}
			aCount++
		}
		if op.kind != '-' {
			if bCount == 0 {
				bStart = op.bLine
			}
			bCount++
		}
	}
	// An empty range is written as the line before it, as diff -u does.
	if aCount == 0 {
		aStart = h[0].aLine
	}
	if bCount == 0 {
		bStart = h[0].bLine
	}

	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, op := range h {
		out.WriteByte(op.kind)
		out.WriteString(op.text)
		out.WriteByte('\n')
	}
}

// hunkRange formats a hunk's line range: "start" for one line, else
// "start,count".
func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
