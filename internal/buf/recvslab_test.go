package buf

import (
	"bytes"
	"testing"
)

// readMsg plays a connection reader: it carves each frame of sizes from r
// and fills it with seed-derived bytes, then lists the message.
func readMsg(r *RecvSlab, prefix []byte, seed int, sizes ...int) [][]byte {
	r.Begin()
	var frames [][]byte
	for i, n := range sizes {
		f := r.Frame(frames, n)
		for j := range f {
			f[j] = byte(seed + i + j)
		}
		frames = append(frames, f)
	}
	return r.List(frames, prefix)
}

func checkMsg(t *testing.T, m [][]byte, prefix []byte, seed int, sizes ...int) {
	t.Helper()
	if prefix != nil {
		if !bytes.Equal(m[0], prefix) {
			t.Fatalf("prefix %q, want %q", m[0], prefix)
		}
		m = m[1:]
	}
	if len(m) != len(sizes) {
		t.Fatalf("%d frames, want %d", len(m), len(sizes))
	}
	for i, n := range sizes {
		if len(m[i]) != n {
			t.Fatalf("frame %d: %d bytes, want %d", i, len(m[i]), n)
		}
		for j, c := range m[i] {
			if c != byte(seed+i+j) {
				t.Fatalf("message %d frame %d byte %d: %d, want %d", seed, i, j, c, byte(seed+i+j))
			}
		}
	}
}

// A message kept unreleased pins its slab: thousands of released messages
// after it never overwrite it, while they themselves recycle slabs.
func TestRecvSlabKeptSurvivesRecycling(t *testing.T) {
	var r RecvSlab
	var kept [][][]byte
	for i := 0; i < 20000; i++ {
		m := readMsg(&r, nil, i, 16, 0, 100)
		if i%997 == 0 {
			kept = append(kept, m)
			continue
		}
		checkMsg(t, m, nil, i, 16, 0, 100)
		if !Release(m) {
			t.Fatalf("message %d: not marked", i)
		}
	}
	for k, m := range kept {
		checkMsg(t, m, nil, k*997, 16, 0, 100)
	}
}

// A message whose frames do not fit in what is left of the current slab
// moves to the next one whole: its list names one slab, and every frame
// keeps its bytes.
func TestRecvSlabMovesMessage(t *testing.T) {
	var r RecvSlab
	var msgs [][][]byte
	// A small frame, then large ones: slabs run out in mid-message.
	for i := 0; i < 200; i++ {
		msgs = append(msgs, readMsg(&r, []byte("id"), i, 7, 300, 300))
	}
	for i, m := range msgs {
		checkMsg(t, m, []byte("id"), i, 7, 300, 300)
		sl := slabOf(*hidden(m, 1))
		for j, f := range m {
			if !inSlab(sl, f) {
				t.Fatalf("message %d frame %d lies outside the slab its list names", i, j)
			}
		}
	}
	for _, m := range msgs {
		Release(m)
	}
}

func inSlab(sl *slab, f []byte) bool {
	if len(f) == 0 {
		return true
	}
	for i := range sl.bytes {
		if &sl.bytes[i] == &f[0] {
			return i+len(f) <= slabBytes
		}
	}
	return false
}

// More bytes than a slab holds, or more frames than its list slots: the
// rest is allocated, the message is still whole and releasable.
func TestRecvSlabOversized(t *testing.T) {
	var r RecvSlab
	many := make([]int, slabSlots)
	for i := range many {
		many[i] = 1
	}
	big := []int{512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512}
	for i := 0; i < 50; i++ {
		m1 := readMsg(&r, nil, i, many...)
		m2 := readMsg(&r, []byte("p"), i, big...)
		small := readMsg(&r, nil, i, 16)
		checkMsg(t, m1, nil, i, many...)
		checkMsg(t, m2, []byte("p"), i, big...)
		checkMsg(t, small, nil, i, 16)
		for _, m := range [][][]byte{m1, m2, small} {
			if !Release(m) {
				t.Fatal("an oversized message is not releasable")
			}
		}
	}
}

// Release counts a message back once: a second Release, or one of a list
// Disown unmarked, does nothing; Prepend and Join keep the slab's count.
func TestRecvSlabMarkMoves(t *testing.T) {
	var r RecvSlab
	m := readMsg(&r, nil, 1, 16)
	out := Prepend([]byte("id"), m)
	if markKind(m) != noMark || markKind(out) != recvKind {
		t.Fatal("Prepend did not move the receive mark")
	}
	if Release(m) {
		t.Fatal("the unmarked old list released")
	}
	if !Release(out) || Release(out) {
		t.Fatal("release of the prepended list: want once")
	}
	d := readMsg(&r, nil, 2, 16)
	Disown(d)
	if Release(d) {
		t.Fatal("a disowned message released")
	}
}

// Received and released, small messages cost no allocation in steady
// state: their slabs come back from the pool.
func TestRecvSlabNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	var r RecvSlab
	allocs := testing.AllocsPerRun(20, func() {
		for i := 0; i < 1000; i++ {
			Release(readMsg(&r, nil, i, 16))
		}
	})
	if allocs > 0 {
		t.Fatalf("%.1f allocations per 1000 messages, want 0", allocs)
	}
}

// A carved frame must never look like a pool buffer to Release.
func TestRecvMaxFrameBelowPool(t *testing.T) {
	if RecvMaxFrame >= MinPooled {
		t.Fatalf("RecvMaxFrame %d >= MinPooled %d: Release would pool slab frames", RecvMaxFrame, MinPooled)
	}
}
