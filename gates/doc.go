// Package gates decides whether a run may ship: it reads a policy of
// rules on metrics, evaluates them on a run's metrics and, for regression
// rules, on paired tests against a baseline run, and returns an Outcome
// with one status per rule and agent and an exit code.
//
// # Policy grammar
//
// A policy is a YAML mapping. Unknown fields, unknown metrics and
// unknown slice dimensions are errors, and Parse reports every problem
// at once with its file, line, rule index and field:
//
//	confidence: 0.95      # coverage of the intervals bound rules judge (default 0.95)
//	correction: holm      # holm (default) or none, across all max_drop rules and agents
//	inconclusive: warn    # warn (default): listed, exit 0; fail: an inconclusive rule fails
//	error_budget: 0.05    # largest share of rows without a reply in a valid run (default 0.05)
//	rules:
//	  - name: missed-threats        # optional, unique; shown in reports
//	    metric: missed_threat_rate  # a name from metrics.Names
//	    slice: {tag: must_pass}     # optional: one of category, severity, source, tag
//	    agent: triage-llm           # optional: only this agent (default every gated agent)
//	    min: 0.9                    # absolute limits: min, max or both
//	    max: 0.01
//	    bound: upper                # point (default), lower or upper: what min/max judge
//	    max_drop: 0.02              # or a regression limit against the baseline run
//	    alpha: 0.05                 # significance of the paired test (default 0.05)
//	    min_cases: 30               # inconclusive below this many cases
//	    soft: true                  # a crossing warns instead of failing
//
// A rule sets min and/or max, or max_drop, never both kinds. bound and
// alpha belong to absolute and regression rules respectively. Limits of
// proportions lie in [0, 1].
//
// # Absolute rules
//
// A rule on a metric with no data (no run incident in its slice, an empty
// denominator, an agent absent from the run) is inconclusive, never pass.
// Fewer cases than min_cases make it inconclusive too.
//
// With bound: point the point estimate is compared with the limit. With
// the conservative bound (upper under max, lower under min) the point
// estimate must meet the limit and so must the bound. When only the bound
// misses, the rule fails if the sample was large enough for a perfect
// result to pass, because the events observed are then the reason, and
// is inconclusive otherwise, with the number of cases a perfect result
// would need. For proportions that number comes from the Wilson interval:
// certifying a rate ≤ p with no event needs n ≥ z²(1−p)/p, so 381 cases
// for 1% at 95%. Proportion intervals are recomputed from their counts at
// the policy's confidence; other metrics keep their stored bootstrap
// interval, and the number of cases is an estimate that assumes the
// interval narrows as 1/√n. With the lenient bound (lower under max, upper
// under min) the rule fails only when the bound misses and warns when
// only the point estimate does.
//
// # Regression rules
//
// A max_drop rule compares the candidate with the baseline on the same
// incidents (McNemar's exact test for correctness metrics, a paired
// bootstrap otherwise, both from metrics.Compare). The drop is measured
// in the metric's harmful direction (metrics.Definition.HigherIsBetter).
// The rule fails when the drop exceeds max_drop and the test's p-value,
// Holm-adjusted across every regression test of the evaluation, is at
// most alpha; it warns when the drop exceeds max_drop without
// significance, and passes otherwise. The p-value is two-sided, so with
// nothing changed a rule fails in at most about alpha/2 of runs. Without
// a baseline a regression rule is inconclusive.
//
// # Outcome
//
// The overall status is invalid when the run cannot be judged (see
// Policy.CheckRun), else fail when a rule fails, else inconclusive, warn
// or pass after the worst rule. A soft rule never fails: its failures
// become warnings. Outcome.ExitCode maps invalid to 3, fail to 1 and
// everything else to 0; with inconclusive: fail, an inconclusive rule
// that is not soft fails the gate.
package gates
