package datasets

import (
	"bufio"
	"fmt"
	"io"

	"github.com/soceval/soceval/internal/atomicfile"
)

// AtomicFile is a file that appears at its path only when committed.
type AtomicFile = atomicfile.File

// CreateAtomic starts writing path. Call Commit to publish the file or
// Abort to discard it; Abort after Commit does nothing, so it can be
// deferred.
func CreateAtomic(path string) (*AtomicFile, error) { return atomicfile.Create(path) }

// WriteFileAtomic writes path with write, buffered, and publishes it only if
// write succeeds.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	f, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	defer f.Abort()

	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}
