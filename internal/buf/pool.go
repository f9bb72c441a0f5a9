package buf

import (
	"math/bits"
	"sync"
)

// Buffers come from power-of-two size classes, from 64 B to 4 MiB. Small
// classes hold Copy's blocks; readers pool only bodies of MinPooled bytes
// and more (smaller ones are carved from shared slabs, which must never
// reach a pool).
const (
	minShift = 6  // 64 B, the smallest class
	maxShift = 22 // 4 MiB, the largest
	// MinPooled is the smallest frame body a reader takes from the pool.
	MinPooled = 4 << 10
	// MaxPooled is the largest pooled buffer.
	MaxPooled = 1 << maxShift
)

// pools holds one pool per class. Entries are *[]byte so that Put does not
// allocate to box a slice header; the boxes are recycled through boxPool.
var pools [maxShift - minShift + 1]sync.Pool

var boxPool = sync.Pool{New: func() any { return new([]byte) }}

// class returns the class index for a buffer of size bytes, or -1 when
// size is outside the pooled range.
func class(size int) int {
	if size > MaxPooled {
		return -1
	}
	if size <= 1<<minShift {
		return 0
	}
	return bits.Len(uint(size-1)) - minShift
}

// Get returns a buffer of length size from its class, or nil when the
// class is empty and alloc is false, or size is over MaxPooled. With alloc
// it makes a new one whose capacity is exactly the class size, which is
// what lets Put tell it apart later.
func Get(size int, alloc bool) []byte {
	k := class(size)
	if k < 0 {
		return nil
	}
	if hot[k].limit > 0 {
		if b := hot[k].pop(); b != nil {
			return b[:size]
		}
	}
	if v := pools[k].Get(); v != nil {
		box := v.(*[]byte)
		b := *box
		*box = nil
		boxPool.Put(box)
		return b[:size]
	}
	if !alloc {
		return nil
	}
	c := 1 << (k + minShift)
	if c >= skewMinClass {
		// Start half a page in (see Skew); the capacity stays the class
		// size, and the unused head lives as long as the buffer.
		return make([]byte, Skew+c)[Skew : Skew+size : Skew+c]
	}
	return make([]byte, size, c)
}

// Put gives b's backing array back to its class when its capacity is
// exactly a class size; anything else is left to the garbage collector.
// After Put, nobody may use b.
func Put(b []byte) {
	c := cap(b)
	k := class(c)
	if k < 0 || c != 1<<(k+minShift) {
		return
	}
	if hot[k].limit > 0 {
		if b = hot[k].push(b[:0]); b == nil {
			return
		}
	}
	putPool(k, b)
}

// putPool gives b, of class k, to the class's sync.Pool.
func putPool(k int, b []byte) {
	box := boxPool.Get().(*[]byte)
	*box = b[:0]
	pools[k].Put(box)
}

// Large pooled buffers start Skew bytes into a page rather than at its
// beginning. The kernel copies a body from or into such a buffer at a
// distance of (Skew - header bytes) from its own page offset, well away
// from the few bytes that make its copy slow (see pagealign.go): a 1 MiB
// request echoed back (REP) or forwarded (a broker) then needs no staging
// copy, and the direct read of a large body lands at a good offset too
// (1 MiB REQ/REP over tcp: 0.66 ms one way with buffers at the page start,
// 0.46 ms with them 2 KiB in, medians of 4 alternated runs).
const (
	Skew         = 2048
	skewMinClass = 32 << 10 // smaller bodies are copied through buffers anyway
)
