package reports

import "fmt"

// smallTable is a table that replaces a chart whose points would all
// fall on one line.
type smallTable struct {
	Header []string
	Rows   []smallRow
}

// smallRow is one row of a smallTable; Current marks the current policy.
type smallRow struct {
	Cells   []string
	Current bool
}

// thresholdTable replaces the auto-close trade-off chart when every point
// has the same missed-threat share or the same noise share, because the
// chart would then be one vertical or horizontal line with its threshold
// labels stacked. It lists the thresholds, with runs of thresholds of
// equal outcome merged into one row, and returns a caption that names the
// share that never changes. ok is false when the chart should be drawn,
// and for a flat curve, which thresholdNote describes.
func thresholdTable(points []ThresholdPoint) (t *smallTable, caption string, ok bool) {
	if len(points) < 2 || flatCurve(points) {
		return nil, "", false
	}
	sameMissed, sameNoise := true, true
	for _, p := range points[1:] {
		sameMissed = sameMissed && sameShare(p.MissedThreat, points[0].MissedThreat)
		sameNoise = sameNoise && sameShare(p.NoiseAutoClose, points[0].NoiseAutoClose)
	}
	if !sameMissed && !sameNoise {
		return nil, "", false
	}

	first, last := points[0], points[len(points)-1]
	span := fmt.Sprintf("At every threshold from %.2f to %.2f", first.Threshold, last.Threshold)
	if sameMissed {
		caption = constantCaption(span, first.MissedThreat, "no real threats", "no threat was",
			"of threats were", "the noise closed automatically")
	} else {
		caption = constantCaption(span, first.NoiseAutoClose, "no benign or false-positive incidents",
			"no noise incident was", "of noise was", "the threats missed")
	}
	return &smallTable{
		Header: []string{"Close threshold", "Noise closed automatically", "Threats missed"},
		Rows:   thresholdRows(points),
	}, caption, true
}

// constantCaption describes a share that is the same at every threshold
// of span, and names what the threshold changes instead.
func constantCaption(span string, share float64, absent, none, some, changes string) string {
	switch {
	case !isFinite(share):
		return "The run has " + absent + ", so the threshold changes only " + changes + "."
	case share == 0:
		return span + " " + none + " auto-closed, so the threshold changes only " + changes + "."
	}
	return span + ", " + formatPercent(share) + " " + some + " auto-closed, so the threshold changes only " + changes + "."
}

// thresholdRows merges neighbouring thresholds of equal outcome into one
// row, such as "0.85–1.00".
func thresholdRows(points []ThresholdPoint) []smallRow {
	var rows []smallRow
	for i := 0; i < len(points); {
		j, current := i, points[i].Current
		for j+1 < len(points) && sameShare(points[j+1].NoiseAutoClose, points[i].NoiseAutoClose) &&
			sameShare(points[j+1].MissedThreat, points[i].MissedThreat) {
			j++
			current = current || points[j].Current
		}

		label := fmt.Sprintf("%.2f", points[i].Threshold)
		if j > i {
			label += fmt.Sprintf("–%.2f", points[j].Threshold)
		}
		if current {
			label += " (current policy)"
		}
		rows = append(rows, smallRow{
			Cells:   []string{label, shareText(points[i].NoiseAutoClose), shareText(points[i].MissedThreat)},
			Current: current,
		})
		i = j + 1
	}
	return rows
}

func shareText(v float64) string {
	if !isFinite(v) {
		return "n/a"
	}
	return formatPercent(v)
}
