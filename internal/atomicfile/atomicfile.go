// Package atomicfile writes files that appear at their path only when
// complete, for every file soceval writes.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File is a file that appears at its path only when committed: it is
// written to a temporary file in the same directory and renamed into place,
// so readers never see a partial file, even after a crash.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path. Call Commit to publish the file or
// Abort to discard it; Abort after Commit does nothing, so it can be
// deferred.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{File: f, path: path}, nil
}

// Commit flushes the file to disk and renames it to its final path.
func (a *File) Commit() error {
	if a.done {
		return errors.New("atomic file already committed or aborted")
	}
	a.done = true
	tmp := a.File.Name()
	err := a.File.Sync()
	if cerr := a.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, a.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

// Abort removes the temporary file unless the file was committed.
func (a *File) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	os.Remove(a.File.Name())
}

// Path returns the path the file is published at.
func (a *File) Path() string { return a.path }
