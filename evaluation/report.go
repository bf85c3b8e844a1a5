package evaluation

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/soceval/soceval/gates"
	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/reports"
	"github.com/soceval/soceval/runstore"
)

// Report renders the HTML report of the stored run spec to path, without
// re-running its gate: the gate outcome comes from the run's gates.json
// when there is one. spec is RUN or RUN#AGENT, and so is opts.Baseline,
// so two agents of one run can be reported against each other.
func Report(spec, path string, opts FinishOptions) error {
	dir, agent, _ := strings.Cut(spec, "#")
	m, err := runstore.ReadManifest(dir)
	if err != nil {
		return inputErr(err)
	}
	rows, err := runstore.ReadResults(dir)
	if err != nil {
		return inputErr(err)
	}

	f := &Finished{Dir: dir, Manifest: m, Rows: rows, agent: agent}
	f.Summary = metrics.Compute(rows, scoringOptions(m))
	f.Summary.RunID = m.RunID

	var outcome gates.Outcome
	err = runstore.ReadJSON(filepath.Join(dir, runstore.GatesFile), &outcome)
	switch {
	case err == nil:
		f.Outcome = &outcome
	case !errors.Is(err, fs.ErrNotExist):
		return inputErr(err)
	}

	baseline, err := loadBaseline(opts.Baseline, m, opts.Force)
	if err != nil {
		return err
	}
	f.Data = f.reportData(baseline, opts)

	var buf bytes.Buffer
	if err := reports.WriteHTML(&buf, f.Data); err != nil {
		return err
	}
	return runstore.WriteFileAtomic(path, buf.Bytes())
}
