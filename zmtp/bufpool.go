package zmtp

import (
	"math/bits"
	"sync"
)

// Large frame bodies come from size-classed pools so that a receiver that
// gives its messages back (ReleaseMessage, socket.Msg.Release, the analogue
// of zmq_msg_close) lets the next large read reuse the memory instead of
// allocating, zeroing and later collecting a fresh buffer per message.
// Receivers that keep their messages cost nothing more than before: a
// buffer that is never released is simply garbage collected.
const (
	poolMinShift = 12 // 4 KiB, the smallest pooled body
	poolMaxShift = 22 // 4 MiB, the largest
	// PoolMinSize is the smallest frame body read into a pooled buffer.
	PoolMinSize = 1 << poolMinShift
	// PoolMaxSize is the largest frame body read into a pooled buffer.
	PoolMaxSize = 1 << poolMaxShift
)

// bufPools holds one pool per power-of-two class. Entries are *[]byte so
// that Put does not allocate to box a slice header; the boxes themselves
// are recycled through boxPool.
var bufPools [poolMaxShift - poolMinShift + 1]sync.Pool

var boxPool = sync.Pool{New: func() any { return new([]byte) }}

// poolClass returns the class index for a body of size bytes, or -1 when
// size is outside the pooled range.
func poolClass(size int) int {
	if size < PoolMinSize || size > PoolMaxSize {
		return -1
	}
	return bits.Len(uint(size-1)) - poolMinShift
}

// getPooled returns a buffer of length size from its class, or nil when the
// class is empty and alloc is false. With alloc it makes a new one whose
// capacity is exactly the class size, which is what lets putPooled tell it
// apart later.
func getPooled(size int, alloc bool) []byte {
	k := poolClass(size)
	if k < 0 {
		return nil
	}
	if v := bufPools[k].Get(); v != nil {
		box := v.(*[]byte)
		b := *box
		*box = nil
		boxPool.Put(box)
		return b[:size]
	}
	if !alloc {
		return nil
	}
	c := 1 << (k + poolMinShift)
	if c >= skewMinClass {
		// Start half a page in (see poolSkew); the capacity stays the
		// class size, and the unused head lives as long as the buffer.
		return make([]byte, poolSkew+c)[poolSkew : poolSkew+size : poolSkew+c]
	}
	return make([]byte, size, c)
}

// Large pooled buffers start poolSkew bytes into a page rather than at its
// beginning. The kernel copies a body from or into such a buffer at a
// distance of (poolSkew - header bytes) from its own page offset, well away
// from the few bytes that make its copy slow (see pagealign.go): a 1 MiB
// request echoed back (REP) or forwarded (a broker) then needs no staging
// copy, and the direct read of a large body lands at a good offset too
// (1 MiB REQ/REP over tcp: 0.66 ms one way with buffers at the page start,
// 0.46 ms with them 2 KiB in, medians of 4 alternated runs).
const (
	poolSkew     = 2048
	skewMinClass = 32 << 10 // smaller bodies are copied through buffers anyway
)

// putPooled gives b's backing array back to its class when its capacity is
// exactly a class size; anything else is left to the garbage collector.
func putPooled(b []byte) {
	c := cap(b)
	k := poolClass(c)
	if k < 0 || c != 1<<(k+poolMinShift) {
		return
	}
	box := boxPool.Get().(*[]byte)
	*box = b[:0]
	bufPools[k].Put(box)
}

// poolMark is what the hidden slot just past the end of a message's frame
// list points at when the message holds pooled bodies (see markPooled).
// Only this package can produce it, so a frame list built elsewhere never
// carries the mark and ReleaseMessage ignores it.
var poolMark [1]byte

// isMark reports whether f is the pool mark.
func isMark(f []byte) bool { return cap(f) == 1 && len(f) == 0 && &f[:1][0] == &poolMark[0] }

// ReleaseMessage gives the large frame bodies of a message returned by
// ReadMessage back to the buffer pool, for later reads to reuse. It is
// optional: a message never released is garbage collected as usual. After
// the call, msg and its frames must not be used by anyone.
//
// Only a frame list exactly as ReadMessage returned it (or a suffix of it,
// msg[k:]) is recognised: the reader marks such lists in a slot past their
// length. A message built by the caller, one whose list was re-made or
// appended to, or one that holds no pooled body is left alone, so releasing
// a foreign message is harmless. Small frames, which share a slab with
// other messages, are never pooled. It reports whether msg was marked (and
// so handed back).
func ReleaseMessage(msg [][]byte) bool {
	if cap(msg) <= len(msg) {
		return false
	}
	slot := &msg[:len(msg)+1][len(msg)]
	if !isMark(*slot) {
		return false
	}
	// Unmark first: a second release of the same list is a no-op.
	*slot = nil
	for i, f := range msg {
		putPooled(f)
		msg[i] = nil
	}
	return true
}

// DisownMessage removes the pool mark from a message returned by
// ReadMessage without giving its buffers back: from then on ReleaseMessage
// ignores it and its bodies are garbage collected like any other memory.
// A socket calls it on every message handed to Send, because a forwarded
// message may end up shared by several receivers (inproc fan-out), and one
// receiver's release must not recycle memory the others still read.
func DisownMessage(msg [][]byte) {
	if cap(msg) <= len(msg) {
		return
	}
	if slot := &msg[:len(msg)+1][len(msg)]; isMark(*slot) {
		*slot = nil
	}
}

// JoinFrames returns a new frame list [head..., msg...] that takes over
// msg's pool mark, as PrependFrame does for one frame: a REP that puts the
// request's envelope in front of a received message it sends back keeps
// that message's buffers recyclable. msg itself is disowned.
func JoinFrames(head, msg [][]byte) [][]byte {
	n := len(head) + len(msg)
	out := make([][]byte, n, n+1)
	copy(out, head)
	copy(out[len(head):], msg)
	moveMark(out, msg)
	return out
}

// moveMark moves msg's pool mark, if it has one, into the slot past out's
// length (out needs the capacity for it).
func moveMark(out, msg [][]byte) {
	if cap(msg) > len(msg) {
		if slot := &msg[:len(msg)+1][len(msg)]; isMark(*slot) {
			out[:len(out)+1][len(out)] = *slot
			*slot = nil
		}
	}
}

// PrependFrame returns a new frame list [prefix, msg...] that takes over
// msg's pool mark, so a ROUTER that puts the peer's routing id in front of
// a received message keeps it releasable. msg itself is disowned.
func PrependFrame(prefix []byte, msg [][]byte) [][]byte {
	out := make([][]byte, len(msg)+1, len(msg)+2)
	out[0] = prefix
	copy(out[1:], msg)
	moveMark(out, msg)
	return out
}
