package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Dataset is a loaded, validated incident set.
type Dataset struct {
	// Name is the file name without its extension, or the bundled name.
	Name string
	// Path is the file the set was loaded from; "bundled:NAME" for
	// bundled sets.
	Path string
	// SHA256 is the hex SHA-256 of the canonical JSONL encoding of
	// Incidents (see WriteJSONL), so the same incidents hash the same
	// whether they were loaded from JSONL, CSV or Parquet.
	SHA256    string
	Incidents []Incident
}

// Formats Load recognises, by file extension.
const (
	FormatJSONL   = "jsonl"
	FormatJSON    = "json"
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// FormatOf returns the dataset format of path from its extension, or an
// error naming the supported ones.
func FormatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".json":
		return FormatJSON, nil
	case ".csv":
		return FormatCSV, nil
	case ".parquet":
		return FormatParquet, nil
	}
	return "", fmt.Errorf("%s: unknown dataset format %q; use .jsonl, .ndjson, .json, .csv or .parquet", path, filepath.Ext(path))
}

// Load reads and validates the incident set at path, choosing the format by
// extension. A file with bad records returns a *ValidationError listing
// every problem; I/O failures return other errors.
func Load(path string) (*Dataset, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}

	ps := &problems{file: path}
	var (
		incidents []Incident
		pos       []position
	)
	switch format {
	case FormatParquet:
		incidents, pos, err = readParquetFile(path, ps)
		if len(ps.list) > 0 {
			// The schema problems of a file that is not an incident
			// file would all be wrong rename advice, so one problem
			// names what the file is instead.
			if msg := foreignParquet(path); msg != "" {
				ps.list = []Problem{{File: path, Message: msg}}
			}
		}
	default:
		incidents, pos, err = readTextFile(path, format, ps)
	}
	if err != nil {
		return nil, err
	}
	return finish(path, datasetName(path), incidents, pos, ps)
}

// Read reads and validates a JSONL, JSON or CSV incident set from r; name
// labels the set and its problems.
func Read(r io.Reader, name, format string) (*Dataset, error) {
	ps := &problems{file: name}
	incidents, pos, err := readText(r, format, ps)
	if err != nil {
		return nil, err
	}
	return finish(name, datasetName(name), incidents, pos, ps)
}

func readTextFile(path, format string, ps *problems) ([]Incident, []position, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open dataset: %w", err)
	}
	defer f.Close()
	return readText(f, format, ps)
}

func readText(r io.Reader, format string, ps *problems) ([]Incident, []position, error) {
	switch format {
	case FormatJSONL:
		return readJSONL(r, ps)
	case FormatCSV:
		return readCSV(r, ps)
	case FormatJSON:
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", ps.file, err)
		}
		return readJSONArray(data, ps)
	}
	return nil, nil, fmt.Errorf("%s: format %q cannot be read from a stream", ps.file, format)
}

// finish validates the decoded incidents and hashes them.
func finish(path, name string, incidents []Incident, pos []position, ps *problems) (*Dataset, error) {
	if len(incidents) == 0 && len(ps.list) == 0 {
		ps.add(0, 0, "", "no incidents; the file is empty")
	}
	validate(ps, incidents, pos)
	if err := ps.err(); err != nil {
		return nil, err
	}

	sum, err := Hash(incidents)
	if err != nil {
		return nil, err
	}
	return &Dataset{Name: name, Path: path, SHA256: sum, Incidents: incidents}, nil
}

// hashChunk is how many incidents one goroutine encodes at a time while
// hashing.
const hashChunk = 2048

// Hash returns the hex SHA-256 of the canonical JSONL encoding of incidents.
// Chunks of incidents are encoded by GOMAXPROCS goroutines and hashed in
// order, since encoding, not hashing, bounds the speed.
func Hash(incidents []Incident) (string, error) {
	h := sha256.New()
	pending := make(chan chan encodedChunk, runtime.GOMAXPROCS(0))
	go func() {
		defer close(pending)
		for start := 0; start < len(incidents); start += hashChunk {
			chunk := incidents[start:min(start+hashChunk, len(incidents))]
			ch := make(chan encodedChunk, 1)
			pending <- ch
			go func() { ch <- encodeChunk(chunk) }()
		}
	}()

	var firstErr error
	for ch := range pending {
		c := <-ch
		if firstErr == nil && c.err != nil {
			firstErr = c.err
		}
		if firstErr == nil {
			h.Write(c.buf.Bytes())
		}
		chunkPool.Put(c.buf)
	}
	if firstErr != nil {
		return "", fmt.Errorf("hash dataset: %w", firstErr)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type encodedChunk struct {
	buf *bytes.Buffer
	err error
}

// chunkPool recycles the buffers chunks are encoded into.
var chunkPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func encodeChunk(incidents []Incident) encodedChunk {
	buf := chunkPool.Get().(*bytes.Buffer)
	buf.Reset()
	return encodedChunk{buf: buf, err: WriteJSONL(buf, incidents)}
}

func datasetName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// normalize puts a decoded incident in canonical form: times in UTC and
// empty lists instead of nil ones, so that every format decodes to the same
// value.
func normalize(in *Incident) {
	in.CreatedAt = utc(in.CreatedAt)
	in.Alerts = nonNil(in.Alerts)
	in.Evidence = nonNil(in.Evidence)
	in.Enrichments = nonNil(in.Enrichments)
	in.Tags = nonNil(in.Tags)
	in.Label.Actions = nonNil(in.Label.Actions)
	if alertsCanonical(in.Alerts) {
		return
	}
	alerts := make([]Alert, len(in.Alerts))
	for i, a := range in.Alerts {
		a.Time = utc(a.Time)
		a.MitreTechniques = nonNil(a.MitreTechniques)
		alerts[i] = a
	}
	in.Alerts = alerts
}

// alertsCanonical reports whether alerts need no change, so normalize can
// leave a shared slice untouched.
func alertsCanonical(alerts []Alert) bool {
	for _, a := range alerts {
		if a.MitreTechniques == nil || a.Time.Location() != time.UTC {
			return false
		}
	}
	return true
}

// utc converts t to UTC and drops its monotonic clock reading. The zero
// time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteFile writes incidents to path in the format of its extension
// (.jsonl, .ndjson, .csv or .parquet). The file appears only when complete.
func WriteFile(path string, incidents []Incident) error {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	switch format {
	case FormatParquet:
		return WriteParquet(path, incidents)
	case FormatCSV:
		return WriteFileAtomic(path, func(w io.Writer) error { return WriteCSV(w, incidents) })
	case FormatJSONL:
		return WriteFileAtomic(path, func(w io.Writer) error { return WriteJSONL(w, incidents) })
	}
	return fmt.Errorf("%s: writing %s is not supported; use .jsonl, .csv or .parquet", path, format)
}
