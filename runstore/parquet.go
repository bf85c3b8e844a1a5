package runstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// rowGroupSize keeps row groups at 100k rows: with zstd this gave files
// about a tenth of their uncompressed size at similar speed.
const rowGroupSize = 100_000

// readBatch is how many rows are decoded at a time when reading.
const readBatch = 4096

var resultSchema = parquet.SchemaOf(new(Result))

// WriteResults writes rows to path as Parquet, atomically.
func WriteResults(path string, rows []Result) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}

	w := parquet.NewGenericWriter[Result](f,
		parquet.Compression(&zstd.Codec{}),
		parquet.MaxRowsPerRowGroup(rowGroupSize))
	for start := 0; start < len(rows); start += rowGroupSize {
		end := min(start+rowGroupSize, len(rows))
		if _, err := w.Write(rows[start:end]); err != nil {
			return fail(err)
		}
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// ReadResultsFile reads a results Parquet file. A file whose schema
// differs from this version's is rejected, since parquet-go would
// otherwise read renamed columns back as zero values.
func ReadResultsFile(path string) ([]Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}

	pf, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	if !parquet.EqualNodes(pf.Schema(), resultSchema) {
		return nil, fmt.Errorf("%s: schema does not match this soceval's result rows "+
			"(expected %v, found %v); re-run or convert the run with this version",
			path, resultSchema, pf.Schema())
	}

	r := parquet.NewGenericReader[Result](pf)
	defer r.Close()
	rows := make([]Result, 0, r.NumRows())
	buf := make([]Result, readBatch)
	for {
		n, err := r.Read(buf)
		rows = append(rows, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
}

// ReadResults reads a run folder's rows: from results.parquet when the run
// has finished, else from the results log of a run in progress.
func ReadResults(dir string) ([]Result, error) {
	path := filepath.Join(dir, ResultsFile)
	if _, err := os.Stat(path); err == nil {
		return ReadResultsFile(path)
	}
	rows, _, err := readLog(filepath.Join(dir, ResultsLogFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s has no results: neither %s nor %s exists", dir, ResultsFile, ResultsLogFile)
	}
	return dedupe(rows), err
}

// Finalize converts a run's results log to results.parquet and removes the
// log. Rows are deduplicated by key.
func Finalize(dir string, rows []Result) error {
	if err := WriteResults(filepath.Join(dir, ResultsFile), dedupe(rows)); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(dir, ResultsLogFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func dedupe(rows []Result) []Result {
	seen := make(map[Key]bool, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		if !seen[r.Key()] {
			seen[r.Key()] = true
			out = append(out, r)
		}
	}
	return out
}
