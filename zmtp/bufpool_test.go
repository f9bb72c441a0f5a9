package zmtp

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
		{0, -1}, {PoolMinSize - 1, -1}, {PoolMinSize, 0}, {PoolMinSize + 1, 1},
		{8 << 10, 1}, {64 << 10, 4}, {64<<10 + 1, 5}, {PoolMaxSize, 10}, {PoolMaxSize + 1, -1},
	} {
		if got := poolClass(tc.size); got != tc.class {
			t.Errorf("poolClass(%d) = %d, want %d", tc.size, got, tc.class)
		}
	}
	b := getPooled(5000, true)
	if len(b) != 5000 || cap(b) != 8<<10 {
		t.Fatalf("getPooled(5000) len %d cap %d, want 5000 and 8192", len(b), cap(b))
	}
	if b := getPooled(PoolMaxSize+1, true); b != nil {
		t.Fatalf("getPooled over the largest class returned %d bytes", len(b))
	}
}

// TestReleaseReuses: a released body comes back as the buffer of a later read
// of the same class. sync.Pool may drop entries (always so under the race
// detector, now and then), so one reuse within a few tries is the claim.
func TestReleaseReuses(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "PUSH"}, Config{SocketType: "PULL"}, false)
	body := make([]byte, 6000)
	reused := false
	for i := 0; i < 50 && !reused; i++ {
		send(t, a, fill(body, i))
		m := recv(t, b)
		checkFill(t, m[0], i, "first")
		if cap(m[0]) != 8<<10 {
			t.Fatalf("a 6000-byte body has cap %d, want the 8 KiB class", cap(m[0]))
		}
		p := &m[0][:1][0]
		ReleaseMessage(m)
		if m[0] != nil {
			t.Fatal("release left the frame in the list")
		}
		send(t, a, fill(body, i+1))
		m2 := recv(t, b)
		checkFill(t, m2[0], i+1, "second")
		reused = &m2[0][:1][0] == p
	}
	if !reused {
		t.Fatal("a released buffer was never reused by a later read")
	}
}

// TestUnreleasedStayIntact is the aliasing check: messages kept without a
// release, while others of the same size are released and their buffers
// reused, keep every byte they were received with.
func TestUnreleasedStayIntact(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "PUSH"}, Config{SocketType: "PULL"}, false)
	const n = 200
	sizes := []int{PoolMinSize, 5000, 64 << 10, 100 << 10}
	type kept struct {
		f    []byte
		seed int
	}
	var keep []kept
	go func() {
		buf := make([]byte, 100<<10)
		for i := 0; i < n; i++ {
			if err := a.WriteMessage([][]byte{fill(buf[:sizes[i%len(sizes)]], i)}); err != nil {
				return
			}
		}
		_ = a.Flush()
	}()
	for i := 0; i < n; i++ {
		m := recv(t, b)
		if len(m[0]) != sizes[i%len(sizes)] {
			t.Fatalf("message %d: %d bytes, want %d", i, len(m[0]), sizes[i%len(sizes)])
		}
		checkFill(t, m[0], i, "on receipt")
		if i%3 == 0 {
			keep = append(keep, kept{m[0], i})
		} else {
			ReleaseMessage(m)
		}
	}
	for _, k := range keep {
		checkFill(t, k.f, k.seed, "kept")
	}
}

// TestReleaseSmallAndMixed: small frames share slabs and are never pooled, so
// releasing a message with small frames leaves the other messages carved
// from the same slab intact, while its large frame may be reused.
func TestReleaseSmallAndMixed(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "DEALER"}, Config{SocketType: "DEALER"}, false)
	small := make([]byte, 100)
	large := make([]byte, 8<<10)
	var smalls [][]byte
	for i := 0; i < 20; i++ {
		send(t, a, fill(small, i))
		m := recv(t, b)
		if cap(m) != len(m) {
			t.Fatalf("a small message's frame list has spare room (cap %d, len %d)", cap(m), len(m))
		}
		smalls = append(smalls, m[0])
		send(t, a, fill(small, 1000+i), fill(large, 2000+i))
		mixed := recv(t, b)
		checkFill(t, mixed[0], 1000+i, "mixed small")
		checkFill(t, mixed[1], 2000+i, "mixed large")
		ReleaseMessage(mixed)
		ReleaseMessage(m) // no mark: a no-op
		if m[0] == nil {
			t.Fatal("releasing a small message cleared its frame")
		}
	}
	for i := 0; i < 50; i++ {
		send(t, a, fill(large, 3000+i))
		ReleaseMessage(recv(t, b))
	}
	for i, s := range smalls {
		checkFill(t, s, i, "small kept")
	}
}

// TestReleaseForeign: lists not made by ReadMessage are left alone, even when
// their buffers have a class's exact capacity or their list has spare room.
func TestReleaseForeign(t *testing.T) {
	foreign := fill(make([]byte, 8<<10), 7)
	list := make([][]byte, 1, 4)
	list[0] = foreign
	ReleaseMessage(list)
	ReleaseMessage([][]byte{foreign})
	ReleaseMessage(nil)
	if list[0] == nil {
		t.Fatal("a foreign list was cleared")
	}
	for i := 0; i < 100; i++ {
		b := getPooled(8<<10, true)
		if &b[0] == &foreign[0] {
			t.Fatal("a foreign buffer went into the pool")
		}
		fill(b, 99)
		putPooled(b)
	}
	checkFill(t, foreign, 7, "foreign")
}

// TestReleaseTwice: a second release of the same list is a no-op, so the
// pool never hands one buffer to two readers.
func TestReleaseTwice(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "PUSH"}, Config{SocketType: "PULL"}, false)
	send(t, a, make([]byte, 16<<10))
	m := recv(t, b)
	kept := m[:1:1]
	full := m[:len(m):cap(m)]
	ReleaseMessage(full)
	ReleaseMessage(full)
	if kept[0] != nil {
		t.Fatal("release did not clear the frame")
	}
	x, y := getPooled(16<<10, true), getPooled(16<<10, true)
	if &x[0] == &y[0] {
		t.Fatal("the pool handed out one buffer twice")
	}
}

// PrependFrame moves the pool mark to the new list: releasing the new list
// returns the body, releasing the old one does nothing.
func TestPrependFrameKeepsMark(t *testing.T) {
	body := getPooled(8<<10, true)
	msg := make([][]byte, 1, 2)
	msg[0] = body
	msg[:2][1] = poolMark[:0]
	out := PrependFrame([]byte("id"), msg)
	if len(out) != 2 || string(out[0]) != "id" || &out[1][0] != &body[0] {
		t.Fatalf("PrependFrame = %q", out)
	}
	if isMark(msg[:2][1]) {
		t.Fatal("the old list kept its mark")
	}
	if !isMark(out[:3][2]) {
		t.Fatal("the new list has no mark")
	}
	ReleaseMessage(out)
	if out[1] != nil {
		t.Fatal("release of the new list did nothing")
	}
}

// JoinFrames, like PrependFrame, moves the mark behind the joined list;
// without a mark on msg it joins and marks nothing.
func TestJoinFramesKeepsMark(t *testing.T) {
	body := getPooled(64<<10, true)
	msg := make([][]byte, 1, 2)
	msg[0] = body
	msg[:2][1] = poolMark[:0]
	env := [][]byte{[]byte("id"), {}}
	out := JoinFrames(env, msg)
	if len(out) != 3 || string(out[0]) != "id" || len(out[1]) != 0 || &out[2][0] != &body[0] {
		t.Fatalf("JoinFrames = %q", out)
	}
	if isMark(msg[:2][1]) || !isMark(out[:4][3]) {
		t.Fatal("the mark did not move to the joined list")
	}
	ReleaseMessage(out)
	if out[2] != nil {
		t.Fatal("release of the joined list did nothing")
	}
	plain := JoinFrames(env, [][]byte{[]byte("x")})
	if len(plain) != 3 || cap(plain) > len(plain) && isMark(plain[:4][3]) {
		t.Fatalf("JoinFrames of an unmarked message = %q", plain)
	}
}

// Large pooled buffers start poolSkew bytes into a page and still go back
// to their class.
func TestPoolSkew(t *testing.T) {
	for _, size := range []int{8 << 10, 32 << 10, 1 << 20} {
		b := getPooled(size, true)
		want := 0
		if size >= skewMinClass {
			want = poolSkew
		}
		if got := pageOffset(b); got != want {
			t.Errorf("%d B: page offset %d, want %d", size, got, want)
		}
		if cap(b) != size {
			t.Errorf("%d B: capacity %d", size, cap(b))
		}
	}
}
