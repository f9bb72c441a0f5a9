package clitest

import (
	"strconv"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// The counterpart of TestPushHWMBlocksOnStalledPyPull with --swap: past the
// high-water mark the messages spill to disk, so the command takes all of
// stdin although the peer reads nothing, and the peer later gets every
// message in order.
func TestPushSwapsForStalledPyPull(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"},
		RcvHWM: testpeer.Int(1), Extra: []string{"--opt", "RCVBUF=65536"}})
	const n = 800 // 800 lines of 16 kB: 13 MB, far beyond HWM and kernel buffers
	c := start(t, "push", "--connect", py.Endpoint(), "--hwm", "1", "--swap", "64M",
		"--swap-dir", t.TempDir(), "--count", strconv.Itoa(n), "--linger", "30s")
	fed := feed(c.stdin, n)
	select {
	case err := <-fed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatalf("purezmq push with --swap did not take all of stdin from a stalled peer; stderr: %s", c.stderr.String())
	}
	for i := 0; i < n; i++ {
		m, err := py.Recv(wait)
		if err != nil {
			t.Fatalf("message %d: %v; stderr: %s", i, err, c.stderr.String())
		}
		if want := floodLine(i); len(m) != 1 || string(m[0]) != want {
			t.Fatalf("message %d is %.20q, want %.20q", i, m, want)
		}
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
}
