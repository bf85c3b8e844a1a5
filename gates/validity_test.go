package gates

import (
	"strings"
	"testing"

	"github.com/soceval/soceval/runstore"
)

func validityRows(ids ...string) []runstore.Result {
	var rows []runstore.Result
	for _, id := range ids {
		rows = append(rows, runstore.Result{IncidentID: id, Agent: "triage", Grade: "true_positive", Disposition: runstore.Escalated})
	}
	return rows
}

func TestCheckRun(t *testing.T) {
	p := Default()
	rows := validityRows("a", "b", "c", "d")
	hash, _ := runstore.RowsIncidentsHash(rows)
	complete := func() *runstore.Manifest {
		return &runstore.Manifest{RunID: "r1", Status: runstore.StatusComplete, ExpectedRows: 4, Incidents: 4, IncidentsSHA256: hash}
	}

	tests := []struct {
		name  string
		edit  func(m *runstore.Manifest, rows []runstore.Result) []runstore.Result
		count int
		wants []string
	}{
		{"valid run", func(m *runstore.Manifest, rows []runstore.Result) []runstore.Result { return rows }, 0, nil},
		{"incomplete", func(m *runstore.Manifest, rows []runstore.Result) []runstore.Result {
			m.Status = runstore.StatusIncomplete
			return rows[:3]
		}, 3, []string{`not complete (manifest status "incomplete")`, "has 3 result rows, but its manifest expects 4", "3 distinct incidents, but its manifest lists 4"}},
		{"duplicate row", func(m *runstore.Manifest, rows []runstore.Result) []runstore.Result {
			m.ExpectedRows = 5
			return append(rows, rows[0])
		}, 1, []string{"1 result rows are duplicated (incident/agent/repeat a/triage/0)"}},
		{"other incidents", func(m *runstore.Manifest, rows []runstore.Result) []runstore.Result {
			return validityRows("a", "b", "c", "x")
		}, 1, []string{"the incidents in the results are not the ones its manifest lists"}},
		{"over error budget", func(m *runstore.Manifest, rows []runstore.Result) []runstore.Result {
			rows[1].Error = "timed out"
			return rows
		}, 1, []string{"1 of 4 rows (25.0%) got no verdict, over the policy's error budget of 5%; the first error: timed out", "error budget of 5%"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := complete()
			got := p.CheckRun(m, tc.edit(m, validityRows("a", "b", "c", "d")))
			if len(got) != tc.count {
				t.Errorf("got %d problems %q, want %d", len(got), got, tc.count)
			}
			joined := strings.Join(got, "\n")
			for _, want := range tc.wants {
				if !strings.Contains(joined, want) {
					t.Errorf("problems %q lack %q", got, want)
				}
			}
		})
	}
}

func TestCheckRunFormatFailuresNotErrors(t *testing.T) {
	rows := validityRows("a", "b")
	rows[0].FormatError = "reply is not JSON"
	rows[0].Disposition = runstore.Errored
	m := &runstore.Manifest{RunID: "r", Status: runstore.StatusComplete, ExpectedRows: 2, Incidents: 2}
	if got := Default().CheckRun(m, rows); len(got) != 0 {
		t.Errorf("a format failure made the run invalid: %q", got)
	}
}
