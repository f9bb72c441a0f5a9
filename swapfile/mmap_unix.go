//go:build unix

package swapfile

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"

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
	err := r.mapAt(0, size)
	if errors.Is(err, errMapBudget) {
		// The rings of this process map mapLimit bytes at most in all:
		// this one reads through a window, mapped when there is room
		// (pread until then).
		r.window = min(mapWindowBytes, size)
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// mapped is the bytes mapped by every ring of the process; mapLimit
// bounds it (a variable so that tests can lower it).
var (
	mapped   atomic.Int64
	mapLimit int64 = maxMappedTotal
)

var errMapBudget = errors.New("swapfile: mapping budget spent")

func (r *mmapReader) unmap() error {
	if r.data == nil {
		return nil
	}
	err := unix.Munmap(r.data)
	mapped.Add(-int64(len(r.data)))
	r.data = nil
	if err != nil {
		return fmt.Errorf("swapfile: munmap: %w", err)
	}
	return nil
}

func (r *mmapReader) mapAt(off, n int64) error {
	if err := r.unmap(); err != nil {
		return err
	}
	if mapped.Add(n) > mapLimit {
		mapped.Add(-n)
		return errMapBudget
	}
	b, err := unix.Mmap(int(r.f.Fd()), off, int(n), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		mapped.Add(-n)
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
		err := r.mapAt(start, n)
		if errors.Is(err, errMapBudget) {
			return fileReader{r.f}.readAt(dst, off)
		}
		if err != nil {
			return err
		}
	}
	copy(dst, r.data[off-r.dataOff:end-r.dataOff])
	return nil
}

func (r *mmapReader) close() error { return r.unmap() }
