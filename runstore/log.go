package runstore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// syncInterval bounds how long an appended row may stay unsynced. Rows
// are written with one write call each, so a killed process loses none;
// the interval only bounds what a machine crash can lose.
const syncInterval = 250 * time.Millisecond

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
	line, err := json.Marshal(r)
	if err != nil {
		return false, fmt.Errorf("encoding result for %s: %w", r.IncidentID, err)
	}
	line = append(line, '\n')

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
func readLog(path string) ([]Result, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()

	var rows []Result
	var offset int64
	r := bufio.NewReaderSize(f, 1<<20)
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return rows, offset, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("reading %s: %w", path, err)
		}
		offset += int64(len(line))

		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var row Result
		if err := json.Unmarshal(line, &row); err != nil {
			return nil, 0, fmt.Errorf("%s:%d: invalid result row: %w", path, lineNo, err)
		}
		rows = append(rows, row)
	}
}
