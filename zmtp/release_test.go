package zmtp

import (
	"testing"

	"github.com/purezmq/purezmq/internal/buf"
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
		buf.Release(m)
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
	sizes := []int{buf.MinPooled, 5000, 64 << 10, 100 << 10}
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
			buf.Release(m)
		}
	}
	for _, k := range keep {
		checkFill(t, k.f, k.seed, "kept")
	}
}

// TestReleaseSmallAndMixed: small frames share recycled slabs, so a
// message that is kept unreleased keeps its bytes while thousands of
// released messages (small ones and ones with a pooled large frame) go
// through the same slabs after it.
func TestReleaseSmallAndMixed(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "DEALER"}, Config{SocketType: "DEALER"}, false)
	small := make([]byte, 100)
	large := make([]byte, 8<<10)
	var smalls [][]byte
	go func() {
		for i := 0; i < 20; i++ {
			_ = a.WriteMessage([][]byte{fill(small, i)})
			_ = a.WriteMessage([][]byte{fill(small, 1000+i), fill(large, 2000+i)})
			for j := 0; j < 100; j++ {
				_ = a.WriteMessage([][]byte{fill(small, 5000+j)})
			}
		}
		_ = a.Flush()
	}()
	for i := 0; i < 20; i++ {
		m := recv(t, b)
		if cap(m) != len(m)+2 {
			t.Fatalf("a received frame list has cap %d for len %d, want two hidden slots", cap(m), len(m))
		}
		checkFill(t, m[0], i, "small")
		smalls = append(smalls, m[0]) // kept: never released
		mixed := recv(t, b)
		checkFill(t, mixed[0], 1000+i, "mixed small")
		checkFill(t, mixed[1], 2000+i, "mixed large")
		if !buf.Release(mixed) || mixed[0] != nil {
			t.Fatal("releasing a received message did nothing")
		}
		for j := 0; j < 100; j++ {
			m := recv(t, b)
			checkFill(t, m[0], 5000+j, "burst")
			buf.Release(m)
		}
	}
	for i, s := range smalls {
		checkFill(t, s, i, "small kept")
	}
}

// TestReleaseTwice: a second release of the same list is a no-op, so the
// pool never hands one buffer to two readers.
func TestReleaseTwice(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "PUSH"}, Config{SocketType: "PULL"}, false)
	send(t, a, make([]byte, 16<<10))
	m := recv(t, b)
	kept := m[:1:1]
	full := m[:len(m):cap(m)]
	buf.Release(full)
	buf.Release(full)
	if kept[0] != nil {
		t.Fatal("release did not clear the frame")
	}
	x, y := buf.Get(16<<10, true), buf.Get(16<<10, true)
	if &x[0] == &y[0] {
		t.Fatal("the pool handed out one buffer twice")
	}
}
