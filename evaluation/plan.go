// Package evaluation runs a suite end to end: it prepares and checks every
// input before the first agent call, runs the harness into a run folder,
// then scores, gates and reports the stored run. Each stage reads the
// files of the stage before it, so scoring, gating and reporting can be
// re-run alone on a stored run.
package evaluation

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/harness"
	"github.com/soceval/soceval/runstore"
	"github.com/soceval/soceval/suite"
)

// InputError marks a problem with the user's input (suite, dataset,
// policy, predictions, prompts). The CLI exits 2 on it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{err}
}

// Plan is a suite with every input loaded and checked: ready to run.
type Plan struct {
	Suite     *suite.Suite
	Dataset   *datasets.Dataset
	Incidents []datasets.Incident
	Policy    *gates.Policy
	Agents    []harness.Agent
	Harness   harness.Policy
	Shard     *runstore.Shard
	// Predictions is the predictions file that replaced the suite's
	// agents, if any, and OnlyPredicted whether the run is limited to the
	// incidents it covers.
	Predictions   string
	OnlyPredicted bool
	// Env reads environment variables such as OPENAI_API_KEY.
	Env func(string) string

	log     *slog.Logger
	closers []io.Closer
}

// Options adjust how a suite is prepared.
type Options struct {
	// Dataset overrides the suite's dataset.
	Dataset string
	// Predictions replaces the suite's agents with the recorded verdicts
	// of this file, to score an agent that ran elsewhere.
	Predictions string
	// Policy overrides the suite's gate policy.
	Policy string
	// OnlyPredicted scores only the incidents the predictions file has a
	// verdict for. Without it, a file that leaves incidents out is
	// rejected, since their rows would count as failures.
	OnlyPredicted bool
	// Repeats overrides the suite's repeats when above zero.
	Repeats int
	// Concurrency overrides the suite's concurrency when above zero.
	Concurrency int
	// Shard restricts the run to one deterministic part of the incidents.
	Shard *runstore.Shard
	Env   func(string) string
	Log   *slog.Logger
}

// Prepare loads and checks everything a run needs: the dataset, the gate
// policy, the agents and their prompts, rule sets and recordings. Nothing
// is called until every check has passed.
func Prepare(s *suite.Suite, opts Options) (*Plan, error) {
	if opts.Env == nil {
		opts.Env = os.Getenv
	}
	// Paths given on the command line are relative to the working
	// folder, not to the suite file, so they are made absolute here.
	if opts.Dataset != "" {
		s.Dataset = absPath(opts.Dataset)
	}
	if opts.Repeats > 0 {
		s.Repeats = opts.Repeats
	}
	if opts.Concurrency > 0 {
		s.Concurrency = opts.Concurrency
	}
	if opts.Policy != "" {
		s.Policy = absPath(opts.Policy)
	}

	policy, err := LoadPolicy(policyPath(s))
	if err != nil {
		return nil, inputErr(err)
	}
	ds, err := LoadDataset(s.Resolve(s.Dataset))
	if err != nil {
		return nil, inputErr(err)
	}

	p := &Plan{
		Suite:   s,
		Dataset: ds,
		Policy:  policy,
		Shard:   opts.Shard,
		Env:     opts.Env,
		log:     opts.Log,
		Harness: harness.Policy{CloseThreshold: harness.DefaultCloseThreshold, RequireConfidence: s.RequireConfidence},
	}
	if s.CloseThreshold != nil {
		p.Harness.CloseThreshold = *s.CloseThreshold
	}
	p.Incidents = ds.Incidents
	if opts.Shard != nil {
		p.Incidents = ShardOf(ds.Incidents, *opts.Shard)
	}

	if opts.Predictions != "" {
		p.Predictions = absPath(opts.Predictions)
		p.OnlyPredicted = opts.OnlyPredicted
		if err := p.usePredictions(p.Predictions, opts.OnlyPredicted); err != nil {
			return nil, inputErr(err)
		}
		return p, nil
	}
	if err := p.buildAgents(); err != nil {
		p.Close()
		return nil, inputErr(err)
	}
	if err := p.checkPolicyAgents(); err != nil {
		p.Close()
		return nil, inputErr(err)
	}
	return p, nil
}

// absPath returns path made absolute, leaving "bundled:" references and
// the word "default" alone.
func absPath(path string) string {
	if path == "default" || strings.HasPrefix(path, "bundled:") {
		return path
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// policyPath returns the suite's policy resolved against the suite's
// folder, or "default" for the shipped policy.
func policyPath(s *suite.Suite) string {
	if s.Policy == "" || s.Policy == "default" {
		return "default"
	}
	return absPath(s.Resolve(s.Policy))
}

// LoadPolicy loads a gate policy file, or the shipped default policy when
// path is "default".
func LoadPolicy(path string) (*gates.Policy, error) {
	if path == "" || path == "default" {
		return gates.Default(), nil
	}
	return gates.Load(path)
}

// LoadDataset loads a dataset file, or a bundled set for "bundled:NAME".
func LoadDataset(ref string) (*datasets.Dataset, error) {
	if name, ok := strings.CutPrefix(ref, "bundled:"); ok {
		return datasets.Bundled(name)
	}
	return datasets.Load(ref)
}

// usePredictions replaces the suite's agents with one recorded agent per
// agent named in the predictions file.
func (p *Plan) usePredictions(path string, onlyPredicted bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening predictions: %w", err)
	}
	defer f.Close()

	byAgent, order, err := harness.ReadPredictions(f, path, "predictions")
	if err != nil {
		return err
	}
	if err := checkPredictionIDs(path, byAgent, p.Dataset.Incidents); err != nil {
		return err
	}
	if onlyPredicted {
		p.Incidents = predicted(p.Incidents, byAgent)
	} else if err := checkCoverage(path, byAgent, order, p.Incidents); err != nil {
		return err
	}
	if bad := harness.Nonconforming(path, byAgent); len(bad) > 0 && p.log != nil {
		p.log.Warn("predictions that do not conform are scored as format failures", "count", len(bad), "first", strings.Join(bad[:min(len(bad), 5)], "; "))
	}

	p.Suite.Agents = nil
	p.Suite.GateAgents = nil
	for _, name := range order {
		p.Agents = append(p.Agents, harness.NewRecordedAgent(name, path, byAgent[name]))
		p.Suite.Agents = append(p.Suite.Agents, suite.Agent{Name: name, Kind: suite.KindRecorded, Predictions: path})
	}
	return nil
}

// checkPredictionIDs rejects predictions for incidents the dataset does
// not hold, which usually means the wrong dataset or a changed id scheme.
func checkPredictionIDs(path string, byAgent map[string]map[string]harness.Prediction, incidents []datasets.Incident) error {
	if allPredictionsKnown(byAgent, incidents) {
		return nil
	}

	known := make(map[string]bool, len(incidents))
	for i := range incidents {
		known[incidents[i].ID] = true
	}
	var unknown []string
	for _, preds := range byAgent {
		for id := range preds {
			if !known[id] {
				unknown = append(unknown, id)
			}
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	shown := unknown[:min(len(unknown), 5)]
	return fmt.Errorf("%s: %d predictions name incidents that are not in the dataset (for example %s); check that --dataset is the set the predictions were made on",
		path, len(unknown), strings.Join(shown, ", "))
}

// allPredictionsKnown reports whether every prediction names one of the
// incidents. The loaders reject duplicate incident ids, so that holds when
// as many incidents have a prediction of an agent as the agent has
// predictions. Counting looks ids up in the agents' own maps instead of
// building a set of a possibly million dataset ids.
func allPredictionsKnown(byAgent map[string]map[string]harness.Prediction, incidents []datasets.Incident) bool {
	for _, preds := range byAgent {
		if len(preds) > len(incidents) {
			return false
		}
		found := 0
		for i := range incidents {
			if _, ok := preds[incidents[i].ID]; ok {
				found++
			}
		}
		if found != len(preds) {
			return false
		}
	}
	return true
}

// openBundledPredictions opens a bundled predictions file by name.
func openBundledPredictions(name string) (fs.File, error) {
	f, err := datasets.BundledPredictions.Open(name + ".jsonl")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bundled predictions %q not found; bundled: %s", name, strings.Join(datasets.BundledPredictionNames(), ", "))
	}
	return f, err
}

// checkPolicyAgents rejects a policy whose rules name agents the suite
// does not run, before any agent is called.
func (p *Plan) checkPolicyAgents() error {
	names := make([]string, len(p.Agents))
	for i, a := range p.Agents {
		names[i] = a.Name()
	}
	var unknown []string
	for _, r := range p.Policy.Rules {
		if r.Agent != "" && !slices.Contains(names, r.Agent) && !slices.Contains(unknown, r.Agent) {
			unknown = append(unknown, r.Agent)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("policy %s names agents the suite does not run: %s; the suite's agents are %s",
		p.Policy.Source, strings.Join(unknown, ", "), strings.Join(names, ", "))
}

// checkCoverage rejects a predictions file that leaves incidents of the
// run without a verdict, because their rows would be scored as failures
// and the run would look broken. The error explains how to score the
// subset instead.
func checkCoverage(path string, byAgent map[string]map[string]harness.Prediction, order []string, incidents []datasets.Incident) error {
	for _, agent := range order {
		var missing []string
		for i := range incidents {
			if _, ok := byAgent[agent][incidents[i].ID]; !ok {
				missing = append(missing, incidents[i].ID)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s has no verdict of agent %q for %d of the %d incidents (for example %s); "+
				"add the missing verdicts, or pass --only-predicted to score just the incidents that have one",
				path, agent, len(missing), len(incidents), strings.Join(missing[:min(len(missing), 5)], ", "))
		}
	}
	return nil
}

// predicted returns the incidents that at least one agent has a verdict
// for, in dataset order.
func predicted(incidents []datasets.Incident, byAgent map[string]map[string]harness.Prediction) []datasets.Incident {
	var out []datasets.Incident
	for i := range incidents {
		for _, preds := range byAgent {
			if _, ok := preds[incidents[i].ID]; ok {
				out = append(out, incidents[i])
				break
			}
		}
	}
	return out
}
