//go:build !linux

package swapfile

import "os"

// preallocate is a no-op where fallocate is not available; the file is
// still extended to its full size with Truncate by the caller.
func preallocate(f *os.File, size int64) error { return nil }

// datasync falls back to a full fsync (F_FULLFSYNC on darwin).
func datasync(f *os.File) error { return f.Sync() }
