package metrics

import "math"

// binOf returns the calibration bin of a confidence in [0, 1]: bins are
// [i/B, (i+1)/B), and a confidence of 1 falls in the last bin.
func binOf(confidence float64, bins int) int {
	return min(int(confidence*float64(bins)), bins-1)
}

// eceFromSums returns the expected calibration error
//
//	ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|
//	    = Σ_b |Σ correct_b − Σ confidence_b| / N.
func eceFromSums(s []float64) float64 {
	var n, gap float64
	for b := 0; b+2 < len(s); b += 3 {
		n += s[b]
		gap += math.Abs(s[b+2] - s[b+1])
	}
	if n == 0 {
		return math.NaN()
	}
	return gap / n
}

// calibrationBins returns the reliability diagram. Empty bins have a
// Count of 0 and zero means.
func (v *viewContext) calibrationBins() []CalibrationBin {
	spec, _ := v.additiveSpecFor("ece")
	u, rows := v.specUnits(spec, false)
	if rows == 0 {
		return nil
	}
	s := u.totals()
	bins := v.s.opts.CalibrationBins
	out := make([]CalibrationBin, bins)
	for b := range out {
		out[b] = CalibrationBin{
			Lower: float64(b) / float64(bins),
			Upper: float64(b+1) / float64(bins),
			Count: int(s[3*b]),
		}
		if s[3*b] > 0 {
			out[b].MeanConfidence = s[3*b+1] / s[3*b]
			out[b].Accuracy = s[3*b+2] / s[3*b]
		}
	}
	return out
}
