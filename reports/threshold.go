package reports

import (
	"math"
	"sort"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// ThresholdCurve computes the auto-close trade-off of one agent from its
// result rows: for each threshold, the share of benign and false-positive
// incidents, and the share of true positives, that would be auto-closed.
// A row counts as auto-closed at threshold t when it has a usable verdict
// graded benign_positive or false_positive, does not ask to escalate, and
// has a confidence of at least t. This is the single-layer close rule;
// rows settled by an earlier deterministic layer are judged the same way.
//
// A verdict that states no confidence counts as confidence 1.0, as the
// disposition policy (harness.Policy) treats it, so that the curve agrees
// with the run's dispositions: such a verdict is auto-closed at every
// threshold. The exception is a row the run escalated although it would
// have been closed at confidence 1.0; its policy required a confidence
// (require_confidence), and the row is never auto-closed. An agent that
// never states a confidence therefore has a flat curve: the threshold
// changes nothing, and the HTML report shows a note instead of a chart.
//
// The current threshold is marked, and added when it is not in thresholds.
// Rows of other agents are ignored.
func ThresholdCurve(rows []runstore.Result, agent string, thresholds []float64, current float64) []ThresholdPoint {
	ts := append([]float64(nil), thresholds...)
	found := false
	for _, t := range ts {
		found = found || t == current
	}
	if !found {
		ts = append(ts, current)
	}
	sort.Float64s(ts)

	// noiseAt[i] and threatAt[i] count closable rows whose confidence is
	// in [ts[i], ts[i+1]), so a suffix sum gives the rows closed at ts[i].
	noiseAt := make([]int, len(ts))
	threatAt := make([]int, len(ts))
	var noise, threats int

	for i := range rows {
		r := &rows[i]
		if r.Agent != agent {
			continue
		}
		malicious := r.Gold.Grade == datasets.GradeTruePositive
		if malicious {
			threats++
		} else {
			noise++
		}
		if r.Failed() || r.Escalate || r.Grade == datasets.GradeTruePositive {
			continue
		}
		conf, closable := closeConfidence(r)
		if !closable {
			continue
		}
		k := sort.SearchFloat64s(ts, conf)
		if k == len(ts) || ts[k] > conf {
			k--
		}
		if k < 0 {
			continue // below every threshold: never auto-closed
		}
		if malicious {
			threatAt[k]++
		} else {
			noiseAt[k]++
		}
	}

	points := make([]ThresholdPoint, len(ts))
	closedNoise, closedThreats := 0, 0
	for i := len(ts) - 1; i >= 0; i-- {
		closedNoise += noiseAt[i]
		closedThreats += threatAt[i]
		points[i] = ThresholdPoint{
			Threshold: ts[i], Current: ts[i] == current,
			NoiseAutoClose: share(closedNoise, noise), MissedThreat: share(closedThreats, threats),
		}
	}
	return points
}

// closeConfidence is the confidence the close rule compares with the
// threshold: the stated one, or 1.0 when none is stated. It reports false
// for a verdict without a confidence that the run escalated, because the
// run's policy required a confidence to close.
func closeConfidence(r *runstore.Result) (float64, bool) {
	if r.Confidence != nil {
		return *r.Confidence, true
	}
	if r.Disposition == runstore.Escalated {
		return 0, false
	}
	return 1, true
}

// flatCurve reports whether every point of a curve with two or more
// points gives the same shares, so that the threshold changes nothing.
func flatCurve(points []ThresholdPoint) bool {
	if len(points) < 2 {
		return false
	}
	first := points[0]
	for _, p := range points[1:] {
		if !sameShare(p.NoiseAutoClose, first.NoiseAutoClose) || !sameShare(p.MissedThreat, first.MissedThreat) {
			return false
		}
	}
	return true
}

func sameShare(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func share(num, den int) float64 {
	if den == 0 {
		return nan
	}
	return float64(num) / float64(den)
}
