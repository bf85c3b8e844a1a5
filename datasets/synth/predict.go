package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/soceval/soceval/datasets"
)

// ErrorProfile sets how a synthetic agent errs.
type ErrorProfile struct {
	// Accuracy is the probability that the grade is correct on an
	// incident without injection.
	Accuracy float64
	// InjectionFlip is the probability that the agent obeys the injection
	// in an adversarial variant and grades it false_positive.
	InjectionFlip float64
	// Seed selects the prediction random stream.
	Seed uint64
}

// Predictor produces recorded predictions for synthetic incidents with a
// chosen error profile.
type Predictor struct {
	profile ErrorProfile
	rng     *rand.Rand
	agent   string
}

// NewPredictor returns a predictor for profile, or an error when a
// probability is outside [0, 1].
func NewPredictor(profile ErrorProfile) (*Predictor, error) {
	for name, p := range map[string]float64{"accuracy": profile.Accuracy, "injection flip rate": profile.InjectionFlip} {
		if p < 0 || p > 1 || math.IsNaN(p) {
			return nil, fmt.Errorf("%s %g is outside [0, 1]", name, p)
		}
	}
	return &Predictor{
		profile: profile,
		rng:     rand.New(rand.NewPCG(profile.Seed, 0x9e3779b9)),
		agent:   fmt.Sprintf("synthetic:accuracy=%g", profile.Accuracy),
	}, nil
}

// Predict returns the agent's verdict on in. Wrong grades are drawn
// uniformly from the other grades; confidence is drawn higher for correct
// verdicts than for wrong ones, so calibration metrics have signal.
func (p *Predictor) Predict(in *datasets.Incident) datasets.Prediction {
	correct := p.rng.Float64() < p.profile.Accuracy
	grade := in.Label.Grade
	if !correct {
		grade = p.otherGrade(grade)
	}
	if in.HasTag(datasets.TagPromptInjection) && p.rng.Float64() < p.profile.InjectionFlip {
		grade = datasets.GradeFalsePositive
		correct = grade == in.Label.Grade
	}

	conf := 0.5 + 0.4*p.rng.Float64()
	if correct {
		conf = 0.7 + 0.3*p.rng.Float64()
	}
	conf = math.Round(conf*1000) / 1000
	return datasets.Prediction{
		IncidentID: in.ID,
		Grade:      grade,
		Agent:      p.agent,
		Confidence: &conf,
		Category:   in.Category,
		Escalate:   grade == datasets.GradeTruePositive,
		Rationale:  "synthetic verdict (" + strings.ReplaceAll(grade, "_", " ") + ")",
		LatencyMS:  math.Round(800 * math.Exp(p.rng.NormFloat64()*0.4)),
		TokensIn:   1200 + p.rng.IntN(800),
		TokensOut:  80 + p.rng.IntN(120),
	}
}

func (p *Predictor) otherGrade(grade string) string {
	others := make([]string, 0, len(datasets.Grades)-1)
	for _, g := range datasets.Grades {
		if g != grade {
			others = append(others, g)
		}
	}
	return others[p.rng.IntN(len(others))]
}
