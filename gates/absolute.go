package gates

import (
	"fmt"
	"math"
	"strings"

	"github.com/soceval/soceval/metrics"
)

// absolute evaluates a min/max rule for one agent.
func (p *Policy) absolute(r *Rule, agent string, am *metrics.AgentMetrics) RuleResult {
	res := newResult(r, agent)
	def, _ := metrics.Lookup(r.Metric)

	est, missing := lookupEstimate(r, agent, am)
	if missing != "" {
		res.Status = Inconclusive
		res.Message = missing
		return res
	}
	est = p.atConfidence(est)
	res.Observed = est

	if est.N < r.MinCases {
		res.Status = Inconclusive
		res.Judged = est.Value
		res.CasesNeeded = r.MinCases
		res.Message = fmt.Sprintf("%s = %s on only %d cases, below the rule's min_cases %d (%s)",
			subject(r), formatValue(def, est.Value), est.N, r.MinCases, detail(r, est))
		return res
	}

	var checks []check
	if r.Min != nil {
		checks = append(checks, p.checkLimit(r, def, est, *r.Min, false))
	}
	if r.Max != nil {
		checks = append(checks, p.checkLimit(r, def, est, *r.Max, true))
	}
	worst := checks[0]
	for _, c := range checks[1:] {
		if rank(c.status) > rank(worst.status) {
			worst = c
		}
	}

	res.Status = worst.status
	res.Judged = worst.judged
	res.Limit = worst.limit
	res.CasesNeeded = worst.needed
	res.Message = worst.message
	if len(checks) == 2 && checks[0].status == Pass && checks[1].status == Pass {
		res.Message = checks[0].message + "; " + checks[1].message
	}
	return res
}

// check is the verdict of one limit (min or max) of an absolute rule.
type check struct {
	status  Status
	judged  float64
	limit   float64
	needed  int
	message string
}

// checkLimit judges one limit. On a point bound the point estimate
// decides. On the conservative bound (upper for max, lower for min) the
// point estimate must meet the limit and so must the bound. When only the
// bound misses, the rule fails if the sample was large enough for a
// perfect result to pass, and is inconclusive otherwise. On the lenient
// bound (lower for max, upper for min) the rule fails only when the bound
// misses, and warns when only the point estimate does.
func (p *Policy) checkLimit(r *Rule, def metrics.Definition, est metrics.Estimate, limit float64, isMax bool) check {
	judged := est.Value
	switch r.Bound {
	case BoundLower:
		judged = est.Lower
	case BoundUpper:
		judged = est.Upper
	}
	c := check{judged: judged, limit: limit}

	kind, op, okOp := "min", "<", ">="
	if isMax {
		kind, op, okOp = "max", ">", "<="
	}
	misses := func(v float64) bool {
		if isMax {
			return v > limit
		}
		return v < limit
	}
	what := subject(r)
	if r.Bound != BoundPoint {
		what += " " + r.Bound + " bound"
	}
	info := detail(r, est)
	lim := formatLimit(limit)
	conservative := (isMax && r.Bound == BoundUpper) || (!isMax && r.Bound == BoundLower)

	switch {
	case r.Bound == BoundPoint && misses(est.Value):
		c.status = Fail
		c.message = fmt.Sprintf("%s %s %s %s %s (%s)", what, formatValue(def, judged), op, kind, lim, info)

	case r.Bound == BoundPoint:
		c.status = Pass
		c.message = fmt.Sprintf("%s %s %s %s %s (%s)", what, formatValue(def, judged), okOp, kind, lim, info)

	case conservative && misses(est.Value):
		c.status = Fail
		c.message = fmt.Sprintf("%s %s %s %s %s, so its %s bound does too (%s)",
			subject(r), formatValue(def, est.Value), op, kind, lim, r.Bound, info)

	case conservative && math.IsNaN(judged):
		c.status = Inconclusive
		c.message = fmt.Sprintf("%s has no %s bound to judge (%s): metrics.json holds no interval for it", subject(r), r.Bound, info)

	case conservative && misses(judged):
		c.status, c.needed, c.message = p.unproven(r, def, est, judged, limit, isMax)

	case conservative:
		c.status = Pass
		c.message = fmt.Sprintf("%s %s %s %s %s (%s)", what, formatValue(def, judged), okOp, kind, lim, info)

	case misses(judged):
		c.status = Fail
		c.message = fmt.Sprintf("%s %s %s %s %s (%s)", what, formatValue(def, judged), op, kind, lim, info)

	case misses(est.Value):
		c.status = Warn
		c.message = fmt.Sprintf("%s %s %s %s %s, but its %s bound %s does not exclude the limit (%s)",
			subject(r), formatValue(def, est.Value), op, kind, lim, r.Bound, formatValue(def, judged), info)

	default:
		c.status = Pass
		c.message = fmt.Sprintf("%s %s %s %s %s (%s)", what, formatValue(def, judged), okOp, kind, lim, info)
	}
	return c
}

// unproven handles a point estimate that meets the limit with an interval
// bound that does not. For a proportion, the Wilson bound of a perfect
// result (no event under a max, all cases under a min) tells whether the
// sample could have certified the limit: if it could, the observed events
// are evidence against the agent and the rule fails; if not, the rule is
// inconclusive and says how many cases a perfect result would need. For
// other metrics the number is an estimate that assumes the interval
// narrows as 1/√n.
func (p *Policy) unproven(r *Rule, def metrics.Definition, est metrics.Estimate, judged, limit float64, isMax bool) (Status, int, string) {
	kind, op := "min", "<"
	if isMax {
		kind, op = "max", ">"
	}
	head := fmt.Sprintf("%s %s bound %s %s %s %s (%s)",
		subject(r), r.Bound, formatValue(def, judged), op, kind, formatLimit(limit), detail(r, est))

	if isProportion(def, est) {
		need := casesToCertify(limit, isMax, p.Confidence)
		perfect := "no event"
		if !isMax {
			perfect = "every case counted"
		}
		if need > 0 && est.Den >= need {
			return Fail, 0, fmt.Sprintf("%s; %d cases are enough to certify %s %s with %s, so the observed rate does not meet it",
				head, est.Den, kind, formatLimit(limit), perfect)
		}
		if need == 0 {
			return Inconclusive, 0, head + fmt.Sprintf("; no sample size can certify %s %s on the %s bound", kind, formatLimit(limit), r.Bound)
		}
		return Inconclusive, need, fmt.Sprintf("%s; too few cases to decide: certifying %s %s needs at least %d cases even with %s, and the run has %d",
			head, kind, formatLimit(limit), need, perfect, est.Den)
	}

	margin := math.Abs(limit - est.Value)
	width := math.Abs(judged - est.Value)
	if margin == 0 || est.N == 0 {
		return Inconclusive, 0, head + "; the point estimate equals the limit, so no sample size can decide"
	}
	need := int(math.Ceil(float64(est.N) * (width / margin) * (width / margin)))
	return Inconclusive, need, fmt.Sprintf("%s; too few cases to decide: about %d cases would be needed if the interval narrows as 1/sqrt(n), and the run has %d",
		head, need, est.N)
}

// lookupEstimate finds the rule's metric for the agent, or returns why it
// has no data.
func lookupEstimate(r *Rule, agent string, am *metrics.AgentMetrics) (metrics.Estimate, string) {
	if am == nil {
		return metrics.Estimate{}, fmt.Sprintf("no data: agent %q has no results in the run", agent)
	}

	values := am.Metrics
	if r.Slice != nil {
		s := am.Slice(r.Slice.Dimension, r.Slice.Value)
		if s == nil {
			return metrics.Estimate{}, fmt.Sprintf("no data: no incident of the run is in slice %s", r.Slice)
		}
		values = s.Metrics
	}

	est, ok := values[r.Metric]
	if !ok || !est.Defined() {
		where := "the run"
		if r.Slice != nil {
			where = "slice " + r.Slice.String()
		}
		return metrics.Estimate{}, fmt.Sprintf("no data: %s has no case to compute %s on in %s", agent, r.Metric, where)
	}
	return est, ""
}

// atConfidence recomputes a proportion's Wilson interval at the policy's
// confidence. Other intervals are kept as metrics.json stored them.
func (p *Policy) atConfidence(est metrics.Estimate) metrics.Estimate {
	if est.Interval != metrics.IntervalWilson || est.Den <= 0 {
		return est
	}
	est.Lower, est.Upper = metrics.Wilson(est.Num, est.Den, p.Confidence)
	est.Confidence = p.Confidence
	return est
}

func isProportion(def metrics.Definition, est metrics.Estimate) bool {
	return def.Kind == metrics.KindProportion && est.Den > 0
}

// subject names the metric, its slice and agent-independent context.
func subject(r *Rule) string {
	if r.Slice == nil {
		return r.Metric
	}
	return fmt.Sprintf("%s in %s", r.Metric, r.Slice)
}

// detail returns the counts and interval behind an estimate, such as
// "0/178 auto-closed threats, Wilson 95%".
func detail(r *Rule, est metrics.Estimate) string {
	var parts []string
	if est.Den > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d%s", est.Num, est.Den, countNoun(r.Metric)))
	} else {
		parts = append(parts, fmt.Sprintf("n=%d", est.N))
	}
	if r.Bound != BoundPoint && est.Interval != "" && est.Interval != metrics.IntervalNone {
		method := est.Interval
		if method == metrics.IntervalWilson {
			method = "Wilson"
		}
		parts = append(parts, fmt.Sprintf("%s %s", method, formatPercent(est.Confidence)))
	}
	if est.Estimated {
		parts = append(parts, "includes estimated inputs")
	}
	return strings.Join(parts, ", ")
}
