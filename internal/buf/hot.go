package buf

import (
	"runtime"
	"sync"
)

// Large buffers come back warm.
//
// A reader takes a buffer for each large body and the application gives it
// back with Release, usually on another goroutine, on another P. sync.Pool
// then hands the reader the buffer that was put back longest ago (a P with
// an empty pool steals from the tail of another's), so a stream of 64 KiB
// messages went round every buffer it ever had in flight, about a hundred
// (6 MiB), each cold in the cache when the kernel copied the next body into
// it. The classes from hotMinClass up therefore keep the buffers returned
// last in a small stack in front of their pool: Get takes the newest, which
// the cache most likely still holds. PULL <- PUSH over tcp, 64 KiB,
// receiver writing every body into one buffer (the ideal) against the pool:
// +17% msg/s, -15% receiver CPU (medians of 6 interleaved runs).
//
// Each stack holds at most hotBytes (about one core's L2 cache; one buffer
// of 1 MiB, none of the larger classes); a Put beyond that passes the oldest
// entry on to the pool. The stacks are emptied into their pools at every
// garbage collection, so an idle program keeps no more than sync.Pool alone
// would have kept.
const (
	hotMinClass = skewMinClass // 32 KiB
	hotBytes    = 1 << 20
	hotRing     = 64 // > hotBytes / hotMinClass, a power of two
)

// hotStack is a ring whose newest entries are taken first.
type hotStack struct {
	mu    sync.Mutex
	limit int // most entries held
	n     int // entries held
	top   int // where the next entry goes
	ring  [hotRing][]byte
	_     [64]byte // keeps neighbouring stacks' locks off this cache line
}

var hot [maxShift - minShift + 1]hotStack

func init() {
	for k := range hot {
		if c := 1 << (k + minShift); c >= hotMinClass {
			hot[k].limit = hotBytes / c
		}
	}
	armHotDrain()
}

// push keeps b as the newest entry and returns the entry it had to let go
// to stay within its limit, or nil.
func (s *hotStack) push(b []byte) (out []byte) {
	s.mu.Lock()
	s.ring[s.top] = b
	s.top = (s.top + 1) & (hotRing - 1)
	s.n++
	if s.n > s.limit {
		old := (s.top - s.n) & (hotRing - 1)
		out, s.ring[old] = s.ring[old], nil
		s.n--
	}
	s.mu.Unlock()
	return out
}

// pop takes the newest entry, or returns nil when there is none.
func (s *hotStack) pop() (b []byte) {
	s.mu.Lock()
	if s.n > 0 {
		s.top = (s.top - 1) & (hotRing - 1)
		b, s.ring[s.top] = s.ring[s.top], nil
		s.n--
	}
	s.mu.Unlock()
	return b
}

// drain empties the stack into its class's pool.
func (s *hotStack) drain(k int) {
	for {
		b := s.pop()
		if b == nil {
			return
		}
		putPool(k, b)
	}
}

// hotSentinel is an object nothing refers to: its finalizer runs after
// each garbage collection and arms the next one.
type hotSentinel struct{ _ [32]byte }

func armHotDrain() {
	runtime.SetFinalizer(&hotSentinel{}, func(*hotSentinel) {
		for k := range hot {
			if hot[k].limit > 0 {
				hot[k].drain(k)
			}
		}
		armHotDrain()
	})
}
