package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/soceval/soceval/metrics"
)

// calibrationChart draws the reliability diagram: for each confidence
// bin, the share of correct verdicts against the mean stated confidence.
// A calibrated agent's points lie on the diagonal.
func calibrationChart(bins []metrics.CalibrationBin) (string, error) {
	var xs, ys []float64
	for _, b := range bins {
		if b.Count > 0 {
			xs = append(xs, b.MeanConfidence*100)
			ys = append(ys, b.Accuracy*100)
		}
	}
	pts := xy(xs, ys)
	if len(pts) == 0 {
		return "", nil
	}

	p := newPlot("", "Confidence the agent stated", "Verdicts that were correct")
	p.X.Tick.Marker = percentTicks{}
	p.Y.Tick.Marker = percentTicks{}
	p.Add(plotter.NewGrid())

	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 100, Y: 100}})
	if err != nil {
		return "", fmt.Errorf("calibration chart: %w", err)
	}
	diag.LineStyle = lineStyle(colorGrey, 1)
	diag.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}

	line, scatter, err := plotter.NewLinePoints(pts)
	if err != nil {
		return "", fmt.Errorf("calibration chart: %w", err)
	}
	line.LineStyle = lineStyle(colorBlue, 1.5)
	scatter.GlyphStyle = draw.GlyphStyle{Color: colorBlue, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(diag, line, scatter)
	p.Legend.Add("Perfectly calibrated", diag)
	p.Legend.Add("Agent", line, scatter)
	p.Legend.Top = true
	p.Legend.Left = true
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 100, 0, 100
	return renderSVG(p, vg.Points(320), vg.Points(300))
}

// costLatencyChart places each agent by its 95th-percentile latency and
// its mean cost per incident, the two running costs of an agent.
func costLatencyChart(agents []metrics.AgentMetrics) (string, error) {
	var pts plotter.XYs
	var labels []string
	for _, a := range agents {
		lat, cost := estimateOf(a.Metrics, "latency_p95"), estimateOf(a.Metrics, "cost_mean")
		if !lat.Defined() || !cost.Defined() {
			continue
		}
		pts = append(pts, plotter.XY{X: lat.Value, Y: cost.Value * 1000})
		labels = append(labels, "  "+shortLabel(a.Agent))
	}
	if len(pts) == 0 {
		return "", nil
	}

	p := newPlot("", "Latency, 95th percentile (seconds)", "Cost per 1,000 incidents (USD)")
	p.Add(plotter.NewGrid())
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return "", fmt.Errorf("cost and latency chart: %w", err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: colorBlue, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return "", fmt.Errorf("cost and latency chart: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Typeface = chartFont.Typeface
		l.TextStyle[i].Font.Variant = chartFont.Variant
		l.TextStyle[i].Font.Size = vg.Points(10)
	}
	p.Add(s, l)
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max = max(p.X.Max*1.4, 1)
	p.Y.Max = max(p.Y.Max*1.15, 0.01)
	return renderSVG(p, vg.Points(420), vg.Points(260))
}

// historyChart draws the headline metrics of earlier runs and this one,
// one line per metric, in run order.
func historyChart(points []HistoryPoint) (string, error) {
	if len(points) < 2 {
		return "", nil
	}
	names := make([]string, len(points))
	for i, h := range points {
		names[i] = shortLabel(h.Version)
		if names[i] == "" {
			names[i] = shortLabel(h.RunID)
		}
	}

	p := newPlot("", "", "")
	p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0%"}, {Value: 25, Label: "25%"},
		{Value: 50, Label: "50%"}, {Value: 75, Label: "75%"}, {Value: 100, Label: "100%"}}
	p.X.Tick.Marker = nominalTicks(names)
	p.Add(plotter.NewGrid())
	added := 0

	for k, m := range headlineMetrics {
		var xs, ys []float64
		for i, h := range points {
			if e, ok := h.Metrics[m]; ok && e.Defined() {
				xs = append(xs, float64(i))
				ys = append(ys, e.Value*100)
			}
		}
		pts := xy(xs, ys)
		if len(pts) == 0 {
			continue
		}
		line, scatter, err := plotter.NewLinePoints(pts)
		if err != nil {
			return "", fmt.Errorf("history chart: %w", err)
		}
		c := seriesColor[k%len(seriesColor)]
		line.LineStyle = lineStyle(c, 1.5)
		scatter.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(line, scatter)
		p.Legend.Add(metricTitle(m), line, scatter)
		added++
	}
	if added == 0 {
		return "", nil
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.X.Min, p.X.Max = -0.3, float64(len(points))-0.7
	// The band above 100% holds the legend, clear of the lines.
	p.Y.Min, p.Y.Max = 0, 135
	return renderSVG(p, vg.Points(max(420, 60*float64(len(points)))), vg.Points(280))
}
