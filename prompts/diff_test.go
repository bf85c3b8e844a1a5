package prompts

import "testing"

// The expected diffs below are the output of GNU diffutils 3.x
// `diff -u --label a --label b` on the same inputs.
func TestUnifiedDiff(t *testing.T) {
	base := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"
	tests := []struct {
		name, b, want string
	}{
		{"equal", base, ""},
		{"two hunks", "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\nz\n", `--- a
+++ b
@@ -1,7 +1,7 @@
 a
 b
 c
-d
+D
 e
 f
 g
@@ -12,3 +12,4 @@
 l
 m
 n
+z
`},
		{"edges", "new\na\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n", `--- a
+++ b
@@ -1,3 +1,4 @@
+new
 a
 b
 c
@@ -11,4 +12,3 @@
 k
 l
 m
-n
`},
		{"merged hunk", "a\nb\nX\nd\ne\nf\ng\nh\nY\nj\n", `--- a
+++ b
@@ -1,14 +1,10 @@
 a
 b
-c
+X
 d
 e
 f
 g
 h
-i
+Y
 j
-k
-l
-m
-n
`},
		{"all deleted", "", `--- a
+++ b
@@ -1,14 +0,0 @@
-a
-b
-c
-d
-e
-f
-g
-h
-i
-j
-k
-l
-m
-n
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UnifiedDiff("a", base, "b", tt.b); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestUnifiedDiffFromEmpty(t *testing.T) {
	want := "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n"
	if got := UnifiedDiff("a", "", "b", "x\ny\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
