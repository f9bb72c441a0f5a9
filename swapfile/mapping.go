package swapfile

import (
	"errors"
	"io"
	"os"
)

// reader reads from the ring file at absolute file offsets. The unix
// implementation copies out of an mmap; the portable one uses pread.
type reader interface {
	readAt(dst []byte, off int64) error
	close() error
}

// fileReader reads with pread. Bytes beyond the end of the file read as
// zeros: a truncated ring file then looks like one whose tail was never
// written, which the record scan already handles (Inspect relies on this,
// as it must not extend the file).
type fileReader struct{ f *os.File }

func (r fileReader) readAt(dst []byte, off int64) error {
	n, err := r.f.ReadAt(dst, off)
	if errors.Is(err, io.EOF) {
		clear(dst[n:])
		return nil
	}
	return err
}

func (fileReader) close() error { return nil }
