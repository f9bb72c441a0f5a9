package buf

import "unsafe"

// RecvSlab is Slab's counterpart on the receiving side: a connection reader
// carves the small frames and the frame list of each message it reads from
// a slab, and the slab goes back to the pool once every message carved from
// it was released (Msg.Release, or a writer that sent it on).
//
// Why: before, the reader carved from plain slabs left to the garbage
// collector. At 4 million 16-byte messages a second that is about 160 MB/s
// of fresh memory: 40 and more collections a second, each preempting the
// reader and the receiving goroutine (runtime.asyncPreempt was 17% of a
// receiver's profile) and faulting in new pages.
//
// Only the reading goroutine uses a RecvSlab, so carving takes no lock;
// releases come from any goroutine and only touch the slab's atomic count.
//
// A message's bytes and its list come from one slab, since the list's mark
// names that slab alone: when the current slab runs out in the middle of a
// message, the frames already carved for it move to the next one.
type RecvSlab struct {
	cur   *slab
	start int // cur.used when the message being read began
}

// RecvMaxFrame is the largest frame RecvSlab carves (four to a slab);
// bodies of MinPooled bytes and more come from the pool, those between are
// allocated. It must stay below MinPooled: Release gives every frame of a
// pool class's capacity from MinPooled up back to the pool. (At 512, a
// subscriber of 1 KiB messages allocated each body: libzmq PUB -> 10 of
// our SUBs ran at 0.75x libzmq's own.)
const RecvMaxFrame = 2 << 10

// emptyFrame is the body of every zero-length frame: non-nil, no memory.
var emptyFrame = []byte{}

// Begin starts a new message: whatever was carved since the last List and
// not listed (an aborted message, a subscription that was copied out) is
// left behind.
func (r *RecvSlab) Begin() {
	if r.cur != nil {
		r.start = r.cur.used
	}
}

// Frame returns room for a frame of size bytes (at most RecvMaxFrame) of
// the message being read; frames are that message's frames so far, which
// are updated in place if they have to move to a new slab.
func (r *RecvSlab) Frame(frames [][]byte, size int) []byte {
	if size == 0 {
		return emptyFrame
	}
	if !r.ensure(frames, size, 0) {
		return make([]byte, size)
	}
	sl := r.cur
	off := sl.used
	sl.used += size
	return sl.bytes[off : off+size : off+size]
}

// List returns the message's frame list, [prefix, frames...] when prefix is
// not nil (a ROUTER's routing id, copied), marked so that Release gives its
// pooled bodies back and counts it back to its slab. The list has no spare
// capacity but the two hidden slots, so an append reallocates.
func (r *RecvSlab) List(frames [][]byte, prefix []byte) [][]byte {
	n := len(frames)
	if prefix != nil {
		n++
	}
	var out [][]byte
	var p []byte
	if r.ensure(frames, len(prefix), n+2) {
		sl := r.cur
		lo := sl.slots
		sl.slots += n + 2
		out = sl.lists[lo : lo+n : lo+n+2]
		if prefix != nil {
			off := sl.used
			sl.used += len(prefix)
			p = sl.bytes[off : off+len(prefix) : off+len(prefix)]
		}
	} else {
		// Too many frames for any slab: a list of its own. Its small
		// frames may still lie in the current slab, so it counts there
		// all the same.
		out = make([][]byte, n, n+2)
		if prefix != nil {
			p = make([]byte, len(prefix))
		}
		if r.cur == nil {
			r.cur = newSlab()
		}
	}
	at := 0
	if prefix != nil {
		copy(p, prefix)
		out[0], at = p, 1
	}
	copy(out[at:], frames)
	sl := r.cur
	sl.carved++
	*hidden(out, 0), *hidden(out, 1) = recvSlabMark[:0], sl.bytes[:0:1]
	r.start = sl.used
	return out
}

// ensure makes sure the current slab has nb bytes and ns list slots free,
// moving to a new slab if not; false when no slab can hold them besides
// what the message already carved.
func (r *RecvSlab) ensure(frames [][]byte, nb, ns int) bool {
	old := r.cur
	if old != nil && slabBytes-old.used >= nb && slabSlots-old.slots >= ns {
		return true
	}
	carved := 0
	if old != nil {
		carved = old.used - r.start
	}
	if carved+nb > slabBytes || ns > slabSlots {
		return false
	}
	sl := newSlab()
	if old != nil {
		if carved > 0 {
			moveFrames(frames, old, r.start, sl)
		}
		retire(old)
	}
	r.cur, r.start = sl, 0
	return true
}

// moveFrames copies the frames of frames that lie in old's bytes from
// start on (start < old.used) into sl, and points frames at the copies.
func moveFrames(frames [][]byte, old *slab, start int, sl *slab) {
	lo := uintptr(unsafe.Pointer(&old.bytes[start]))
	hi := uintptr(unsafe.Pointer(&old.bytes[0])) + uintptr(old.used)
	for i, f := range frames {
		if len(f) == 0 {
			continue
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(f))); p < lo || p >= hi {
			continue
		}
		off := sl.used
		sl.used += copy(sl.bytes[off:], f)
		frames[i] = sl.bytes[off:sl.used:sl.used]
	}
}

// newSlab takes a slab from the pool, emptied.
func newSlab() *slab {
	sl := slabPool.Get().(*slab)
	sl.used, sl.slots, sl.carved = 0, 0, 0
	return sl
}

// retire ends sl's life as a current slab: from now on the releases of its
// messages count down to its return to the pool.
func retire(sl *slab) {
	if sl.pending.Add(sl.carved) == 0 {
		slabPool.Put(sl) // every message already released
	}
}

// recvSlabMark is what the first hidden slot of a RecvSlab list points at.
var recvSlabMark [1]byte
