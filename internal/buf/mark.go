package buf

import (
	"sync"
	"unsafe"
)

// blockMark and listMark are what the first hidden slot past a list's
// length points at for a Copy (see the package documentation; slabMark and
// recvSlabMark are the slabs'). Only this package can produce them.
// listMark is blockMark on a list that came from the list pool (cap
// listCap at its start), which Release puts back.
var blockMark, listMark [1]byte

func isMark(f []byte, m *[1]byte) bool {
	return cap(f) == 1 && len(f) == 0 && &f[:1][0] == &m[0]
}

// hidden returns the slot i places past msg's length, or nil when msg has
// no capacity there.
func hidden(msg [][]byte, i int) *[]byte {
	if cap(msg)-len(msg) <= i {
		return nil
	}
	return &msg[:len(msg)+i+1][len(msg)+i]
}

// Mark kinds (markKind).
const (
	noMark = iota
	blockKind
	listKind
	slabKind
	recvKind // a reader's list: RecvSlab
)

// markKind reports which mark msg carries.
func markKind(msg [][]byte) int {
	s := hidden(msg, 0)
	switch {
	case s == nil, hidden(msg, 1) == nil:
		return noMark
	case isMark(*s, &recvSlabMark):
		return recvKind
	case isMark(*s, &blockMark):
		return blockKind
	case isMark(*s, &listMark) && cap(msg) <= listCap:
		return listKind
	case isMark(*s, &slabMark):
		return slabKind
	}
	return noMark
}

// pooledList returns the whole pooled list msg is a suffix of: msg starts
// listCap-cap(msg) entries into it.
func pooledList(msg [][]byte) [][]byte {
	k := listCap - cap(msg)
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(msg[:cap(msg)])), -k*int(unsafe.Sizeof([]byte(nil))))
	return unsafe.Slice((*[]byte)(p), listCap)[:0]
}

// Release gives the pooled buffers of a marked message back to the pool
// and reports whether msg was marked. The frames of msg are cleared; after
// the call nobody may use msg or any frame it held. An unmarked message is
// left alone, so releasing a foreign message is harmless.
func Release(msg [][]byte) bool {
	switch kind := markKind(msg); kind {
	case recvKind:
		s, b := hidden(msg, 0), hidden(msg, 1)
		sl := slabOf(*b)
		*s, *b = nil, nil // unmark first: a second release is a no-op
		for i, f := range msg {
			if cap(f) >= MinPooled {
				Put(f)
			}
			msg[i] = nil
		}
		sl.release()
		return true
	case blockKind, listKind:
		s, b := hidden(msg, 0), hidden(msg, 1)
		block := *b
		*s, *b = nil, nil
		clear(msg)
		Put(block)
		if kind == listKind {
			l := pooledList(msg)
			clear(l[:listCap])
			putList(l)
		}
		return true
	case slabKind:
		s, b := hidden(msg, 0), hidden(msg, 1)
		sl := slabOf(*b)
		*s, *b = nil, nil
		clear(msg)
		sl.release()
		return true
	}
	return false
}

// Disown removes msg's mark without giving its buffers back: from then on
// Release ignores it and its memory is garbage collected. A socket that
// fans one message out to several peers disowns it, since no single
// writer or receiver may recycle what the others still read.
func Disown(msg [][]byte) {
	if markKind(msg) != noMark {
		*hidden(msg, 0), *hidden(msg, 1) = nil, nil
	}
}

// moveMark moves msg's mark, if it has one, to the slots past out's length
// (out needs the capacity for two).
func moveMark(out, msg [][]byte) {
	var m *[1]byte
	switch markKind(msg) {
	case noMark:
		return
	case blockKind, listKind:
		// The old list, if pooled, is left to the garbage collector: its
		// holder may still look at it.
		m = &blockMark
	case slabKind:
		m = &slabMark
	case recvKind:
		m = &recvSlabMark
	}
	// A slab is found from the second slot, wherever the list is.
	*hidden(out, 0), *hidden(out, 1) = m[:0], *hidden(msg, 1)
	*hidden(msg, 0), *hidden(msg, 1) = nil, nil
}

// Join returns a new list [head..., msg...] that takes over msg's mark (a
// REP putting the request's envelope in front of its reply). msg itself is
// left unmarked.
func Join(head, msg [][]byte) [][]byte {
	n := len(head) + len(msg)
	out := make([][]byte, n, n+2)
	copy(out, head)
	copy(out[len(head):], msg)
	moveMark(out, msg)
	return out
}

// Prepend returns a new list [prefix, msg...] that takes over msg's mark (a
// ROUTER putting the peer's routing id in front of a received message).
func Prepend(prefix []byte, msg [][]byte) [][]byte {
	out := make([][]byte, len(msg)+1, len(msg)+3)
	out[0] = prefix
	copy(out[1:], msg)
	moveMark(out, msg)
	return out
}

// Copy returns a copy of frames whose bodies are carved from one block.
// With pooled, the block comes from the pool and the list carries the block
// mark, so whoever ends up with it (a connection writer once it wrote it,
// an inproc receiver) may Release it; in steady state such a copy costs no
// allocation. Without, it is plain memory, for a message shared by several
// peers.
func Copy(frames [][]byte, pooled bool) [][]byte { return CopyJoin(nil, frames, pooled) }

// CopyJoin is Copy of the frame list [head..., frames...] (a REQ's empty
// delimiter, a REP's envelope), made in one go.
func CopyJoin(head, frames [][]byte, pooled bool) [][]byte {
	total := 0
	for _, f := range head {
		total += len(f)
	}
	for _, f := range frames {
		total += len(f)
	}
	n := len(head) + len(frames)
	var block []byte
	var out [][]byte
	mark := &blockMark
	if pooled && total <= MaxPooled {
		block = Get(total, true)
		if n+2 <= listCap {
			out, mark = getList(n), &listMark
		} else {
			out = make([][]byte, n, n+2)
		}
	} else {
		block = make([]byte, total)
		out = make([][]byte, n)
		pooled = false
	}
	off := 0
	for i, f := range head {
		end := off + copy(block[off:], f)
		out[i] = block[off:end:end]
		off = end
	}
	for i, f := range frames {
		end := off + copy(block[off:], f)
		out[len(head)+i] = block[off:end:end]
		off = end
	}
	if pooled {
		*hidden(out, 0), *hidden(out, 1) = mark[:0], block[:0]
	}
	return out
}

// Frame lists of Copy with up to listCap-2 frames are pooled too.
const listCap = 8

var listPool = sync.Pool{New: func() any { return new([][]byte) }}

var listBoxes = sync.Pool{New: func() any { return new([][]byte) }}

func getList(n int) [][]byte {
	box := listPool.Get().(*[][]byte)
	l := *box
	*box = nil
	listBoxes.Put(box)
	if l == nil {
		l = make([][]byte, 0, listCap)
	}
	return l[:n]
}

func putList(l [][]byte) {
	box := listBoxes.Get().(*[][]byte)
	*box = l[:0]
	listPool.Put(box)
}
