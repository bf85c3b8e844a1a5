package evaluation

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/harness"
	"github.com/soceval/soceval/runstore"
)

func TestRowOrderSortsSmallRun(t *testing.T) {
	p := &Plan{
		Incidents: []datasets.Incident{{ID: "z"}, {ID: "a"}, {ID: "m"}},
		Agents:    []harness.Agent{harness.NewRecordedAgent("second", "", nil), harness.NewRecordedAgent("first", "", nil)},
	}
	row := func(id, agent string, repeat int) runstore.Result {
		return runstore.Result{IncidentID: id, Agent: agent, Repeat: repeat}
	}
	rows := []runstore.Result{
		row("m", "first", 0), row("gone", "first", 0), row("a", "second", 1), row("z", "first", 0),
		row("a", "second", 0), row("z", "other", 0), row("z", "second", 0), row("a", "first", 0),
	}
	// Dataset order z, a, m; agent order second, first; unknown incidents
	// and agents last.
	want := []runstore.Result{
		row("z", "second", 0), row("z", "first", 0), row("z", "other", 0),
		row("a", "second", 0), row("a", "second", 1), row("a", "first", 0),
		row("m", "first", 0), row("gone", "first", 0),
	}

	p.rowOrder().sort(rows)
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("sorted rows =\n%v\nwant\n%v", rows, want)
	}
}

func TestRowOrderMatchesStableSort(t *testing.T) {
	const incidents, agents, repeats = 3000, 3, 2
	p := &Plan{}
	for i := range incidents {
		p.Incidents = append(p.Incidents, datasets.Incident{ID: fmt.Sprintf("inc-%05d", (i*7919)%incidents)})
	}
	for a := range agents {
		p.Agents = append(p.Agents, harness.NewRecordedAgent(fmt.Sprintf("agent-%d", agents-a), "", nil))
	}
	var rows []runstore.Result
	for i := range p.Incidents {
		for _, a := range p.Agents {
			for r := range repeats {
				rows = append(rows, runstore.Result{IncidentID: p.Incidents[i].ID, Agent: a.Name(), Repeat: r, LatencyMS: float64(len(rows))})
			}
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })

	// The reference sorts with maps from id and name to position.
	want := slices.Clone(rows)
	incidentAt := map[string]int{}
	for i := range p.Incidents {
		incidentAt[p.Incidents[i].ID] = i
	}
	agentAt := map[string]int{}
	for i, a := range p.Agents {
		agentAt[a.Name()] = i
	}
	slices.SortStableFunc(want, func(a, b runstore.Result) int {
		return cmp.Or(cmp.Compare(incidentAt[a.IncidentID], incidentAt[b.IncidentID]),
			cmp.Compare(agentAt[a.Agent], agentAt[b.Agent]), cmp.Compare(a.Repeat, b.Repeat))
	})

	p.rowOrder().sort(rows)
	if !reflect.DeepEqual(rows, want) {
		for i := range rows {
			if !reflect.DeepEqual(rows[i], want[i]) {
				t.Fatalf("row %d = %s/%s/%d, want %s/%s/%d", i, rows[i].IncidentID, rows[i].Agent, rows[i].Repeat,
					want[i].IncidentID, want[i].Agent, want[i].Repeat)
			}
		}
	}
}

func TestIDIndexPositions(t *testing.T) {
	x := newIDIndex([]string{"b", "a", "", "c", "d"})
	tests := []struct {
		id   string
		want int
		ok   bool
	}{
		{"b", 0, true}, {"a", 1, true}, {"", 2, true}, {"c", 3, true}, {"d", 4, true}, {"e", 0, false}, {"ab", 0, false},
	}
	for _, tt := range tests {
		got, ok := x.position(tt.id)
		if got != tt.want || ok != tt.ok {
			t.Errorf("position(%q) = %d, %v, want %d, %v", tt.id, got, ok, tt.want, tt.ok)
		}
		for _, hint := range []int{-1, 0, 2, 3, 4} {
			got, ok := x.positionNear(tt.id, hint)
			if got != tt.want || ok != tt.ok {
				t.Errorf("positionNear(%q, %d) = %d, %v, want %d, %v", tt.id, hint, got, ok, tt.want, tt.ok)
			}
		}
	}
}

func TestReleaseDropsIncidentsAndAgents(t *testing.T) {
	ds := &datasets.Dataset{Incidents: []datasets.Incident{{ID: "a"}}, SHA256: "abc"}
	p := &Plan{Dataset: ds, Incidents: ds.Incidents, Agents: []harness.Agent{harness.NewRecordedAgent("x", "", nil)}}
	p.release()
	if p.Incidents != nil || p.Dataset.Incidents != nil || p.Agents != nil {
		t.Errorf("after release: %d incidents, %d dataset incidents, %d agents; want none", len(p.Incidents), len(p.Dataset.Incidents), len(p.Agents))
	}
	if p.Dataset.SHA256 != "abc" {
		t.Errorf("release cleared the dataset hash %q, which a resumed run checks", p.Dataset.SHA256)
	}
}
