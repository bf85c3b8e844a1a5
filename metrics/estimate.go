// Package metrics scores runs: confusion matrices, detection and triage
// rates, time to resolve, and their confidence intervals, overall and by
// slice, plus paired comparisons of two runs on the same incidents.
package metrics

import (
	"encoding/json"
	"math"
)

// Interval methods recorded on an Estimate.
const (
	IntervalWilson    = "wilson"
	IntervalBootstrap = "bootstrap"
	IntervalNone      = "none"
)

// Estimate is a metric's point value with its confidence interval.
// Value, Lower and Upper are NaN when the metric has no data (N == 0);
// in JSON they are written as null.
type Estimate struct {
	Value float64 `json:"value"`
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// Num and Den are the numerator and denominator of a proportion.
	Num int `json:"num,omitempty"`
	Den int `json:"den,omitempty"`
	// N is the number of cases behind the estimate.
	N        int    `json:"n"`
	Interval string `json:"interval"`
	// Confidence is the interval's coverage, such as 0.95.
	Confidence float64 `json:"confidence,omitempty"`
	// Estimated is true when the inputs include estimated values, such as
	// human handling times that the dataset did not measure.
	Estimated bool `json:"estimated,omitempty"`
}

// NoData returns an Estimate with no value.
func NoData() Estimate {
	return Estimate{Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Interval: IntervalNone}
}

// Defined reports whether the estimate has a value.
func (e Estimate) Defined() bool { return e.N > 0 && !math.IsNaN(e.Value) }

type estimateJSON struct {
	Value      *float64 `json:"value"`
	Lower      *float64 `json:"lower"`
	Upper      *float64 `json:"upper"`
	Num        int      `json:"num,omitempty"`
	Den        int      `json:"den,omitempty"`
	N          int      `json:"n"`
	Interval   string   `json:"interval"`
	Confidence float64  `json:"confidence,omitempty"`
	Estimated  bool     `json:"estimated,omitempty"`
}

func finite(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes undefined values as null, since JSON has no NaN.
func (e Estimate) MarshalJSON() ([]byte, error) {
	return json.Marshal(estimateJSON{
		Value: finite(e.Value), Lower: finite(e.Lower), Upper: finite(e.Upper),
		Num: e.Num, Den: e.Den, N: e.N, Interval: e.Interval,
		Confidence: e.Confidence, Estimated: e.Estimated,
	})
}

// UnmarshalJSON reads null values back as NaN.
func (e *Estimate) UnmarshalJSON(data []byte) error {
	var v estimateJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*e = Estimate{
		Value: orNaN(v.Value), Lower: orNaN(v.Lower), Upper: orNaN(v.Upper),
		Num: v.Num, Den: v.Den, N: v.N, Interval: v.Interval,
		Confidence: v.Confidence, Estimated: v.Estimated,
	}
	return nil
}
