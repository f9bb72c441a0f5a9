//go:build !unix

package swapfile

import "os"

// newReader on systems without the unix mmap API reads with pread; the
// format and every guarantee are the same, only the read path differs.
func newReader(f *os.File, size int64) (reader, error) {
	return fileReader{f}, nil
}
