package reports

import (
	"fmt"

	"github.com/soceval/soceval/metrics"
)

// maxSliceRows caps each slice table, so that a dataset with thousands of
// tag or source values still gives a small report. The largest slices are
// kept.
const maxSliceRows = 40

// sliceColumns are the metrics shown for each slice.
var sliceColumns = []string{
	"accuracy", "recall", "missed_threat_rate", "noise_auto_triage_rate", "agent_coverage", "ttr_median",
}

// sliceTable is the metrics of every value of one dimension.
type sliceTable struct {
	ID        string
	Title     string
	Dimension string
	Columns   []string
	Rows      []sliceRow
	// Hidden counts the slices left out by maxSliceRows.
	Hidden int
}

type sliceRow struct {
	Value string
	Rows  int
	Cells []cell
}

// cell is a formatted estimate; Small is the interval, shown in lighter
// type under the value.
type cell struct {
	Value string
	Small string
}

// estimateCell formats e with f, the format of the column or row that
// the cell shares its time unit with.
func estimateCell(f numberFormat, e metrics.Estimate) cell {
	c := cell{Value: f.value(e.Value), Small: f.interval(e)}
	if e.Estimated {
		c.Small += " (estimated)"
	}
	return c
}

func buildSliceTables(a *metrics.AgentMetrics) []sliceTable {
	titles := map[string]string{
		"category": "By category", "severity": "By severity", "source": "By source", "tag": "By tag",
	}
	var tables []sliceTable
	for _, dim := range metrics.SliceDimensions {
		slices := slicesOf(a, dim)
		if len(slices) == 0 {
			continue
		}
		t := sliceTable{ID: "slices-" + dim, Title: titles[dim], Dimension: dim}
		if t.Title == "" {
			t.Title = "By " + dim
		}
		columns := definedColumns(slices)
		if len(columns) == 0 {
			continue
		}
		t.Columns = columns
		if len(slices) > maxSliceRows {
			t.Hidden = len(slices) - maxSliceRows
			slices = slices[:maxSliceRows]
		}
		formats := columnFormats(columns, slices)
		for _, s := range slices {
			r := sliceRow{Value: s.Value, Rows: s.Rows}
			if dim == "category" {
				r.Value = gradeLabel(s.Value) // as in the headline card
			}
			for i, m := range columns {
				r.Cells = append(r.Cells, estimateCell(formats[i], estimateOf(s.Metrics, m)))
			}
			t.Rows = append(t.Rows, r)
		}
		tables = append(tables, t)
	}
	return tables
}

// columnFormats returns one format per column, so that each column's
// times share the unit of its largest value shown.
func columnFormats(columns []string, slices []*metrics.Slice) []numberFormat {
	formats := make([]numberFormat, len(columns))
	for i, m := range columns {
		es := make([]metrics.Estimate, len(slices))
		for j, s := range slices {
			es[j] = estimateOf(s.Metrics, m)
		}
		formats[i] = formatForEstimates(m, es...)
	}
	return formats
}

// definedColumns returns the slice columns that have a value in at least
// one slice, so that tables carry no column of only "n/a".
func definedColumns(slices []*metrics.Slice) []string {
	var cols []string
	for _, m := range sliceColumns {
		for _, s := range slices {
			if estimateOf(s.Metrics, m).Defined() {
				cols = append(cols, m)
				break
			}
		}
	}
	return cols
}

// layerRow is one layer of a layered pipeline.
type layerRow struct {
	Layer    string
	Share    cell
	Accuracy cell
}

func buildLayers(a *metrics.AgentMetrics) []layerRow {
	rows := make([]layerRow, 0, len(a.Layers))
	for _, l := range a.Layers {
		rows = append(rows, layerRow{
			Layer: l.Layer, Share: estimateCell(formatFor("agent_coverage"), l.Share),
			Accuracy: estimateCell(formatFor("accuracy"), l.Accuracy),
		})
	}
	return rows
}

// agentColumns are the metrics of the side-by-side agent table.
var agentColumns = []string{
	"accuracy", "recall", "precision", "missed_threat_rate", "noise_auto_triage_rate", "auto_close_precision",
	"agent_coverage", "ttr_reduction", "ttr_median", "format_failure_rate", "unsafe_action_rate",
	"injection_flip_rate", "consistency", "ece", "latency_p95", "cost_mean",
}

// agentTable shows every agent of the run side by side, one column each,
// the primary agent first.
type agentTable struct {
	Agents []string
	Rows   []agentRow
}

type agentRow struct {
	Metric string
	Title  string
	Cells  []cell
}

func buildAgentTable(d *Data, primary *metrics.AgentMetrics) agentTable {
	agents := []*metrics.AgentMetrics{primary}
	for i := range d.Summary.Agents {
		if d.Summary.Agents[i].Agent != primary.Agent {
			agents = append(agents, &d.Summary.Agents[i])
		}
	}
	if len(agents) < 2 {
		return agentTable{}
	}

	var t agentTable
	for _, a := range agents {
		t.Agents = append(t.Agents, a.Agent)
	}
	for _, m := range agentColumns {
		r := agentRow{Metric: m, Title: metricTitle(m)}
		es := make([]metrics.Estimate, len(agents))
		any := false
		for i, a := range agents {
			es[i] = estimateOf(a.Metrics, m)
			any = any || es[i].Defined()
		}
		f := formatForEstimates(m, es...) // one time unit per row
		for _, e := range es {
			r.Cells = append(r.Cells, estimateCell(f, e))
		}
		if any {
			t.Rows = append(t.Rows, r)
		}
	}
	t.Rows = append(t.Rows, agentRow{Metric: "incidents", Title: "Incidents scored", Cells: incidentCells(agents)})
	return t
}

func incidentCells(agents []*metrics.AgentMetrics) []cell {
	cells := make([]cell, len(agents))
	for i, a := range agents {
		cells[i] = cell{Value: fmt.Sprint(a.Incidents)}
	}
	return cells
}
