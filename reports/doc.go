// Package reports renders a scored run for people and machines: a
// self-contained HTML report with inline SVG charts for SOC managers, a
// markdown summary for CI job pages, JUnit XML for CI test views, and
// compact terminal tables for prompt engineers.
//
// Every writer takes summaries (metrics, gate results, a capped list of
// flipped incidents), never every result row, so output size does not grow
// with the number of incidents. Incident text is hostile data: every writer
// escapes it for its output format and none ever executes it.
package reports
