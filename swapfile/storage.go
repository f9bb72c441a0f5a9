package swapfile

import (
	"fmt"
	"os"
)

// storage is the write side of a ring file. Every write and every change
// of the file's size goes through it, so that a test can stand in a file
// system that runs out of space at a chosen byte.
type storage interface {
	WriteAt(b []byte, off int64) (int, error)
	// extend makes the file size bytes long (never shorter), with its
	// blocks reserved where the system can: a later WriteAt below size
	// then cannot fail for lack of space.
	extend(size int64) error
	truncate(size int64) error
}

type fileStorage struct{ f *os.File }

func (s fileStorage) WriteAt(b []byte, off int64) (int, error) { return s.f.WriteAt(b, off) }

func (s fileStorage) extend(size int64) error {
	if err := preallocate(s.f, size); err != nil {
		return err
	}
	return s.f.Truncate(size)
}

func (s fileStorage) truncate(size int64) error { return s.f.Truncate(size) }

// newStorage wraps a ring's file; tests replace it.
var newStorage = func(f *os.File) storage { return fileStorage{f} }

// ioError wraps an error of a write or an allocation: a full disk (or
// quota) becomes a *DiskFullError, anything else keeps its cause.
func ioError(path, op string, want int64, err error) error {
	if isNoSpace(err) {
		return &DiskFullError{Path: path, Op: op, Want: want, Err: err}
	}
	return fmt.Errorf("swapfile: %s: %w", op, err)
}
