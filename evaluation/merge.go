package evaluation

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/soceval/soceval/runstore"
)

// Merge joins the shard run folders in shards into one new run folder
// under outDir and returns it. It refuses shards of different suites,
// datasets, agents or shard counts, a shard given twice, and a missing
// shard, so a merged run is always the whole run.
func Merge(shards []string, outDir string, now time.Time) (string, error) {
	if len(shards) == 0 {
		return "", inputErr(errors.New("no shard folders given"))
	}
	manifests := make([]*runstore.Manifest, len(shards))
	for i, dir := range shards {
		m, err := runstore.ReadManifest(dir)
		if err != nil {
			return "", inputErr(err)
		}
		manifests[i] = m
	}
	if err := checkShards(shards, manifests); err != nil {
		return "", inputErr(err)
	}

	var rows []runstore.Result
	for _, dir := range shards {
		r, err := runstore.ReadResults(dir)
		if err != nil {
			return "", inputErr(err)
		}
		rows = append(rows, r...)
	}

	merged := mergedManifest(manifests, rows)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	dir := filepath.Join(outDir, merged.RunID)
	if err := os.Mkdir(dir, 0o755); errors.Is(err, os.ErrExist) {
		return "", inputErr(fmt.Errorf("merged run folder %s already exists: these shards were merged before; remove it or pass another --out", dir))
	} else if err != nil {
		return "", fmt.Errorf("creating merged run folder: %w", err)
	}
	finished := now.UTC()
	merged.FinishedAt = &finished

	if suiteCopy, err := os.ReadFile(filepath.Join(shards[0], SuiteFile)); err == nil {
		if err := runstore.WriteFileAtomic(filepath.Join(dir, SuiteFile), suiteCopy); err != nil {
			return dir, err
		}
	}
	sortByDataset(rows, merged)
	if err := runstore.WriteResults(filepath.Join(dir, runstore.ResultsFile), rows); err != nil {
		return dir, err
	}
	return dir, runstore.WriteManifest(dir, merged)
}

// checkShards verifies that the manifests are the shards of one run.
func checkShards(dirs []string, ms []*runstore.Manifest) error {
	first := ms[0]
	if first.Shard == nil {
		return fmt.Errorf("%s is not a shard (its manifest has no shard); merge folders made with soceval run --shard", dirs[0])
	}

	var problems []error
	seen := map[int]string{}
	for i, m := range ms {
		switch {
		case m.Shard == nil:
			problems = append(problems, fmt.Errorf("%s is not a shard", dirs[i]))
			continue
		case m.SuiteSHA256 != first.SuiteSHA256:
			problems = append(problems, fmt.Errorf("%s ran another suite (sha256 %s) than %s (%s)", dirs[i], short(m.SuiteSHA256), dirs[0], short(first.SuiteSHA256)))
		case m.Dataset.SHA256 != first.Dataset.SHA256:
			problems = append(problems, fmt.Errorf("%s ran another dataset (sha256 %s) than %s (%s)", dirs[i], short(m.Dataset.SHA256), dirs[0], short(first.Dataset.SHA256)))
		case !slices.Equal(agentNames(m), agentNames(first)) || m.Repeats != first.Repeats || m.Predictions != first.Predictions:
			problems = append(problems, fmt.Errorf("%s ran other agents or repeats than %s", dirs[i], dirs[0]))
		case m.Shard.Count != first.Shard.Count:
			problems = append(problems, fmt.Errorf("%s is shard %d/%d but %s is of %d shards", dirs[i], m.Shard.Index, m.Shard.Count, dirs[0], first.Shard.Count))
		}
		if other, dup := seen[m.Shard.Index]; dup {
			problems = append(problems, fmt.Errorf("shard %d is given twice: %s and %s", m.Shard.Index, other, dirs[i]))
		}
		seen[m.Shard.Index] = dirs[i]
	}
	var missing []string
	for i := range first.Shard.Count {
		if _, ok := seen[i]; !ok {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		noun := "shard " + missing[0] + " is"
		if len(missing) > 1 {
			noun = "shards " + strings.Join(missing, ", ") + " are"
		}
		problems = append(problems, fmt.Errorf("%s missing of %d; merge needs every shard", noun, first.Shard.Count))
	}
	return errors.Join(problems...)
}

func agentNames(m *runstore.Manifest) []string {
	var names []string
	for _, a := range m.Agents {
		names = append(names, a.Name)
	}
	return names
}

// mergedManifest describes the whole run the shards make up.
func mergedManifest(ms []*runstore.Manifest, rows []runstore.Result) *runstore.Manifest {
	merged := *ms[0]
	merged.Shard = nil
	merged.RunID = strings.Replace(ms[0].RunID, fmt.Sprintf("-shard%dof%d", ms[0].Shard.Index, ms[0].Shard.Count), "", 1) + "-merged"
	merged.Status = runstore.StatusComplete
	merged.ExpectedRows, merged.Incidents = 0, 0
	for _, m := range ms {
		merged.ExpectedRows += m.ExpectedRows
		merged.Incidents += m.Incidents
		if m.StartedAt.Before(merged.StartedAt) {
			merged.StartedAt = m.StartedAt
		}
		if m.Status != runstore.StatusComplete {
			merged.Status = runstore.StatusIncomplete
		}
	}
	merged.IncidentsSHA256, _ = runstore.RowsIncidentsHash(rows)
	return &merged
}

// sortByDataset orders rows as an unsharded run stores them: by dataset
// order when the dataset is available, else by incident id; then by agent
// order and repeat.
func sortByDataset(rows []runstore.Result, m *runstore.Manifest) {
	order := map[string]int{}
	if ds, err := LoadDataset(m.Dataset.Path); err == nil && ds.SHA256 == m.Dataset.SHA256 {
		for i := range ds.Incidents {
			order[ds.Incidents[i].ID] = i
		}
	}
	agents := map[string]int{}
	for i, a := range m.Agents {
		agents[a.Name] = i
	}
	slices.SortStableFunc(rows, func(a, b runstore.Result) int {
		return cmp.Or(
			cmp.Compare(order[a.IncidentID], order[b.IncidentID]),
			cmp.Compare(a.IncidentID, b.IncidentID),
			cmp.Compare(agents[a.Agent], agents[b.Agent]),
			cmp.Compare(a.Repeat, b.Repeat))
	})
}
