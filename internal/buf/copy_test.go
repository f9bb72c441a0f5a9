package buf

import (
	"bytes"
	"testing"
)

// Copy's frames are the caller's bytes in new memory: changing the source
// afterwards changes nothing in the copy, and empty frames survive.
func TestCopyIndependent(t *testing.T) {
	for _, pooled := range []bool{true, false} {
		src := [][]byte{[]byte("id"), {}, bytes.Repeat([]byte("x"), 5000)}
		out := Copy(src, pooled)
		for _, f := range src {
			for i := range f {
				f[i] = '!'
			}
		}
		if len(out) != 3 || string(out[0]) != "id" || len(out[1]) != 0 || !bytes.Equal(out[2], bytes.Repeat([]byte("x"), 5000)) {
			t.Fatalf("pooled %v: copy changed with its source: %q", pooled, out[:2])
		}
		if got := markKind(out); got != map[bool]int{true: listKind, false: noMark}[pooled] {
			t.Fatalf("pooled %v: mark kind %d", pooled, got)
		}
		// A frame cannot grow into its neighbour.
		if cap(out[0]) != len(out[0]) {
			t.Fatalf("pooled %v: first frame has cap %d past its length %d", pooled, cap(out[0]), len(out[0]))
		}
	}
}

// A released copy is unmarked and cleared; releasing it twice, or a suffix
// after the whole, does nothing more; Disown keeps the frames but drops
// the mark.
func TestCopyRelease(t *testing.T) {
	out := Copy([][]byte{[]byte("a"), []byte("b")}, true)
	tail := out[1:]
	if markKind(tail) != listKind {
		t.Fatal("a suffix of a copy lost the mark")
	}
	if !Release(out) || out[0] != nil || out[1] != nil {
		t.Fatalf("Release of a copy: %q", out)
	}
	if Release(out) || Release(tail) {
		t.Fatal("a second release was not a no-op")
	}
	d := Copy([][]byte{[]byte("keep")}, true)
	Disown(d)
	if Release(d) || string(d[0]) != "keep" {
		t.Fatalf("Release after Disown freed the copy: %q", d)
	}
}

// Join and Prepend carry a copy's block mark over, and releasing the new
// list gives the block back.
func TestCopyMarkMoves(t *testing.T) {
	c := Copy([][]byte{[]byte("body")}, true)
	j := Join([][]byte{[]byte("env"), {}}, c)
	if markKind(c) != noMark || markKind(j) != blockKind {
		t.Fatalf("Join: marks %d and %d, want 0 and 2", markKind(c), markKind(j))
	}
	p := Prepend([]byte("id"), j)
	if markKind(j) != noMark || markKind(p) != blockKind || string(p[3]) != "body" {
		t.Fatalf("Prepend: marks %d and %d, %q", markKind(j), markKind(p), p)
	}
	if !Release(p) {
		t.Fatal("release of the moved mark did nothing")
	}
}

// A released suffix (a ROUTER's body, m[1:]) gives the whole pooled list
// back; the next copy reuses it.
func TestCopySuffixReleasesList(t *testing.T) {
	m := CopyJoin([][]byte{[]byte("id")}, [][]byte{[]byte("body")}, true)
	full := m[:cap(m)]
	if !Release(m[1:]) {
		t.Fatal("release of a suffix did nothing")
	}
	for i, f := range full {
		if f != nil {
			t.Fatalf("entry %d of the pooled list not cleared: %q", i, f)
		}
	}
	if markKind(m) != noMark {
		t.Fatal("the whole list still carries a mark")
	}
}

// In steady state a pooled copy that is released costs no allocation.
func TestCopyNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries at random under -race; run without -race")
	}
	src := [][]byte{[]byte("hello"), make([]byte, 300)}
	Release(Copy(src, true)) // warm the pools
	if n := testing.AllocsPerRun(100, func() { Release(Copy(src, true)) }); n > 0.1 {
		t.Fatalf("%.2f allocations per pooled copy and release", n)
	}
	head := [][]byte{[]byte("id")}
	if n := testing.AllocsPerRun(100, func() { Release(CopyJoin(head, src, true)[1:]) }); n > 0.1 {
		t.Fatalf("%.2f allocations per pooled copy and release", n)
	}
}

func BenchmarkCopyRelease(b *testing.B) {
	for _, size := range []int{16, 256, 4 << 10, 64 << 10} {
		src := [][]byte{make([]byte, size)}
		b.Run(byteSize(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				Release(Copy(src, true))
			}
		})
	}
}

func byteSize(n int) string {
	switch {
	case n >= 1<<10:
		return itoa(n>>10) + "KiB"
	}
	return itoa(n) + "B"
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
