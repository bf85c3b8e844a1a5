package runstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/soceval/soceval/internal/atomicfile"
)

// Names of the files in a run folder. They are public interface: scripts
// and CI jobs read them by name.
const (
	ManifestFile = "manifest.json"
	// ResultsLogFile receives rows as they complete while a run is in
	// progress. It is replaced by ResultsFile when the run finishes.
	ResultsLogFile = "results.jsonl"
	ResultsFile    = "results.parquet"
	MetricsFile    = "metrics.json"
	GatesFile      = "gates.json"
	ReportFile     = "report.html"
	JUnitFile      = "junit.xml"
	SummaryFile    = "summary.md"
)

// SchemaVersion is the version of the run folder format this package
// writes.
const SchemaVersion = 1

// ReadManifest reads dir's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a run folder: %s is missing", dir, ManifestFile)
	}
	if err != nil {
		return nil, err
	}

	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
	if m.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("%s: schema version %d is newer than this soceval supports (%d); upgrade soceval",
			path, m.SchemaVersion, SchemaVersion)
	}
	return &m, nil
}

// WriteManifest writes m to dir atomically.
func WriteManifest(dir string, m *Manifest) error {
	if m.SchemaVersion == 0 {
		m.SchemaVersion = SchemaVersion
	}
	return WriteJSON(filepath.Join(dir, ManifestFile), m)
}

// WriteJSON writes v as indented JSON to path atomically.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Base(path), err)
	}
	return WriteFileAtomic(path, append(data, '\n'))
}

// ReadJSON decodes the JSON file at path into v.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
	return nil
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it
// and renames it over path, so readers never see a partial file.
func WriteFileAtomic(path string, data []byte) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
}
