package evaluation

import (
	"cmp"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/soceval/soceval/metrics"
	"github.com/soceval/soceval/reports"
	"github.com/soceval/soceval/runstore"
)

// loadHistory reads the metrics of every run folder directly under dir,
// oldest first, for the report's trend chart. Each point takes the metrics
// of agent, or of the run's only agent, and is labelled with the run's
// start time. The current run and folders that are not scored runs are
// skipped.
func loadHistory(dir, agent, current string, log *slog.Logger) []reports.HistoryPoint {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if log != nil {
			log.Warn("run history unreadable", "dir", dir, "error", err)
		}
		return nil
	}

	var points []reports.HistoryPoint
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		run := filepath.Join(dir, e.Name())
		m, err := runstore.ReadManifest(run)
		if err != nil || m.RunID == current {
			continue
		}
		var s metrics.Summary
		if err := runstore.ReadJSON(filepath.Join(run, runstore.MetricsFile), &s); err != nil {
			continue
		}
		am := s.Agent(agent)
		if am == nil && len(s.Agents) == 1 {
			am = &s.Agents[0]
		}
		if am == nil {
			continue
		}
		version := m.StartedAt.UTC().Format("Jan 2 15:04")
		if am.Agent != agent {
			version = am.Agent + " " + version
		}
		points = append(points, reports.HistoryPoint{RunID: m.RunID, Version: version, Time: m.StartedAt, Metrics: am.Metrics})
	}
	slices.SortFunc(points, func(a, b reports.HistoryPoint) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.RunID, b.RunID))
	})
	return points
}
