//go:build unix

package swapfile

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mmapReader serves reads from a read-only shared mapping of the file.
// Because writes go through pwrite into the same page cache, the mapping
// sees them at once. The file must be at least size bytes long before it
// is mapped: touching a mapped page beyond the end of the file is SIGBUS.
//
// If the file is larger than maxMapBytes only a window of mapWindowBytes
// is mapped at a time (32-bit address spaces); a read outside the window
// moves it, and a read larger than the window falls back to pread.
type mmapReader struct {
	f       *os.File
	size    int64  // file size covered
	data    []byte // current mapping
	dataOff int64  // file offset of data[0]
	window  int64  // window size; 0 when the whole file is mapped
}

func newReader(f *os.File, size int64) (reader, error) {
	r := &mmapReader{f: f, size: size}
	if size > maxMapBytes {
		r.window = mapWindowBytes
		return r, nil
	}
	if err := r.mapAt(0, size); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *mmapReader) mapAt(off, n int64) error {
	if r.data != nil {
		if err := unix.Munmap(r.data); err != nil {
			return fmt.Errorf("swapfile: munmap: %w", err)
		}
		r.data = nil
	}
	b, err := unix.Mmap(int(r.f.Fd()), off, int(n), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("swapfile: mmap: %w", err)
	}
	r.data, r.dataOff = b, off
	return nil
}

func (r *mmapReader) readAt(dst []byte, off int64) error {
	end := off + int64(len(dst))
	if off < r.dataOff || end > r.dataOff+int64(len(r.data)) {
		if r.window == 0 || int64(len(dst)) > r.window/2 {
			return fileReader{r.f}.readAt(dst, off)
		}
		// Align the window to a page below off; with len(dst) at most
		// half a window the whole read then fits.
		page := int64(os.Getpagesize())
		start := off / page * page
		n := min(r.window, r.size-start)
		if err := r.mapAt(start, n); err != nil {
			return err
		}
	}
	copy(dst, r.data[off-r.dataOff:end-r.dataOff])
	return nil
}

func (r *mmapReader) close() error {
	if r.data == nil {
		return nil
	}
	err := unix.Munmap(r.data)
	r.data = nil
	return err
}
