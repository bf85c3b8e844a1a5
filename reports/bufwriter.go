package reports

import (
	"bufio"
	"fmt"
	"io"
)

// bufWriter buffers writes and reports the first error at flush, so that
// writers of many small pieces check errors once.
type bufWriter struct {
	*bufio.Writer
}

func newBufWriter(w io.Writer) bufWriter { return bufWriter{bufio.NewWriter(w)} }

func (b bufWriter) flush(what string) error {
	if err := b.Flush(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
