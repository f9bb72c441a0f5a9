package clitest

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// High-water marks through the command, against libzmq peers that stop
// reading: PUB drops (and keeps reading stdin), PUSH blocks (and stops
// reading stdin) until the peer reads again.

// floodLine is the i-th line of a flood: big enough that the kernel's
// socket buffers hold a small part of the flood only.
func floodLine(i int) string {
	return fmt.Sprintf("%06d%s", i, strings.Repeat("x", 16<<10))
}

// feed writes n flood lines to w in the background and reports when all
// were written (nil) or writing failed.
func feed(w io.Writer, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if _, err := io.WriteString(w, floodLine(i)+"\n"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return done
}

// drainPy reads from a libzmq peer until it has been quiet for quiet,
// returning the flood line numbers seen, in order.
func drainPy(t *testing.T, py *testpeer.Py, quiet time.Duration) []int {
	t.Helper()
	var seen []int
	for {
		m, err := py.Recv(quiet)
		if errors.Is(err, testpeer.ErrTimeout) {
			return seen
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 1 && len(m[0]) > 6 {
			n, err := strconv.Atoi(string(m[0][:6]))
			if err != nil {
				t.Fatalf("unexpected message %.20q", m[0])
			}
			seen = append(seen, n)
		}
	}
}

var droppedRE = regexp.MustCompile(`dropped (\d+)`)

func TestPubHWMDropsForStalledPySub(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "pub", "--bind", ep, "--hwm", "1", "--linger", "0", "--verbose")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep},
		Subscribe: []string{""}, RcvHWM: testpeer.Int(1)})
	// Publish until the subscription has arrived.
	deadline := time.Now().Add(wait)
	for {
		if _, err := io.WriteString(c.stdin, "sync\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := py.Recv(50 * time.Millisecond); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription never arrived; stderr: %s", c.stderr.String())
		}
	}
	drainPy(t, py, 100*time.Millisecond)
	// The subscriber stops reading. A PUB must keep taking stdin.
	const n = 3000
	select {
	case err := <-feed(c.stdin, n):
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("purezmq pub stopped reading stdin: it blocked on a stalled subscriber")
	}
	seen := drainPy(t, py, 500*time.Millisecond)
	c.stdin.Close()
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if len(seen) >= n/2 {
		t.Fatalf("stalled subscriber received %d of %d: nothing was dropped at HWM 1", len(seen), n)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("out of order: %d after %d", seen[i], seen[i-1])
		}
	}
	ms := droppedRE.FindAllStringSubmatch(c.stderr.String(), -1)
	if ms == nil {
		t.Fatalf("no drop count in stderr: %s", c.stderr.String())
	}
	dropped, _ := strconv.Atoi(ms[len(ms)-1][1])
	if dropped < n/2 || dropped > n-len(seen) {
		t.Fatalf("dropped %d; the subscriber received %d of %d", dropped, len(seen), n)
	}
	t.Logf("sent %d, subscriber received %d, dropped %d", n, len(seen), dropped)
}

func TestPushHWMBlocksOnStalledPyPull(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"},
		RcvHWM: testpeer.Int(1), Extra: []string{"--opt", "RCVBUF=65536"}})
	// A fixed receive buffer stops the kernel growing it (up to
	// tcp_rmem's maximum, often tens of MB), so 800 lines of 16 kB are far
	// more than the connection can hold.
	const n = 800
	c := start(t, "push", "--connect", py.Endpoint(), "--hwm", "1", "--count", strconv.Itoa(n))
	fed := feed(c.stdin, n)
	// Nobody reads: once the pipes and kernel buffers are full, PUSH must
	// block, so it neither finishes nor takes all of stdin.
	select {
	case <-c.done:
		t.Fatalf("purezmq push finished with a stalled peer; stderr: %s", c.stderr.String())
	case err := <-fed:
		t.Fatalf("purezmq push took all of stdin with a stalled peer (%v)", err)
	case <-time.After(1500 * time.Millisecond):
	}
	// The peer reads: everything arrives, in order, and the command ends.
	for i := 0; i < n; i++ {
		m, err := py.Recv(wait)
		if err != nil {
			t.Fatalf("message %d: %v; stderr: %s", i, err, c.stderr.String())
		}
		if want := floodLine(i); len(m) != 1 || string(m[0]) != want {
			t.Fatalf("message %d is %.20q, want %.20q", i, m, want)
		}
	}
	if err := <-fed; err != nil {
		t.Fatal(err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
}

// TestRetainedSubThroughCLI: a libzmq SUB sends no identity, so the durable
// subscriber is our own command with --identity.
func TestRetainedSubThroughCLI(t *testing.T) {
	ep := freeTCP(t)
	pub := start(t, "pub", "--bind", ep, "--retain", "--hwm", "0", "--verbose")
	sub1 := start(t, "sub", "--connect", ep, "--identity", "durable-1")
	deadline := time.Now().Add(wait)
synced:
	for {
		if _, err := io.WriteString(pub.stdin, "sync\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-sub1.lines:
			break synced
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription never arrived; stderr: %s %s", pub.stderr.String(), sub1.stderr.String())
		}
	}
	sub1.cmd.Process.Kill()
	<-sub1.done
	for !strings.Contains(pub.stderr.String(), "RETAINED") {
		if time.Now().After(deadline) {
			t.Fatalf("the subscriber was not retained; stderr: %s", pub.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	const n = 5
	for i := 0; i < n; i++ {
		if _, err := fmt.Fprintf(pub.stdin, "away %d\n", i); err != nil {
			t.Fatal(err)
		}
	}
	// Stale sync lines, if any were parked, are filtered out by --subscribe.
	code, lines, stderr := run(t, "", "sub", "--connect", ep, "--identity", "durable-1",
		"--subscribe", "away", "--count", strconv.Itoa(n), "--timeout", "20s")
	if code != 0 {
		t.Fatalf("returning subscriber: exit %d; stderr: %s", code, stderr)
	}
	var want []string
	for i := 0; i < n; i++ {
		want = append(want, fmt.Sprintf("away %d", i))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("returning subscriber printed %q, want %q", lines, want)
	}
	pub.stdin.Close()
	if code := pub.wait(wait); code != 0 {
		t.Fatalf("pub exit %d; stderr: %s", code, pub.stderr.String())
	}
	if ms := droppedRE.FindStringSubmatch(pub.stderr.String()); ms == nil || ms[1] != "0" {
		t.Fatalf("pub dropped messages with --hwm 0: %s", pub.stderr.String())
	}
}
