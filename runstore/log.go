package runstore

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// syncInterval bounds how long an appended row may stay unsynced. Rows
// are written with one write call each, so a killed process loses none;
// the interval only bounds what a machine crash can lose.
const syncInterval = 250 * time.Millisecond

// linePool recycles the buffers rows are encoded into, as a run appends
// one row per agent call.
var linePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledLine keeps a rare huge row's buffer out of the pool.
const maxPooledLine = 1 << 20

// Log appends result rows to a run folder's results.jsonl. It is safe for
// concurrent use.
type Log struct {
	mu       sync.Mutex
	f        *os.File
	lastSync time.Time
	seen     map[Key]bool
}

// CreateLog starts an empty results log in dir.
func CreateLog(dir string) (*Log, error) {
	f, err := os.OpenFile(filepath.Join(dir, ResultsLogFile), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating results log: %w", err)
	}
	return &Log{f: f, lastSync: time.Now(), seen: map[Key]bool{}}, nil
}

// ResumeLog reopens dir's results log for appending and returns the rows
// already in it. A last line cut short by a crash is dropped from the
// file, and a row whose key was already written is ignored, so a resumed
// run neither loses nor duplicates results.
func ResumeLog(dir string) (*Log, []Result, error) {
	path := filepath.Join(dir, ResultsLogFile)
	rows, validBytes, err := readLog(path)
	if errors.Is(err, fs.ErrNotExist) {
		l, err := CreateLog(dir)
		return l, nil, err
	}
	if err != nil {
		return nil, nil, err
	}

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("reopening results log: %w", err)
	}
	if err := f.Truncate(validBytes); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("dropping the partial last row of %s: %w", path, err)
	}

	l := &Log{f: f, lastSync: time.Now(), seen: map[Key]bool{}}
	unique := rows[:0]
	for _, r := range rows {
		if !l.seen[r.Key()] {
			l.seen[r.Key()] = true
			unique = append(unique, r)
		}
	}
	return l, unique, nil
}

// Append writes one row. A row whose key is already in the log is
// skipped, and Append reports false.
func (l *Log) Append(r *Result) (bool, error) {
	buf := linePool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledLine {
			linePool.Put(buf)
		}
	}()
	buf.Reset()
	// Encode writes what Marshal returns, followed by a newline.
	if err := json.NewEncoder(buf).Encode(r); err != nil {
		return false, fmt.Errorf("encoding result for %s: %w", r.IncidentID, err)
	}
	line := buf.Bytes()

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[r.Key()] {
		return false, nil
	}
	if _, err := l.f.Write(line); err != nil {
		return false, fmt.Errorf("appending result for %s: %w", r.IncidentID, err)
	}
	l.seen[r.Key()] = true

	if time.Since(l.lastSync) >= syncInterval {
		l.lastSync = time.Now()
		if err := l.f.Sync(); err != nil {
			return true, fmt.Errorf("syncing results log: %w", err)
		}
	}
	return true, nil
}

// Len returns the number of distinct rows in the log.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

// Close syncs and closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.f.Sync(); err != nil {
		l.f.Close()
		return err
	}
	return l.f.Close()
}

// readLog reads every complete row of a results log and returns how many
// bytes of the file they span. An unterminated last line is a write cut
// short by a crash and is left out; a malformed complete line is an error.
//
// Chunks of lines are decoded by GOMAXPROCS goroutines, because decoding
// JSON, not reading, bounds the speed. They decode straight into one
// slice sized by a first pass that counts lines, so the rows are never
// copied into a grown slice.
func readLog(path string) ([]Result, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	lines, err := countLines(f)
	if err != nil {
		return nil, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, fmt.Errorf("reading %s: %w", path, err)
	}

	rows := make([]Result, lines)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []lineError
	)
	decode := func(first int, chunk [][]byte, lineNos []int) {
		defer func() { <-sem; wg.Done() }()
		var st interner
		for i, line := range chunk {
			if err := json.Unmarshal(line, &rows[first+i]); err != nil {
				mu.Lock()
				errs = append(errs, lineError{lineNos[i], err})
				mu.Unlock()
				return
			}
			st.result(&rows[first+i])
		}
	}

	br := bufio.NewReaderSize(f, 1<<20)
	var (
		offset  int64
		n       int
		chunk   [][]byte
		lineNos []int
	)
	flush := func() {
		if len(chunk) == 0 {
			return
		}
		sem <- struct{}{}
		wg.Add(1)
		go decode(n-len(chunk), chunk, lineNos)
		chunk, lineNos = nil, nil
	}
	var readErr error
	for lineNo := 1; n < len(rows); lineNo++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = fmt.Errorf("reading %s: %w", path, err)
			break
		}
		offset += int64(len(line))

		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		chunk = append(chunk, line)
		lineNos = append(lineNos, lineNo)
		n++
		if len(chunk) == logChunkLines {
			flush()
		}
	}
	flush()
	wg.Wait()

	// The earliest malformed line is reported, as a reader stopping at
	// the first one would.
	if len(errs) > 0 {
		first := slices.MinFunc(errs, func(a, b lineError) int { return cmp.Compare(a.line, b.line) })
		return nil, 0, fmt.Errorf("%s:%d: invalid result row: %w", path, first.line, first.err)
	}
	if readErr != nil {
		return nil, 0, readErr
	}
	return rows[:n:n], offset, nil
}

// logChunkLines is how many lines one goroutine decodes at a time.
const logChunkLines = 2048

type lineError struct {
	line int
	err  error
}

// countLines returns the number of newline bytes in r, an upper bound on
// the number of complete rows.
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<20)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}
