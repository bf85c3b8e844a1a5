package reports

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/soceval/soceval/metrics"
)

// ttrChartCategories caps the categories of the time-to-resolve chart,
// so that its bars and labels stay readable; the breakdown table lists
// every category.
const ttrChartCategories = 8

// ttrCategories returns the categories that have both a pipeline and a
// human mean time to resolve, in the order of cats.
func ttrCategories(cats []*metrics.Slice) []*metrics.Slice {
	var out []*metrics.Slice
	for _, s := range cats {
		if estimateOf(s.Metrics, "ttr_mean").Defined() && estimateOf(s.Metrics, "human_ttr_mean").Defined() {
			out = append(out, s)
		}
	}
	return out
}

// ttrChart compares mean time to resolve, pipeline against the human
// baseline, for at most ttrChartCategories categories, in minutes, as
// horizontal bars with the pipeline's interval as error bars. The first
// category is drawn at the top.
func ttrChart(cats []*metrics.Slice) (string, error) {
	cats = ttrCategories(cats)
	if len(cats) == 0 {
		return "", nil
	}
	cats = cats[:min(len(cats), ttrChartCategories)]

	n := len(cats)
	names := make([]string, n)
	pipe, human := make(plotter.Values, n), make(plotter.Values, n)
	errs := make([]errorBar, n)
	for i, s := range cats {
		k := n - 1 - i // NominalY puts index 0 at the bottom
		pm, hm := estimateOf(s.Metrics, "ttr_mean"), estimateOf(s.Metrics, "human_ttr_mean")
		names[k] = shortLabel(gradeLabel(s.Value))
		pipe[k], human[k] = pm.Value/60, hm.Value/60
		errs[k] = intervalError(float64(k), pm, 60)
	}

	p := newPlot("", "Minutes from alert to resolution (mean)", "")
	p.Add(plotter.NewGrid())
	width := vg.Points(11)

	hb, err := plotter.NewBarChart(human, width)
	if err != nil {
		return "", fmt.Errorf("time-to-resolve chart: %w", err)
	}
	hb.Horizontal, hb.Color, hb.LineStyle.Width, hb.Offset = true, colorGrey, 0, width/2
	pb, err := plotter.NewBarChart(pipe, width)
	if err != nil {
		return "", fmt.Errorf("time-to-resolve chart: %w", err)
	}
	pb.Horizontal, pb.Color, pb.LineStyle.Width, pb.Offset = true, colorBlue, 0, -width/2
	p.Add(hb, pb)
	p.Add(&errorBars{bars: errs, d: -width / 2, horizontal: true})

	p.Legend.Add("Human analysts", hb)
	p.Legend.Add("Agent pipeline", pb)
	p.Legend.Top = true
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = vg.Points(12)
	p.X.Tick.Marker = plainTicks{}
	p.X.Min = 0
	p.X.Max *= 1.45 // room for the legend right of the longest bar
	return renderSVG(p, vg.Points(460), vg.Points(70+30*float64(n)))
}

// histogramChart draws the overall time-to-resolve distributions of the
// pipeline and the human baseline as step lines over their bins.
func histogramChart(ttr metrics.TTRSummary) (string, error) {
	p := newPlot("", "Time to resolve (minutes)", "Incidents")
	p.Add(plotter.NewGrid())
	added := 0

	for _, series := range []struct {
		name string
		d    metrics.Distribution
		c    int
	}{{"Human analysts", ttr.Human, 4}, {"Agent pipeline", ttr.Pipeline, 0}} {
		d := series.d
		if len(d.Counts) == 0 || len(d.Edges) != len(d.Counts)+1 {
			continue
		}
		var xs, ys []float64
		for i, n := range d.Counts {
			xs = append(xs, d.Edges[i]/60, d.Edges[i+1]/60)
			ys = append(ys, float64(n), float64(n))
		}
		pts := xy(xs, ys)
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return "", fmt.Errorf("time-to-resolve histogram: %w", err)
		}
		l.LineStyle = lineStyle(seriesColor[series.c%len(seriesColor)], 1.5)
		if series.c == 4 {
			l.LineStyle.Color = colorGrey
		}
		p.Add(l)
		p.Legend.Add(series.name, l)
		added++
	}
	if added == 0 {
		return "", nil
	}
	p.Legend.Top = true
	p.Y.Min = 0
	p.Y.Max *= 1.25 // room for the legend above the highest step
	return renderSVG(p, vg.Points(420), vg.Points(260))
}

// errorBar is one vertical interval drawn on a bar: centre x, top y,
// and the distances low and high below and above y.
type errorBar struct{ x, y, low, high float64 }

func intervalError(x float64, e metrics.Estimate, scale float64) errorBar {
	b := errorBar{x: x, y: e.Value / scale}
	if isFinite(e.Lower) && isFinite(e.Upper) {
		b.low, b.high = (e.Value-e.Lower)/scale, (e.Upper-e.Value)/scale
	}
	return b
}

// errorBars is a plot.Plotter that draws intervals moved by d across
// the bars, so that they sit on one bar of a group. Horizontal bars get
// horizontal intervals; x is then the bar's position and y its value.
type errorBars struct {
	bars       []errorBar
	d          vg.Length
	horizontal bool
}

// Plot implements plot.Plotter.
func (e *errorBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := lineStyle(color.Black, 1)
	cap := vg.Points(3)

	for _, b := range e.bars {
		if b.low == 0 && b.high == 0 {
			continue
		}
		if e.horizontal {
			y := trY(b.x) + e.d
			lo, hi := trX(b.y-b.low), trX(b.y+b.high)
			c.StrokeLine2(sty, lo, y, hi, y)
			c.StrokeLine2(sty, lo, y-cap, lo, y+cap)
			c.StrokeLine2(sty, hi, y-cap, hi, y+cap)
			continue
		}
		x := trX(b.x) + e.d
		lo, hi := trY(b.y-b.low), trY(b.y+b.high)
		c.StrokeLine2(sty, x, lo, x, hi)
		c.StrokeLine2(sty, x-cap, lo, x+cap, lo)
		c.StrokeLine2(sty, x-cap, hi, x+cap, hi)
	}
}

// DataRange implements plot.DataRanger, so the value axis fits the upper
// ends.
func (e *errorBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), 0
	xmax, ymax = math.Inf(-1), 0
	for _, b := range e.bars {
		xmin, xmax = math.Min(xmin, b.x), math.Max(xmax, b.x)
		ymax = math.Max(ymax, b.y+b.high)
	}
	if e.horizontal {
		return ymin, ymax, xmin, xmax
	}
	return xmin, xmax, ymin, ymax
}
