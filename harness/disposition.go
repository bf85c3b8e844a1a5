package harness

import (
	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

// DefaultCloseThreshold is the confidence at or above which a benign or
// false-positive verdict is auto-closed.
const DefaultCloseThreshold = 0.8

// Policy is the orchestration policy that turns a verdict into what would
// happen in a SOC.
type Policy struct {
	// CloseThreshold is the minimum confidence to auto-close a benign or
	// false-positive verdict.
	CloseThreshold float64
	// RequireConfidence escalates verdicts that carry no confidence
	// instead of treating them as fully confident.
	RequireConfidence bool
}

// Dispose returns the disposition of v: auto-closed, agent-resolved,
// escalated, or error when there is no verdict.
//
// A true positive counts as agent-resolved only when the agent proposed
// at least one action and did not ask to escalate. A verdict without a
// confidence is treated as fully confident unless RequireConfidence is set.
func (p Policy) Dispose(v *Verdict) string {
	if v == nil {
		return runstore.Errored
	}
	if v.Escalate {
		return runstore.Escalated
	}

	confidence := 1.0
	if v.Confidence != nil {
		confidence = *v.Confidence
	} else if p.RequireConfidence {
		return runstore.Escalated
	}

	switch v.Grade {
	case datasets.GradeBenignPositive, datasets.GradeFalsePositive:
		if confidence >= p.CloseThreshold {
			return runstore.AutoClosed
		}
	case datasets.GradeTruePositive:
		if len(v.Actions) > 0 {
			return runstore.AgentResolved
		}
	}
	return runstore.Escalated
}
