//go:build !linux

package swapfile

import (
	"errors"
	"os"
	"syscall"
)

// preallocate is a no-op where fallocate is not available; the file is
// still extended to its full size with Truncate by the caller.
func preallocate(f *os.File, size int64) error { return nil }

// datasync falls back to a full fsync (F_FULLFSYNC on darwin).
func datasync(f *os.File) error { return f.Sync() }

// isNoSpace reports whether err says the disk is full.
func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }
