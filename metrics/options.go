package metrics

// Defaults applied by Options when a field is zero.
const (
	DefaultConfidence      = 0.95
	DefaultResamples       = 2000
	DefaultCalibrationBins = 10
	DefaultHistogramBins   = 20
	// DefaultMinSample is the denominator below which a metric gets a
	// small-sample warning.
	DefaultMinSample = 30
)

// Price is the price of one agent's model in US dollars per million tokens.
type Price struct {
	InputPerMTok  float64 `json:"input_per_mtok" yaml:"input_per_mtok"`
	OutputPerMTok float64 `json:"output_per_mtok" yaml:"output_per_mtok"`
}

// Cost returns the price of tokensIn input and tokensOut output tokens.
func (p Price) Cost(tokensIn, tokensOut int) float64 {
	return (float64(tokensIn)*p.InputPerMTok + float64(tokensOut)*p.OutputPerMTok) / 1e6
}

// Options configures Compute and Compare. The zero value is usable: every
// zero field takes its default.
type Options struct {
	// Confidence is the coverage of every interval (default 0.95, also
	// used for any value outside (0, 1)).
	Confidence float64
	// Seed makes bootstrap intervals reproducible: the same rows and seed
	// give the same intervals.
	Seed int64
	// Resamples is the number of bootstrap resamples (default 2000).
	Resamples int
	// Prices maps an agent name to its model's token prices. A row's cost
	// is its CostUSD when set, else its tokens at the agent's price.
	Prices map[string]Price
	// AllowedActions is the allow-list of response actions. Empty means
	// every action is allowed.
	AllowedActions []string
	// DestructiveActions are actions that must not be proposed on a benign
	// or false positive, such as isolating a host or disabling an account.
	DestructiveActions []string
	// CalibrationBins is the number of equal-width confidence bins of the
	// reliability diagram and of ece (default 10).
	CalibrationBins int
	// HistogramBins is the number of histogram bins of each distribution
	// (default 20).
	HistogramBins int
	// MinSample is the denominator below which a metric gets a
	// small-sample warning (default 30).
	MinSample int
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Confidence <= 0 || o.Confidence >= 1 {
		o.Confidence = DefaultConfidence
	}
	if o.Resamples <= 0 {
		o.Resamples = DefaultResamples
	}
	if o.CalibrationBins <= 0 {
		o.CalibrationBins = DefaultCalibrationBins
	}
	if o.HistogramBins <= 0 {
		o.HistogramBins = DefaultHistogramBins
	}
	if o.MinSample <= 0 {
		o.MinSample = DefaultMinSample
	}
	return o
}
