package swapfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Open opens an existing ring file and recovers it: it picks the newer
// valid header slot, then keeps every complete record from the head on,
// including records appended after the header was last written, and cuts
// off a torn or corrupt tail. A file whose header slots are both invalid
// fails with a *HeaderError (errors.Is(err, ErrCorrupt)); a file shorter
// than its header says (truncated) is extended and recovered. A sound ring
// beyond this build's limits (see ArchLimitError) fails with an
// *ArchLimitError, and nothing is written to it.
func Open(path string, opts Options) (*Ring, Recovery, error) {
	if err := opts.validate(); err != nil {
		return nil, Recovery{}, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, Recovery{}, fmt.Errorf("swapfile: open: %w", err)
	}
	r, rec, err := openFile(f, path, opts)
	if err != nil {
		f.Close()
		return nil, Recovery{}, err
	}
	return r, rec, nil
}

func openFile(f *os.File, path string, opts Options) (*Ring, Recovery, error) {
	if err := lockFile(f); err != nil {
		return nil, Recovery{}, err
	}
	h, _, err := readHeader(f, path)
	if err != nil {
		return nil, Recovery{}, err
	}
	log := opts.logger()
	size := headerAreaSize + h.capacity
	st := newStorage(f)
	fi, err := f.Stat()
	if err != nil {
		return nil, Recovery{}, fmt.Errorf("swapfile: stat: %w", err)
	}
	if fi.Size() < size {
		// Mapping beyond the end of the file would fault on access, so
		// the file is first restored to its size; the lost bytes read as
		// zeros and the scan treats them as never written.
		log.Warn("swapfile: ring file shorter than its capacity, extending", "path", path, "size", fi.Size(), "want", size)
		if err := st.extend(size); err != nil {
			return nil, Recovery{}, ioError(path, "extend", size, err)
		}
	}
	rd, err := newReader(f, size)
	if err != nil {
		return nil, Recovery{}, err
	}
	res, err := scan(rd, h)
	if err != nil {
		rd.close()
		return nil, Recovery{}, scanError(err, path)
	}
	r := newRing(f, st, path, opts, h)
	r.rd = rd
	r.tail, r.nextSeq = res.tail, res.nextSeq
	r.count.Store(res.count)
	r.used.Store(res.used)
	if res.rec.DiscardedBytes > 0 {
		log.Warn("swapfile: discarded torn or corrupt records", "path", path, "bytes", res.rec.DiscardedBytes, "reason", res.rec.Reason)
		// Blank the record header at the new tail, so the cut does not
		// have to be found (and reported) again on the next open.
		if free := h.capacity - res.used; free > 0 {
			var blank [recordHeaderSize]byte
			if err := r.writeData(res.tail, blank[:min(free, recordHeaderSize)]); err != nil {
				rd.close()
				return nil, Recovery{}, err
			}
		}
	} else {
		log.Debug("swapfile: opened", "path", path, "records", res.count, "bytes", res.used, "beyond", res.rec.Beyond)
	}
	if res.tail != h.tail || res.used != h.used {
		// Bring the header up to date now, so the next recovery does not
		// depend on rescanning what this one found.
		if err := r.writeHeader(opts.durable()); err != nil {
			rd.close()
			return nil, Recovery{}, err
		}
	}
	if opts.Budget != nil {
		// Already on disk: charged even beyond the budget.
		opts.Budget.force(h.capacity)
		r.charged = h.capacity
	}
	return r, res.rec, nil
}

// readHeader reads and picks the header of an open ring file.
func readHeader(f *os.File, path string) (header, int, error) {
	area := make([]byte, headerAreaSize)
	if err := (fileReader{f}).readAt(area, 0); err != nil {
		return header{}, -1, fmt.Errorf("swapfile: read header: %w", err)
	}
	h, slot, err := pickHeader(area)
	var arch *ArchLimitError
	if errors.As(err, &arch) {
		arch.Path = path
		return header{}, -1, arch
	}
	if err != nil {
		herr := &HeaderError{Path: path, Reason: err.Error()}
		if isZero(area) {
			herr.Blank = true
			herr.Reason = "header area is blank (file never initialised)"
		}
		return header{}, -1, herr
	}
	return h, slot, nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// OpenOrCreate opens the ring at path, or creates it with the given
// capacity if there is no file. An existing ring keeps the capacity it was
// created with (see Cap). A file left blank by an interrupted Create is
// replaced by a new ring.
func OpenOrCreate(path string, capacity int64, opts Options) (*Ring, Recovery, error) {
	for attempt := 0; ; attempt++ {
		r, rec, err := Open(path, opts)
		var herr *HeaderError
		switch {
		case err == nil:
			if r.opts.Budget != nil {
				if err := r.setFloor(capacity); err != nil {
					r.Close()
					return nil, Recovery{}, err
				}
			} else if r.capacity != capacity {
				r.log.Info("swapfile: existing ring keeps its capacity", "path", path, "capacity", r.capacity, "requested", capacity)
			}
			return r, rec, nil
		case errors.Is(err, fs.ErrNotExist):
		case errors.As(err, &herr) && herr.Blank:
			if err := os.Remove(path); err != nil {
				return nil, Recovery{}, fmt.Errorf("swapfile: replace blank file: %w", err)
			}
		default:
			return nil, Recovery{}, err
		}
		r, err = Create(path, capacity, opts)
		if errors.Is(err, fs.ErrExist) && attempt == 0 {
			continue // lost a race with another creator: open theirs
		}
		return r, Recovery{}, err
	}
}
