package reports

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// thresholdChart draws the auto-close trade-off: as the confidence
// threshold for auto-closing falls, more noise is closed automatically
// (up) and more threats are missed (right). The current policy is marked.
func thresholdChart(points []ThresholdPoint) (string, error) {
	var xs, ys []float64
	var labels plotter.XYLabels
	var current plotter.XYs
	step := max(1, len(points)/6)
	// Points at one position get one label, the current policy's first,
	// so that labels never print over each other.
	labelled := map[plotter.XY]bool{}
	addLabel := func(at plotter.XY, text string) {
		if !labelled[at] {
			labelled[at] = true
			labels.XYs = append(labels.XYs, at)
			labels.Labels = append(labels.Labels, text)
		}
	}

	for _, pt := range points {
		x, y := pt.MissedThreat*100, pt.NoiseAutoClose*100
		if !isFinite(x) || !isFinite(y) {
			continue
		}
		xs = append(xs, x)
		ys = append(ys, y)
		if pt.Current {
			current = append(current, plotter.XY{X: x, Y: y})
			addLabel(plotter.XY{X: x, Y: y}, fmt.Sprintf("  current policy (%.2f)", pt.Threshold))
		}
	}
	for i, pt := range points {
		x, y := pt.MissedThreat*100, pt.NoiseAutoClose*100
		if isFinite(x) && isFinite(y) && !pt.Current && i%step == 0 {
			addLabel(plotter.XY{X: x, Y: y}, fmt.Sprintf("  %.2f", pt.Threshold))
		}
	}
	pts := xy(xs, ys)
	if len(pts) == 0 {
		return "", nil
	}

	p := newPlot("", "Threats missed (auto-closed real threats)", "Noise closed automatically")
	p.X.Tick.Marker = percentTicks{}
	p.Y.Tick.Marker = percentTicks{}
	p.Add(plotter.NewGrid())

	line, scatter, err := plotter.NewLinePoints(pts)
	if err != nil {
		return "", fmt.Errorf("threshold chart: %w", err)
	}
	line.LineStyle = lineStyle(colorBlue, 1.5)
	scatter.GlyphStyle = draw.GlyphStyle{Color: colorBlue, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	p.Add(line, scatter)

	if len(current) > 0 {
		mark, err := plotter.NewScatter(current)
		if err != nil {
			return "", fmt.Errorf("threshold chart: %w", err)
		}
		mark.GlyphStyle = draw.GlyphStyle{Color: colorRed, Radius: vg.Points(6), Shape: draw.RingGlyph{}}
		p.Add(mark)
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return "", fmt.Errorf("threshold chart: %w", err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Typeface = chartFont.Typeface
			l.TextStyle[i].Font.Variant = chartFont.Variant
			l.TextStyle[i].Font.Size = vg.Points(10)
		}
		p.Add(l)
	}
	p.X.Min = 0
	p.Y.Min = 0
	p.Y.Max = max(p.Y.Max, 1)
	p.X.Max = max(p.X.Max*1.35, 1)
	return renderSVG(p, vg.Points(460), vg.Points(300))
}
