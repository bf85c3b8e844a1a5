package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// chartFont is the one typeface of every chart. Fonts are not embedded in
// the SVG, so the page's CSS maps it to the reader's sans-serif font.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Chart colours, chosen to stay distinct for the common forms of colour
// blindness (the Okabe–Ito palette).
var (
	colorBlue   = color.RGBA{0x00, 0x72, 0xB2, 0xFF}
	colorOrange = color.RGBA{0xE6, 0x9F, 0x00, 0xFF}
	colorGreen  = color.RGBA{0x00, 0x9E, 0x73, 0xFF}
	colorRed    = color.RGBA{0xD5, 0x5E, 0x00, 0xFF}
	colorGrey   = color.RGBA{0x88, 0x88, 0x88, 0xFF}
	seriesColor = []color.Color{colorBlue, colorOrange, colorGreen, colorRed,
		color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, color.RGBA{0x56, 0xB4, 0xE9, 0xFF}}
)

// newPlot returns a plot whose every text style uses chartFont.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	for _, s := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		s.Font.Typeface = chartFont.Typeface
		s.Font.Variant = chartFont.Variant
	}
	// Tick labels are a size up from gonum's 10 pt: charts are scaled
	// down to fit half the page width.
	p.X.Tick.Label.Font.Size = vg.Points(11)
	p.Y.Tick.Label.Font.Size = vg.Points(11)
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Title.Padding = vg.Points(6)
	return p
}

// renderSVG draws p as an SVG element for inline use in HTML: the XML
// declaration and generator comment are dropped. vgsvg escapes every text
// it writes with html.EscapeString, so data strings in tick labels and
// legends cannot break out of their text elements.
func renderSVG(p *plot.Plot, w, h vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))

	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("render chart %q as SVG: %w", p.Title.Text, err)
	}

	s := buf.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return strings.Replace(s, "<svg ", `<svg role="img" class="chart" `, 1), nil
}

// xy builds plotter points, dropping pairs with a NaN or infinite
// coordinate because a line plot fails on them.
func xy(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, 0, len(xs))
	for i := range xs {
		if isFinite(xs[i]) && isFinite(ys[i]) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	return pts
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// percentTicks labels a 0–100 axis in percent.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label += "%"
		}
	}
	return ticks
}

// plainTicks labels an axis with gonum's default tick positions, written
// without trailing zeros ("25", not "25.00").
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = trimZero(strconv.FormatFloat(ticks[i].Value, 'f', 6, 64))
		}
	}
	return ticks
}

// nominalTicks labels the integer positions 0..n-1 with names.
func nominalTicks(names []string) plot.ConstantTicks {
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	return ticks
}

func lineStyle(c color.Color, width float64) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(width)}
}

// gradeLabel turns a grade such as "true_positive" into "true positive".
func gradeLabel(g string) string { return strings.ReplaceAll(g, "_", " ") }

// shortLabel keeps chart tick labels readable when data strings are long.
func shortLabel(s string) string { return truncate(cleanText(s), 24) }
