package datasets

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/soceval/soceval/internal/parquetio"
)

// Parquet storage. The file schema is derived from parquetIncident, whose
// column names are the JSON field names of Incident. Its times are optional
// nanosecond UTC timestamps, unlike the Go struct's plain time.Time values,
// because parquet-go reads a zero time.Time back as a date in 1754. An unset
// time is stored as null instead. Lists and maps read back empty rather
// than nil, and normalize gives JSONL the same form.

const (
	parquetBatchRows    = 1024
	parquetRowGroupRows = 100_000
)

type parquetIncident struct {
	ID          string              `parquet:"id"`
	CreatedAt   *time.Time          `parquet:"created_at,optional,timestamp(nanosecond)"`
	Title       string              `parquet:"title"`
	Source      string              `parquet:"source"`
	Category    string              `parquet:"category"`
	Severity    string              `parquet:"severity"`
	Alerts      []parquetAlert      `parquet:"alerts,list"`
	Evidence    []parquetEntity     `parquet:"evidence,list"`
	Enrichments []parquetEnrichment `parquet:"enrichments,list"`
	Label       parquetLabel        `parquet:"label"`
	Tags        []string            `parquet:"tags,list"`
}

type parquetAlert struct {
	ID              string     `parquet:"id"`
	Title           string     `parquet:"title"`
	Detector        string     `parquet:"detector"`
	Category        string     `parquet:"category"`
	MitreTechniques []string   `parquet:"mitre_techniques,list"`
	Time            *time.Time `parquet:"time,optional,timestamp(nanosecond)"`
}

type parquetEntity struct {
	Type       string            `parquet:"type"`
	Value      string            `parquet:"value"`
	Attributes map[string]string `parquet:"attributes"`
}

type parquetEnrichment struct {
	Tool     string `parquet:"tool"`
	Argument string `parquet:"argument"`
	Result   string `parquet:"result"`
}

type parquetLabel struct {
	Grade             string   `parquet:"grade"`
	Category          string   `parquet:"category"`
	Actions           []string `parquet:"actions,list"`
	HumanTTRSeconds   *float64 `parquet:"human_ttr_seconds,optional"`
	HumanTTREstimated bool     `parquet:"human_ttr_estimated"`
	Notes             string   `parquet:"notes"`
}

// ParquetSchema returns the schema of soceval's Parquet incident files.
func ParquetSchema() *parquet.Schema { return parquet.SchemaOf(parquetIncident{}) }

func toParquet(in *Incident, out *parquetIncident) {
	*out = parquetIncident{
		ID: in.ID, CreatedAt: timePtr(in.CreatedAt), Title: in.Title, Source: in.Source,
		Category: in.Category, Severity: in.Severity, Tags: in.Tags,
		Label: parquetLabel{
			Grade: in.Label.Grade, Category: in.Label.Category, Actions: in.Label.Actions,
			HumanTTRSeconds: in.Label.HumanTTRSeconds, HumanTTREstimated: in.Label.HumanTTREstimated,
			Notes: in.Label.Notes,
		},
	}
	out.Alerts = make([]parquetAlert, len(in.Alerts))
	for i, a := range in.Alerts {
		out.Alerts[i] = parquetAlert{ID: a.ID, Title: a.Title, Detector: a.Detector, Category: a.Category, MitreTechniques: a.MitreTechniques, Time: timePtr(a.Time)}
	}
	out.Evidence = make([]parquetEntity, len(in.Evidence))
	for i, e := range in.Evidence {
		out.Evidence[i] = parquetEntity(e)
	}
	out.Enrichments = make([]parquetEnrichment, len(in.Enrichments))
	for i, e := range in.Enrichments {
		out.Enrichments[i] = parquetEnrichment(e)
	}
}

func fromParquet(p *parquetIncident, st *interner) Incident {
	in := Incident{
		ID: p.ID, CreatedAt: timeOf(p.CreatedAt), Title: st.get(p.Title), Source: st.get(p.Source),
		Category: st.get(p.Category), Severity: st.get(p.Severity), Tags: st.all(p.Tags),
		Label: Label{
			Grade: st.get(p.Label.Grade), Category: st.get(p.Label.Category), Actions: st.all(p.Label.Actions),
			HumanTTRSeconds: p.Label.HumanTTRSeconds, HumanTTREstimated: p.Label.HumanTTREstimated,
			Notes: st.get(p.Label.Notes),
		},
	}
	in.Alerts = make([]Alert, len(p.Alerts))
	for i, a := range p.Alerts {
		in.Alerts[i] = Alert{ID: a.ID, Title: st.get(a.Title), Detector: st.get(a.Detector), Category: st.get(a.Category),
			MitreTechniques: st.all(a.MitreTechniques), Time: timeOf(a.Time)}
	}
	in.Evidence = make([]Entity, len(p.Evidence))
	for i, e := range p.Evidence {
		if len(e.Attributes) == 0 {
			e.Attributes = nil
		}
		e.Type = st.get(e.Type)
		in.Evidence[i] = Entity(e)
	}
	in.Enrichments = make([]Enrichment, len(p.Enrichments))
	for i, e := range p.Enrichments {
		e.Tool = st.get(e.Tool)
		in.Enrichments[i] = Enrichment(e)
	}
	normalize(&in)
	return in
}

// interner makes the repeated strings of a Parquet file (categories,
// severities, detectors, tags, tool names) share one copy, because
// parquet-go allocates every value anew. It holds at most maxInterned strings of
// up to maxInternedLen bytes, so unique values cannot make it grow
// without bound. The zero value is ready to use; it is not safe for
// concurrent use.
type interner struct{ m map[string]string }

const (
	maxInterned    = 1 << 14
	maxInternedLen = 256
)

func (st *interner) get(s string) string {
	if st == nil || len(s) > maxInternedLen {
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

// all interns every element of list in place.
func (st *interner) all(list []string) []string {
	for i, s := range list {
		list[i] = st.get(s)
	}
	return list
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// WriteParquet writes incidents to a Parquet file at path, zstd-compressed
// in row groups of 100,000 rows. The file appears only when complete.
func WriteParquet(path string, incidents []Incident) error {
	pw, err := NewParquetWriter(path)
	if err != nil {
		return err
	}
	defer pw.Abort()
	for i := range incidents {
		if err := pw.Write(&incidents[i]); err != nil {
			return err
		}
	}
	return pw.Close()
}

// ParquetWriter streams incidents into a Parquet file in batches, so sets
// of millions of incidents are written in bounded memory.
type ParquetWriter struct {
	file  *AtomicFile
	w     *parquet.GenericWriter[parquetIncident]
	batch []parquetIncident
}

// NewParquetWriter starts a Parquet file at path. Call Close to publish it
// or Abort to discard it.
func NewParquetWriter(path string) (*ParquetWriter, error) {
	f, err := CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	w := parquet.NewGenericWriter[parquetIncident](f,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(parquetRowGroupRows),
		parquet.CreatedBy("soceval", "", ""),
	)
	return &ParquetWriter{file: f, w: w, batch: make([]parquetIncident, 0, parquetBatchRows)}, nil
}

// Write adds one incident.
func (pw *ParquetWriter) Write(in *Incident) error {
	pw.batch = pw.batch[:len(pw.batch)+1]
	toParquet(in, &pw.batch[len(pw.batch)-1])
	if len(pw.batch) == cap(pw.batch) {
		return pw.flush()
	}
	return nil
}

func (pw *ParquetWriter) flush() error {
	if _, err := pw.w.Write(pw.batch); err != nil {
		return fmt.Errorf("write %s: %w", pw.file.Path(), err)
	}
	clear(pw.batch)
	pw.batch = pw.batch[:0]
	return nil
}

// Close writes the remaining rows and the footer and publishes the file.
func (pw *ParquetWriter) Close() error {
	if err := pw.flush(); err != nil {
		return err
	}
	if err := pw.w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", pw.file.Path(), err)
	}
	return pw.file.Commit()
}

// Abort discards the file unless Close published it.
func (pw *ParquetWriter) Abort() { pw.file.Abort() }

// readParquetFile checks the file's schema and then decodes its row
// groups in parallel into incidents in file order.
func readParquetFile(path string, ps *problems) ([]Incident, []position, error) {
	f, pf, err := openParquet(path)
	var verr *ValidationError
	if errors.As(err, &verr) {
		ps.list = append(ps.list, verr.Problems...)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()

	incidents, err := parquetio.ReadRowGroups(pf.RowGroups(), readRowGroup)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}

	// Parquet rows are located by row number alone, which is what
	// validate reports when it is given no positions.
	return incidents, nil, nil
}

// readRowGroup decodes the rows of one row group into out, which has one
// element per row.
func readRowGroup(rg parquet.RowGroup, out []Incident) error {
	r := parquet.NewGenericRowGroupReader[parquetIncident](rg)
	defer r.Close()
	rows := make([]parquetIncident, parquetBatchRows)
	var st interner
	done := 0
	for done < len(out) {
		clear(rows)
		n, err := r.Read(rows[:min(len(rows), len(out)-done)])
		for i := range n {
			out[done+i] = fromParquet(&rows[i], &st)
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

// openParquet opens a Parquet incident file and checks its schema. A
// file that is not Parquet, or whose schema differs from ParquetSchema,
// returns a *ValidationError. The caller closes the returned file.
func openParquet(path string) (*os.File, *parquet.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open dataset: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open dataset: %w", err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, &ValidationError{Problems: []Problem{{File: path, Message: fmt.Sprintf("not a readable Parquet file: %v", err)}}}
	}
	if ps := compareSchema(path, ParquetSchema(), pf.Schema()); len(ps) > 0 {
		f.Close()
		return nil, nil, &ValidationError{Problems: ps}
	}
	return f, pf, nil
}

// ScanParquet reads the Parquet incident file at path in batches and calls
// fn with each; the batch slice is reused after fn returns. A file whose
// schema differs from ParquetSchema returns a *ValidationError naming each
// column that differs. Rows are not validated.
func ScanParquet(path string, fn func(batch []Incident) error) error {
	f, pf, err := openParquet(path)
	if err != nil {
		return err
	}
	defer f.Close()

	r := parquet.NewGenericReader[parquetIncident](pf)
	defer r.Close()
	rows := make([]parquetIncident, parquetBatchRows)
	batch := make([]Incident, 0, parquetBatchRows)
	var st interner
	for {
		clear(rows)
		n, err := r.Read(rows)
		batch = batch[:0]
		for i := range n {
			batch = append(batch, fromParquet(&rows[i], &st))
		}
		if n > 0 {
			if ferr := fn(batch); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
}

// compareSchema lists every column whose presence, type or repetition in
// got differs from want. A missing column and an unknown column under the
// same parent are reported together as a probable rename.
func compareSchema(file string, want, got *parquet.Schema) []Problem {
	var (
		list    []Problem
		missing [][]string
	)
	for _, path := range want.Columns() {
		w, _ := want.Lookup(path...)
		g, ok := got.Lookup(path...)
		if !ok {
			missing = append(missing, path)
			continue
		}
		if d := describeColumn(w); d != describeColumn(g) {
			list = append(list, Problem{File: file, Field: strings.Join(path, "."),
				Message: fmt.Sprintf("column has type %s, expected %s; rewrite the file with the schema in docs/datasets.md", describeColumn(g), d)})
		}
	}

	var unknown [][]string
	for _, path := range got.Columns() {
		if _, ok := want.Lookup(path...); !ok {
			unknown = append(unknown, path)
		}
	}
	for _, path := range missing {
		msg := "missing column; the file must have every column of the schema in docs/datasets.md"
		if i := sameParent(path, unknown); i >= 0 {
			msg = fmt.Sprintf("missing column; the file has an unknown column %q in its place: rename it to %q", strings.Join(unknown[i], "."), path[len(path)-1])
			unknown = append(unknown[:i], unknown[i+1:]...)
		}
		list = append(list, Problem{File: file, Field: strings.Join(path, "."), Message: msg})
	}
	for _, path := range unknown {
		list = append(list, Problem{File: file, Field: strings.Join(path, "."), Message: "unknown column; remove it or rename it to a column of the schema in docs/datasets.md"})
	}
	return list
}

// sameParent returns the index of the first path in candidates that has the
// same parent as path, or -1.
func sameParent(path []string, candidates [][]string) int {
	parent := strings.Join(path[:len(path)-1], ".")
	for i, c := range candidates {
		if len(c) == len(path) && strings.Join(c[:len(c)-1], ".") == parent {
			return i
		}
	}
	return -1
}

// describeColumn names a leaf column's physical and logical type and its
// repetition, such as "optional INT64 TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)".
func describeColumn(c parquet.LeafColumn) string {
	var b strings.Builder
	switch {
	case c.Node.Repeated():
		b.WriteString("repeated ")
	case c.Node.Optional():
		b.WriteString("optional ")
	default:
		b.WriteString("required ")
	}
	t := c.Node.Type()
	b.WriteString(t.Kind().String())
	if lt := t.LogicalType(); lt != nil {
		b.WriteString(" ")
		b.WriteString(lt.String())
	}
	fmt.Fprintf(&b, " (levels %d/%d)", c.MaxRepetitionLevel, c.MaxDefinitionLevel)
	return b.String()
}
