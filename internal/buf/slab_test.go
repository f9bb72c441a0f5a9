package buf

import (
	"bytes"
	"testing"
)

// fillSlab copies one-frame messages until s moves to a new slab and
// returns the copies made in the first one.
func fillSlab(s *Slab, pooled bool) (msgs [][][]byte, first *slab) {
	for {
		m := s.Copy([][]byte{[]byte("0123456789abcdef")}, 16, pooled)
		if first == nil {
			first = s.cur
		}
		if s.cur != first {
			return msgs, first
		}
		msgs = append(msgs, m)
	}
}

// A slab's copies are independent of their source and of each other, carry
// the slab mark when pooled, and no mark otherwise.
func TestSlabCopy(t *testing.T) {
	var s Slab
	src := []byte("abcd")
	a := s.Copy([][]byte{src, []byte("ef")}, 6, true)
	b := s.Copy([][]byte{[]byte("WXYZ")}, 4, false)
	src[0] = '!'
	if string(a[0]) != "abcd" || string(a[1]) != "ef" {
		t.Fatalf("copy follows its source: %q", a)
	}
	if markKind(a) != slabKind || markKind(b) != noMark {
		t.Fatalf("mark kinds %d %d, want slab and none", markKind(a), markKind(b))
	}
	// Growing a frame or the list of one copy never reaches the next.
	a[1] = append(a[1], "ghij"...)
	a = append(a, []byte("more"), []byte("and more"), []byte("and more"))
	if string(b[0]) != "WXYZ" || len(b) != 1 {
		t.Fatalf("append to one copy reached the next: %q", b)
	}
}

// A retired slab goes back to the pool exactly when its last message is
// released, whichever comes last: the releases or the retirement.
func TestSlabRecycle(t *testing.T) {
	var s Slab
	msgs, first := fillSlab(&s, true)
	if len(msgs) < 100 {
		t.Fatalf("only %d one-frame messages per slab", len(msgs))
	}
	// Retired (fillSlab moved on) with every message outstanding.
	for i, m := range msgs {
		if got := first.pending.Load(); got != int64(len(msgs)-i) {
			t.Fatalf("pending %d after %d releases, want %d", got, i, len(msgs)-i)
		}
		if !Release(m) {
			t.Fatal("slab copy not released")
		}
		if Release(m) {
			t.Fatal("second release counted")
		}
	}
	if got := first.pending.Load(); got != 0 {
		t.Fatalf("pending %d after every release, want 0", got)
	}

	// Releases before retirement: pending runs negative, then reaches
	// zero at retirement.
	var s2 Slab
	m := s2.Copy([][]byte{[]byte("x")}, 1, true)
	sl := s2.cur
	Release(m)
	if got := sl.pending.Load(); got != -1 {
		t.Fatalf("pending %d before retirement, want -1", got)
	}
	s2.next()
	if got := sl.pending.Load(); got != 0 {
		t.Fatalf("pending %d after retirement, want 0", got)
	}
}

// A disowned or unmarked copy keeps its slab from being recycled: the
// count never reaches zero.
func TestSlabDisownPins(t *testing.T) {
	var s Slab
	msgs, first := fillSlab(&s, true)
	Disown(msgs[0])
	for _, m := range msgs {
		Release(m)
	}
	if got := first.pending.Load(); got <= 0 {
		t.Fatalf("pending %d with a disowned message, want > 0", got)
	}
}

// Join and Prepend carry the slab mark to the new list; releasing the new
// list counts the message back once.
func TestSlabJoin(t *testing.T) {
	var s Slab
	m := s.Copy([][]byte{[]byte("body")}, 4, true)
	sl := s.cur
	j := Prepend([]byte("id"), m)
	if markKind(m) != noMark || markKind(j) != slabKind {
		t.Fatalf("after Prepend: kinds %d %d", markKind(m), markKind(j))
	}
	if !bytes.Equal(j[1], []byte("body")) {
		t.Fatalf("joined %q", j)
	}
	Release(m) // unmarked now: nothing
	Release(j)
	if got := sl.pending.Load(); got != -1 {
		t.Fatalf("pending %d, want -1 (one release before retirement)", got)
	}
}

// Copying into the slab costs no allocation in steady state when every
// copy is released.
func TestSlabNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	var s Slab
	frames := [][]byte{bytes.Repeat([]byte("x"), 100)}
	for range 10000 { // warm the pool
		Release(s.Copy(frames, 100, true))
	}
	allocs := testing.AllocsPerRun(10000, func() {
		Release(s.Copy(frames, 100, true))
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per copy", allocs)
	}
}
