package queue

import (
	"bytes"
	"sync"

	"github.com/purezmq/purezmq/swapfile"
)

// memRing is an in-memory Spiller with the ring's capacity accounting
// (16 bytes of overhead per record). With readAt it also offers PeekAt.
type memRing struct {
	mu      sync.Mutex
	recs    [][]byte
	used    int64
	cap     int64
	removed bool
	closed  bool
}

type memRingAt struct{ *memRing }

func (r memRingAt) PeekAt(i int, dst []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i >= len(r.recs) {
		return dst, swapfile.ErrEmpty
	}
	return append(dst, r.recs[i]...), nil
}

func (r *memRing) AppendV(parts ...[]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := bytes.Join(parts, nil)
	sz := int64(len(rec)) + recordOverhead
	if sz > r.cap {
		return swapfile.ErrTooLarge
	}
	if r.used+sz > r.cap {
		return swapfile.ErrFull
	}
	r.recs = append(r.recs, rec)
	r.used += sz
	return nil
}

func (r *memRing) PeekInto(dst []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.recs) == 0 {
		return dst, swapfile.ErrEmpty
	}
	return append(dst, r.recs[0]...), nil
}

func (r *memRing) Discard() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.recs) == 0 {
		return swapfile.ErrEmpty
	}
	r.used -= int64(len(r.recs[0])) + recordOverhead
	r.recs = r.recs[1:]
	return nil
}

func (r *memRing) Len() int     { r.mu.Lock(); defer r.mu.Unlock(); return len(r.recs) }
func (r *memRing) Used() int64  { r.mu.Lock(); defer r.mu.Unlock(); return r.used }
func (r *memRing) Sync() error  { return nil }
func (r *memRing) Close() error { r.mu.Lock(); r.closed = true; r.mu.Unlock(); return nil }
func (r *memRing) Remove() error {
	r.mu.Lock()
	r.removed, r.closed = true, true
	r.mu.Unlock()
	return nil
}

// fakeSwap hands out memRings and remembers them by path.
type fakeSwap struct {
	mu    sync.Mutex
	rings map[string]*memRing
	at    bool // offer PeekAt
}

func (f *fakeSwap) open(path string, capacity int64) (Spiller, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rings == nil {
		f.rings = map[string]*memRing{}
	}
	r := &memRing{cap: capacity}
	f.rings[path] = r
	if f.at {
		return memRingAt{r}, nil
	}
	return r, nil
}

func (f *fakeSwap) only() *memRing {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rings {
		return r
	}
	return nil
}
