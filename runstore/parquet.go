package runstore

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/soceval/soceval/internal/atomicfile"
	"github.com/soceval/soceval/internal/parquetio"
)

// rowGroupSize keeps row groups at 100k rows: with zstd this gave files
// about a tenth of their uncompressed size at similar speed.
const rowGroupSize = 100_000

// readBatch is how many rows are decoded at a time when reading.
const readBatch = 4096

var resultSchema = parquet.SchemaOf(new(Result))

// WriteResults writes rows to path as Parquet, atomically.
func WriteResults(path string, rows []Result) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()

	w := parquet.NewGenericWriter[Result](f,
		parquet.Compression(&zstd.Codec{}),
		parquet.MaxRowsPerRowGroup(rowGroupSize))
	for start := 0; start < len(rows); start += rowGroupSize {
		end := min(start+rowGroupSize, len(rows))
		if _, err := w.Write(rows[start:end]); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
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

	// Row groups are decoded in parallel, each into its own part of rows.
	rows, err := parquetio.ReadRowGroups(pf.RowGroups(), readRowGroup)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return rows, nil
}

// readRowGroup decodes one row group into out, which has one element per
// row, and makes the repeated strings of the rows share one copy.
func readRowGroup(rg parquet.RowGroup, out []Result) error {
	r := parquet.NewGenericRowGroupReader[Result](rg)
	defer r.Close()
	var st interner
	done := 0
	for done < len(out) {
		n, err := r.Read(out[done:min(len(out), done+readBatch)])
		for i := range n {
			st.result(&out[done+i])
		}
		done += n
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if done != len(out) {
		return fmt.Errorf("row group is truncated: read %d rows, its metadata lists %d; the file is damaged", done, len(out))
	}
	return nil
}

// interner makes equal strings share one copy, since parquet-go
// allocates every value anew while most fields of a run's rows (agent,
// grade, disposition, slicing fields) repeat. It holds at most
// maxInterned strings of up to maxInternedLen bytes. The zero value is
// ready to use; it is not safe for concurrent use.
type interner struct{ m map[string]string }

const (
	maxInterned    = 1 << 14
	maxInternedLen = 256
)

func (st *interner) get(s string) string {
	if len(s) > maxInternedLen {
		return s
	}
	if v, ok := st.m[s]; ok {
		return v
	}
	if st.m == nil {
		st.m = make(map[string]string)
	}
	if len(st.m) < maxInterned {
		st.m[s] = s
	}
	return s
}

func (st *interner) all(list []string) {
	for i, s := range list {
		list[i] = st.get(s)
	}
}

// result interns the low-cardinality fields of r.
func (st *interner) result(r *Result) {
	r.Agent, r.Layer, r.Grade, r.Category = st.get(r.Agent), st.get(r.Layer), st.get(r.Grade), st.get(r.Category)
	r.Rationale, r.Disposition = st.get(r.Rationale), st.get(r.Disposition)
	r.FormatError, r.Error = st.get(r.FormatError), st.get(r.Error)
	st.all(r.Actions)
	for i := range r.ToolCalls {
		r.ToolCalls[i].Name = st.get(r.ToolCalls[i].Name)
	}
	g := &r.Gold
	g.Grade, g.Category, g.Title, g.Source = st.get(g.Grade), st.get(g.Category), st.get(g.Title), st.get(g.Source)
	g.Severity, g.IncidentCategory = st.get(g.Severity), st.get(g.IncidentCategory)
	st.all(g.Actions)
	st.all(g.Tags)
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

// Finalize writes rows, the run's results as ReadResults returns them
// (each key once), to results.parquet and removes the results log. The
// caller may reorder rows first, so they are not read again here.
func Finalize(dir string, rows []Result) error {
	if err := WriteResults(filepath.Join(dir, ResultsFile), rows); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(dir, ResultsLogFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// dedupe returns rows without the rows whose key an earlier row already
// has, keeping the order. When no row repeats, rows itself is returned.
func dedupe(rows []Result) []Result {
	dups := DuplicateRows(rows)
	if len(dups) == 0 {
		return rows
	}

	out := make([]Result, 0, len(rows)-len(dups))
	next := 0
	for i := range rows {
		if next < len(dups) && dups[next] == i {
			next++
			continue
		}
		out = append(out, rows[i])
	}
	return out
}

// keyHash hashes a row's key.
func keyHash(seed maphash.Seed, r *Result) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(r.IncidentID)
	h.WriteByte(0)
	h.WriteString(r.Agent)
	h.WriteByte(0)
	maphash.WriteComparable(&h, r.Repeat)
	return h.Sum64()
}
