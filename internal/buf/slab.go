package buf

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Slab makes the copies of small messages (Send's default copy) from
// shared slabs instead of a pool block each: a slab holds the bytes and the
// frame lists of many messages, is taken from a pool when the current one
// is full, and goes back to the pool once every message carved from it has
// been released.
//
// Why not one pooled block per message: that costs several sync.Pool
// operations per message on the sending goroutine and as many on the
// writer that recycles it, and the two run on different Ps, so the pool's
// per-P caches miss and steal. Why not slabs left to the garbage
// collector (what came before): at millions of messages a second the
// fresh memory's page faults, zeroing and collection cost more than the
// copy (Send 16 B: 155 ns/op against SendOwned's 68). Recycled, a slab's
// memory stays in cache and one pool operation serves hundreds of
// messages.
//
// A copy made with pooled set carries the slab mark: its first hidden slot
// is slabMark, the second points at the slab's first byte (the slab is
// reached from it). Release counts it back. A copy without the mark (a
// message several peers share) is never counted back, so its slab is never
// recycled and the garbage collector frees it after its last message; the
// same happens to a slab any of whose messages were disowned, dropped
// unreleased or kept forever. Recycling therefore needs every message of a
// slab to be released, and is never unsafe when one is not.
//
// A Slab is safe for concurrent use; its lock is held only to reserve
// room, never while copying.
type Slab struct {
	mu  sync.Mutex
	cur *slab
}

// SlabMax is the largest message, all frames together, that Slab copies;
// SlabMaxFrames the most frames.
const (
	SlabMax       = 256
	SlabMaxFrames = 8
)

// A slab's size: 8 KiB of bytes (32 messages of 256 B, 512 of 16 B) and
// frame-list slots for about 170 one-frame messages (each list has two
// hidden slots). Small, so that a message kept for long pins little.
const (
	slabBytes = 8 << 10
	slabSlots = 512
)

type slab struct {
	// bytes comes first: a pointer to bytes[0] is a pointer to the slab.
	bytes [slabBytes]byte
	lists [slabSlots][]byte

	// Under Slab.mu while the slab is current.
	used, slots int
	carved      int64

	_ [64]byte // pending on its own cache line: the writers' decrements
	// pending is the count of messages carved but not yet released, once
	// the slab is retired (Slab adds carved then); before, releases drive
	// it below zero. It reaches zero exactly once: then the slab is free.
	pending atomic.Int64
}

var slabPool = sync.Pool{New: func() any { return new(slab) }}

// slabMark is what the first hidden slot of a recyclable slab copy points
// at.
var slabMark [1]byte

// Copy returns a copy of frames (len(frames) at most SlabMaxFrames, total
// bytes in all, at most SlabMax) carved from the current slab. Frames and
// list have no spare capacity but the hidden slots, so an append by
// whoever receives the copy reallocates instead of writing into the next
// message (an append of one overwrites the mark, which only makes the
// slab unrecyclable). With pooled, the copy carries the slab mark and must
// reach exactly one owner, who releases it.
func (s *Slab) Copy(frames [][]byte, total int, pooled bool) [][]byte {
	n := len(frames)
	s.mu.Lock()
	sl := s.cur
	if sl == nil || slabBytes-sl.used < total || slabSlots-sl.slots < n+2 {
		sl = s.next()
	}
	off, lo := sl.used, sl.slots
	sl.used += total
	sl.slots += n + 2
	sl.carved++
	s.mu.Unlock()

	block := sl.bytes[off : off+total : off+total]
	out := sl.lists[lo : lo+n : lo+n+2]
	at := 0
	for i, f := range frames {
		end := at + copy(block[at:], f)
		out[i] = block[at:end:end]
		at = end
	}
	// The hidden slots are set either way: a recycled slab's may hold an
	// earlier message's values.
	h0, h1 := hidden(out, 0), hidden(out, 1)
	if pooled {
		*h0, *h1 = slabMark[:0], sl.bytes[:0:1]
	} else {
		*h0, *h1 = nil, nil
	}
	return out
}

// TryCopy is Copy for a message small enough (at most SlabMaxFrames
// frames, SlabMax bytes); ok false, and no copy, for any other.
func (s *Slab) TryCopy(frames [][]byte, pooled bool) (out [][]byte, ok bool) {
	if len(frames) > SlabMaxFrames {
		return nil, false
	}
	total := 0
	for _, f := range frames {
		total += len(f)
		if total > SlabMax {
			return nil, false
		}
	}
	return s.Copy(frames, total, pooled), true
}

// next retires the current slab and makes a fresh or recycled one current
// (s.mu held).
func (s *Slab) next() *slab {
	if old := s.cur; old != nil {
		retire(old)
	}
	s.cur = newSlab()
	return s.cur
}

// slabOf returns the slab whose first byte p (a slab mark's second slot)
// points at.
func slabOf(p []byte) *slab {
	return (*slab)(unsafe.Pointer(unsafe.SliceData(p[:1])))
}

// release counts one released message of sl back; the last one of a
// retired slab returns it to the pool.
func (sl *slab) release() {
	if sl.pending.Add(-1) == 0 {
		slabPool.Put(sl)
	}
}
