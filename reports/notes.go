package reports

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/soceval/soceval/metrics"
)

// notePart is a piece of a note on the numbers: plain text, or a metric
// named by its human title with the registry name as a secondary hint.
type notePart struct {
	Text string
	// Metric is the registry name, such as "cost_mean"; Title is its
	// human name, such as "cost per incident". Both are empty for text.
	Metric string
	Title  string
}

// noteParts splits a note from metrics.AgentMetrics.Warnings into text and
// metric names. A registered name with an underscore or digit, such as
// "unsafe_action_rate", is a metric name. So is every item of a list that
// ends the note ("No data for: accuracy, recall.") when each item is a
// registered name, optionally followed by "(n=12)". Bare words such as
// "precision" in prose stay text. Titles are lowercased except at the
// start of the note, because they are inside sentences.
func noteParts(note string) []notePart {
	listed := listedMetrics(note)
	var parts []notePart
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(parts); n > 0 && parts[n-1].Metric == "" {
			parts[n-1].Text += s
			return
		}
		parts = append(parts, notePart{Text: s})
	}

	start := -1
	flush := func(end int) {
		word := note[start:end]
		if _, ok := metrics.Lookup(word); ok && (isIdentifier(word) || listed[word]) {
			parts = append(parts, notePart{Metric: word, Title: titleInSentence(metricTitle(word), start == 0)})
		} else {
			text(word)
		}
		start = -1
	}
	for i, r := range note {
		if r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
		}
		text(string(r))
	}
	if start >= 0 {
		flush(len(note))
	}
	return parts
}

// isIdentifier reports whether word has an underscore or a digit, which no
// English word in a note has.
func isIdentifier(word string) bool {
	return strings.ContainsAny(word, "_0123456789")
}

// listedMetrics returns the items of the list after the note's last ": "
// when every item is a registered metric name, and nil otherwise.
func listedMetrics(note string) map[string]bool {
	i := strings.LastIndex(note, ": ")
	if i < 0 {
		return nil
	}
	items := strings.Split(strings.TrimSuffix(note[i+2:], "."), ", ")
	out := make(map[string]bool, len(items))
	for _, item := range items {
		name, _, _ := strings.Cut(item, " (n=")
		if _, ok := metrics.Lookup(name); !ok {
			return nil
		}
		out[name] = true
	}
	return out
}

// titleInSentence lowercases the first letter of a title inside a
// sentence, unless the first word is an acronym.
func titleInSentence(title string, first bool) string {
	word, _, _ := strings.Cut(title, " ")
	if first || len(word) < 2 || strings.ToUpper(word) == word {
		return title
	}
	return strings.ToLower(title[:1]) + title[1:]
}
