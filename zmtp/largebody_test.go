package zmtp

import (
	"bytes"
	"runtime"
	"testing"
)

// TestLargeBodyAllocatesOnce is finding 4 of issue 14: a large frame cost
// 2.5 times its size in allocations (the body grew by doubling, with a
// copy at each step). Now a body within MaxMessageSize is allocated once
// at its size, and one beyond what may be allocated on the peer's word (no
// limit set) once 1/16 of it has arrived: at most 1.1 times its size.
func TestLargeBodyAllocatesOnce(t *testing.T) {
	const size = 16 << 20
	body := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	frame := AppendFrame(nil, 0, body)
	for _, tc := range []struct {
		name string
		max  int64
	}{{"no limit", 0}, {"within MaxMessageSize", 64 << 20}} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER", MaxMessageSize: tc.max})
			for run := range 2 {
				go p.write(frame)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				m, _, err := c.ReadMessage()
				runtime.ReadMemStats(&after)
				if err != nil || len(m) != 1 || !bytes.Equal(m[0], body) {
					t.Fatalf("read: %v", err)
				}
				ratio := float64(after.TotalAlloc-before.TotalAlloc) / size
				t.Logf("run %d: %.3f bytes allocated per byte of a %d MiB frame", run, ratio, size>>20)
				if ratio > 1.1 {
					t.Fatalf("a %d-byte frame allocated %.2f times its size", size, ratio)
				}
			}
		})
	}
}

// TestLargeBodyTrickled: a large body arriving in small pieces, past the
// pooled chunks it starts in, comes out whole and in order.
func TestLargeBodyTrickled(t *testing.T) {
	const size = 3<<20 + 12345
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(i * 7)
	}
	frame := AppendFrame(nil, 0, body)
	c, p := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER"})
	go func() {
		for len(frame) > 0 {
			n := min(len(frame), 60<<10)
			p.write(frame[:n])
			frame = frame[n:]
		}
	}()
	m, _, err := c.ReadMessage()
	if err != nil || len(m) != 1 || !bytes.Equal(m[0], body) {
		t.Fatalf("trickled body: %v", err)
	}
}
