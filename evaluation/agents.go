package evaluation

import (
	"fmt"
	"os"
	"strings"

	"github.com/soceval/soceval/harness"
	"github.com/soceval/soceval/suite"
)

// buildAgents constructs the suite's agents in order, so that pipelines
// can use the agents defined above them as layers.
func (p *Plan) buildAgents() error {
	built := map[string]harness.Agent{}
	for i := range p.Suite.Agents {
		spec := &p.Suite.Agents[i]
		a, err := p.buildAgent(spec, built)
		if err != nil {
			return fmt.Errorf("agent %q: %w", spec.Name, err)
		}
		built[spec.Name] = a
		p.Agents = append(p.Agents, a)
	}
	return nil
}

func (p *Plan) buildAgent(spec *suite.Agent, built map[string]harness.Agent) (harness.Agent, error) {
	switch spec.Kind {
	case suite.KindRules:
		rs, err := harness.LoadRuleSet(p.Suite.Resolve(spec.Rules))
		if err != nil {
			return nil, err
		}
		rs.Name = spec.Name
		return harness.NewRuleAgent(rs), nil

	case suite.KindRecorded:
		return p.recordedAgent(spec)

	case suite.KindLLM:
		return p.llmAgent(spec)

	case suite.KindPipeline:
		var layers []harness.Agent
		for _, name := range spec.Layers {
			layers = append(layers, built[name])
		}
		return harness.NewPipeline(spec.Name, p.Harness, layers...), nil
	}
	return nil, fmt.Errorf("unknown agent kind %q", spec.Kind)
}

// recordedAgent loads a predictions file. A file holding several agents
// needs the suite's agent field to pick one.
func (p *Plan) recordedAgent(spec *suite.Agent) (harness.Agent, error) {
	ref := p.Suite.Resolve(spec.Predictions)
	var byAgent map[string]map[string]harness.Prediction
	var order []string
	var err error

	if name, ok := strings.CutPrefix(ref, "bundled:"); ok {
		f, openErr := openBundledPredictions(name)
		if openErr != nil {
			return nil, openErr
		}
		byAgent, order, err = harness.ReadPredictions(f, ref, spec.Name)
		f.Close()
	} else {
		byAgent, order, err = readPredictionsFile(ref, spec.Name)
	}
	if err != nil {
		return nil, err
	}

	pick := spec.Agent
	switch {
	case pick == "" && len(order) == 1:
		pick = order[0]
	case pick == "":
		return nil, fmt.Errorf("%s contains verdicts of %d agents (%s); set agent: in the suite to pick one", ref, len(order), strings.Join(order, ", "))
	case byAgent[pick] == nil:
		return nil, fmt.Errorf("%s contains no verdicts of agent %q; it contains %s", ref, pick, strings.Join(order, ", "))
	}
	if err := checkPredictionIDs(ref, map[string]map[string]harness.Prediction{pick: byAgent[pick]}, p.Dataset.Incidents); err != nil {
		return nil, err
	}
	return harness.NewRecordedAgent(spec.Name, ref, byAgent[pick]), nil
}

func readPredictionsFile(path, defaultAgent string) (map[string]map[string]harness.Prediction, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening predictions: %w", err)
	}
	defer f.Close()
	return harness.ReadPredictions(f, path, defaultAgent)
}
