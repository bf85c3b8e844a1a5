package reports

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/soceval/soceval/metrics"
)

// confusionChart draws the confusion matrix as a heat map. Each cell's
// shade is its share of the gold row, so rows of different sizes compare,
// and the cell text gives the count and that share.
func confusionChart(cm metrics.Confusion) (string, error) {
	if len(cm.Gold) == 0 || len(cm.Predicted) == 0 || len(cm.Counts) != len(cm.Gold) {
		return "", nil
	}

	p := newPlot("", "Agent's verdict", "True grade")
	hm := &heatMap{counts: cm.Counts, cols: len(cm.Predicted)}
	hm.text = p.X.Tick.Label
	hm.text.XAlign = draw.XCenter
	hm.text.YAlign = draw.YCenter
	p.Add(hm)

	cols := make([]string, len(cm.Predicted))
	for i, c := range cm.Predicted {
		cols[i] = shortLabel(gradeLabel(c))
	}
	rows := make([]string, len(cm.Gold))
	for i, g := range cm.Gold {
		// Gold row 0 is drawn at the top.
		rows[len(cm.Gold)-1-i] = shortLabel(gradeLabel(g))
	}
	p.X.Tick.Marker = nominalTicks(cols)
	p.Y.Tick.Marker = nominalTicks(rows)
	p.X.Tick.Length = 0
	p.Y.Tick.Length = 0
	p.X.Padding = 0
	p.Y.Padding = 0
	p.X.LineStyle.Width = 0
	p.Y.LineStyle.Width = 0

	return renderSVG(p, vg.Points(420), vg.Points(90+60*float64(len(cm.Gold))))
}

// heatMap is a plot.Plotter that draws a matrix of counts as shaded cells
// with their numbers.
type heatMap struct {
	counts [][]int
	cols   int
	text   text.Style
}

// Plot implements plot.Plotter.
func (h *heatMap) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(h.counts)

	for i, row := range h.counts {
		total := 0
		for _, v := range row {
			total += v
		}
		y := float64(n - 1 - i)

		for j := 0; j < h.cols && j < len(row); j++ {
			share := 0.0
			if total > 0 {
				share = float64(row[j]) / float64(total)
			}
			x := float64(j)
			rect := vg.Rectangle{
				Min: vg.Point{X: trX(x - 0.5), Y: trY(y - 0.5)},
				Max: vg.Point{X: trX(x + 0.5), Y: trY(y + 0.5)},
			}
			c.SetColor(shade(share))
			c.Fill(rect.Path())
			c.SetColor(color.White)
			c.SetLineWidth(vg.Points(1))
			c.Stroke(rect.Path())

			sty := h.text
			sty.Color = color.Black
			if share > 0.55 {
				sty.Color = color.White
			}
			label := fmt.Sprintf("%d\n%s", row[j], formatPercent(share))
			c.FillText(sty, vg.Point{X: trX(x), Y: trY(y)}, label)
		}
	}
}

// DataRange implements plot.DataRanger.
func (h *heatMap) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(h.cols) - 0.5, -0.5, float64(len(h.counts)) - 0.5
}

// shade maps a share in [0, 1] to a white-to-blue colour.
func shade(share float64) color.Color {
	lerp := func(a, b uint8) uint8 { return uint8(float64(a) + share*(float64(b)-float64(a))) }
	return color.RGBA{lerp(0xF4, 0x08), lerp(0xF7, 0x45), lerp(0xFB, 0x94), 0xFF}
}
