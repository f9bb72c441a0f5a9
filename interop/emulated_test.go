package interop

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// The two tests here are the interop part of make test-arm: the test
// binary is built for arm64, armv7 or a big-endian target and runs under
// qemu-user, while the libzmq peer (pyzmq) runs natively on the host, so
// the bytes cross a real TCP connection between two architectures. They
// run natively in make test as well.

// patterned returns n bytes that differ from one offset to the next and
// from one seed to the next, so a reordered, shifted or truncated message
// never compares equal.
func patterned(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	out := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			out[i+j] = byte(v >> (8 * j))
		}
	}
	return out
}

// TestPySizesByteExact sends single-frame messages from 0 B to 4 MiB both
// ways between our DEALER and a libzmq DEALER, and compares every byte.
// The sizes sit on ZMTP's short/long frame boundary (255/256) and on
// either side of the buffer sizes a reader uses.
func TestPySizesByteExact(t *testing.T) {
	testpeer.Python(t)
	s := newOurs(t, "DEALER")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Bind: []string{"tcp://127.0.0.1:*"}})
	if err := s.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	// libzmq's receive wait is generous: under emulation a 4 MiB message
	// takes seconds to frame and copy.
	const slow = 60 * time.Second
	o, p := ours{s}, theirs{py}
	for i, n := range []int{0, 1, 7, 255, 256, 257, 4095, 8192, 65535, 65536 + 3, 1 << 20, 4 << 20} {
		msg := patterned(uint64(i), n)
		o.send(t, msg)
		got, ok := p.recv(t, slow)
		if !ok || len(got) != 1 || !bytes.Equal(got[0], msg) {
			t.Fatalf("%d bytes ours->libzmq: got %d frames, ok %v", n, len(got), ok)
		}
		back := patterned(uint64(i)+1000, n)
		p.send(t, back)
		got, ok = o.recv(t, slow)
		if !ok || len(got) != 1 || !bytes.Equal(got[0], back) {
			t.Fatalf("%d bytes libzmq->ours: got %d frames, ok %v", n, len(got), ok)
		}
	}
}

// TestPySwapRingToLibzmq: our PUSH connects to an endpoint nobody listens
// on yet, with a send HWM of 1 and a swap budget, so the messages go
// through the swap ring (the 32-bit ring under make test-arm's armv7
// run); then a libzmq PULL binds there and must receive every one of
// them, in order, byte for byte.
func TestPySwapRingToLibzmq(t *testing.T) {
	testpeer.Python(t)
	// A port that was free a moment ago: the libzmq peer binds it below.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + l.Addr().String()
	l.Close()
	s := newOurs(t, "PUSH", socket.WithSendHWM(1), socket.WithSwap(64<<20, t.TempDir()))
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
	const n = 100
	want := make([][]byte, n)
	for i := range want {
		// Up to 80 KiB, so records wrap the ring's first capacity and
		// the ring grows.
		want[i] = patterned(uint64(i)+7, (i*7919)%(80<<10))
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		err := s.Send(ctx, socket.NewMsg(want[i]))
		cancel()
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if st := s.Stats(); st.Spilled == 0 || st.SwappedBytes == 0 {
		t.Fatalf("nothing went through the swap: %+v", st)
	}
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{ep}})
	for i := range want {
		got, err := py.Recv(60 * time.Second)
		if err != nil {
			t.Fatalf("message %d of %d: %v", i, n, err)
		}
		if len(got) != 1 || !bytes.Equal(got[0], want[i]) {
			t.Fatalf("message %d: %s", i, describe(got, want[i]))
		}
	}
}

func describe(got [][]byte, want []byte) string {
	if len(got) != 1 {
		return fmt.Sprintf("%d frames, want 1", len(got))
	}
	return fmt.Sprintf("%d bytes, want %d (first difference at %d)", len(got[0]), len(want), firstDiff(got[0], want))
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
