package buf

import (
	"testing"
)

// fill writes a pattern that differs per message and per byte, so that any
// aliasing between two messages shows up as a wrong byte.
func fill(b []byte, seed int) []byte {
	for i := range b {
		b[i] = byte(seed*131 + i*7 + i>>8)
	}
	return b
}

func checkFill(t *testing.T, b []byte, seed int, what string) {
	t.Helper()
	for i := range b {
		if b[i] != byte(seed*131+i*7+i>>8) {
			t.Fatalf("%s: byte %d of message %d is %#x, want %#x", what, i, seed, b[i], byte(seed*131+i*7+i>>8))
		}
	}
}

func TestPoolClass(t *testing.T) {
	for _, tc := range []struct{ size, class int }{
		{0, 0}, {64, 0}, {65, 1}, {MinPooled - 1, 6}, {MinPooled, 6}, {MinPooled + 1, 7},
		{8 << 10, 7}, {64 << 10, 10}, {64<<10 + 1, 11}, {MaxPooled, 16}, {MaxPooled + 1, -1},
	} {
		if got := class(tc.size); got != tc.class {
			t.Errorf("class(%d) = %d, want %d", tc.size, got, tc.class)
		}
	}
	b := Get(5000, true)
	if len(b) != 5000 || cap(b) != 8<<10 {
		t.Fatalf("Get(5000) len %d cap %d, want 5000 and 8192", len(b), cap(b))
	}
	if b := Get(MaxPooled+1, true); b != nil {
		t.Fatalf("Get over the largest class returned %d bytes", len(b))
	}
}

// TestReleaseForeign: lists not made by ReadMessage are left alone, even when
// their buffers have a class's exact capacity or their list has spare room.
func TestReleaseForeign(t *testing.T) {
	foreign := fill(make([]byte, 8<<10), 7)
	list := make([][]byte, 1, 4)
	list[0] = foreign
	Release(list)
	Release([][]byte{foreign})
	Release(nil)
	if list[0] == nil {
		t.Fatal("a foreign list was cleared")
	}
	for i := 0; i < 100; i++ {
		b := Get(8<<10, true)
		if &b[0] == &foreign[0] {
			t.Fatal("a foreign buffer went into the pool")
		}
		fill(b, 99)
		Put(b)
	}
	checkFill(t, foreign, 7, "foreign")
}

// Prepend moves the pool mark to the new list: releasing the new list
// returns the body, releasing the old one does nothing.
func TestPrependKeepsMark(t *testing.T) {
	body := Get(8<<10, true)
	var r RecvSlab
	msg := r.List([][]byte{body}, nil)
	out := Prepend([]byte("id"), msg)
	if len(out) != 2 || string(out[0]) != "id" || &out[1][0] != &body[0] {
		t.Fatalf("Prepend = %q", out)
	}
	if markKind(msg) != noMark {
		t.Fatal("the old list kept its mark")
	}
	if markKind(out) != recvKind {
		t.Fatal("the new list has no mark")
	}
	Release(out)
	if out[1] != nil {
		t.Fatal("release of the new list did nothing")
	}
}

// Join, like Prepend, moves the mark behind the joined list;
// without a mark on msg it joins and marks nothing.
func TestJoinKeepsMark(t *testing.T) {
	body := Get(64<<10, true)
	var r RecvSlab
	msg := r.List([][]byte{body}, nil)
	env := [][]byte{[]byte("id"), {}}
	out := Join(env, msg)
	if len(out) != 3 || string(out[0]) != "id" || len(out[1]) != 0 || &out[2][0] != &body[0] {
		t.Fatalf("Join = %q", out)
	}
	if markKind(msg) != noMark || markKind(out) != recvKind {
		t.Fatal("the mark did not move to the joined list")
	}
	Release(out)
	if out[2] != nil {
		t.Fatal("release of the joined list did nothing")
	}
	plain := Join(env, [][]byte{[]byte("x")})
	if len(plain) != 3 || markKind(plain) != noMark {
		t.Fatalf("Join of an unmarked message = %q", plain)
	}
}

// Large pooled buffers start Skew bytes into a page and still go back
// to their class.
func TestPoolSkew(t *testing.T) {
	for _, size := range []int{8 << 10, 32 << 10, 1 << 20} {
		b := Get(size, true)
		want := 0
		if size >= skewMinClass {
			want = Skew
		}
		if got := PageOffset(b); got != want {
			t.Errorf("%d B: page offset %d, want %d", size, got, want)
		}
		if cap(b) != size {
			t.Errorf("%d B: capacity %d", size, cap(b))
		}
	}
}
