//go:build soak

package socket

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSoakIdleConn10k is issue 14's idle-connection figure at its scale
// (make soak): the memory a ROUTER holds per idle connection with 10,000
// DEALERs connected, ours and libzmq's (pyzmq, scripts/idleconn_pyzmq.py)
// measured in the same run. The clients run in a child process (both ends
// of 10,000 connections in one process need more descriptors than the
// 20,000 a process may have here), so each figure is the server's alone.
// Ours must not cost more than libzmq's per connection, and must give the
// memory back once the clients are gone.
func TestSoakIdleConn10k(t *testing.T) {
	const n = 10000
	py := pyzmqIdle(t, n)
	ours, held := goIdle(t, n)
	t.Logf("%d idle connections: purezmq ROUTER %.1f KiB RSS per connection (%.1f KiB per connection still resident once they left, after debug.FreeOSMemory), libzmq ROUTER %.1f KiB",
		n, ours, held, py)
	if ours > py {
		t.Errorf("purezmq costs %.1f KiB per idle connection, over libzmq's %.1f", ours, py)
	}
	if held > ours/2 {
		t.Errorf("%.1f KiB per departed connection still resident", held)
	}
}

// goIdle measures our ROUTER: RSS per connection with n connected, and
// per connection that was, once they left.
func goIdle(t *testing.T, n int) (perConn, held float64) {
	router := newSock(t, Router, WithLinger(0))
	ep := bindAt(t, router, "tcp")
	runtime.GC()
	rss0 := vmRSS()
	stop := idleClients(t, strings.TrimPrefix(ep, "tcp://"), n)
	waitFor(t, 2*time.Minute, "the connections to attach", func() bool { return router.Stats().Peers == n })
	time.Sleep(time.Second) // the handshakes' last goroutines end
	runtime.GC()
	perConn = float64(vmRSS()-rss0) / float64(n) / 1024
	stop()
	waitFor(t, 2*time.Minute, "the connections to end", func() bool { return router.Stats().Peers == 0 })
	runtime.GC()
	runtime.GC() // pooled buffers survive one collection
	// What the runtime would give back on its own over minutes (the
	// scavenger), at once: what is left is what we still hold.
	debug.FreeOSMemory()
	held = float64(vmRSS()-rss0) / float64(n) / 1024
	return perConn, held
}

var pyIdleLine = regexp.MustCompile(`([0-9.]+) KiB RSS per connection`)

// pyzmqIdle measures a libzmq ROUTER the same way, through pyzmq.
func pyzmqIdle(t *testing.T, n int) float64 {
	py := exec.Command("/usr/bin/python3", "../scripts/idleconn_pyzmq.py", "--serve", strconv.Itoa(n))
	in, _ := py.StdinPipe()
	outp, _ := py.StdoutPipe()
	py.Stderr = os.Stderr
	skip := t.Skipf
	if os.Getenv("PUREZMQ_INTEROP") == "required" {
		skip = t.Fatalf
	}
	if err := py.Start(); err != nil {
		skip("pyzmq: %v", err)
	}
	defer func() { in.Close(); py.Wait() }()
	out := bufio.NewReader(outp)
	port, err := out.ReadString('\n')
	if err != nil {
		skip("pyzmq peer did not start (no pyzmq at /usr/bin/python3?): %v", err)
	}
	stop := idleClients(t, "127.0.0.1:"+strings.TrimSpace(port), n)
	defer stop()
	fmt.Fprintln(in)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("pyzmq measurement: %v", err)
	}
	t.Log(strings.TrimSpace(line))
	m := pyIdleLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("pyzmq printed %q", line)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// idleClients runs n raw DEALER handshakes against addr in a child
// process (TestIdleClientHelper) and returns a function that ends them.
func idleClients(t *testing.T, addr string, n int) (stop func()) {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestIdleClientHelper$", "-test.count=1", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), "PUREZMQ_IDLE_CLIENT_ADDR="+addr, "PUREZMQ_IDLE_CLIENT_N="+strconv.Itoa(n))
	in, _ := cmd.StdinPipe()
	outp, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() { in.Close(); cmd.Wait() }
	sc := bufio.NewScanner(outp)
	for sc.Scan() {
		if sc.Text() == "ready" {
			go io.Copy(io.Discard, outp)
			return stop
		}
	}
	stop()
	t.Fatalf("the client process ended before its %d connections were made", n)
	return nil
}

// TestIdleClientHelper is the client process of TestSoakIdleConn10k, not a
// test of its own: it makes the connections, says "ready" and holds them
// until its stdin closes.
func TestIdleClientHelper(t *testing.T) {
	addr := os.Getenv("PUREZMQ_IDLE_CLIENT_ADDR")
	if addr == "" {
		t.Skip("the client process of TestSoakIdleConn10k")
	}
	n, _ := strconv.Atoi(os.Getenv("PUREZMQ_IDLE_CLIENT_N"))
	conns := make([]net.Conn, 0, n)
	for range n {
		conns = append(conns, rawDealer(t, addr))
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}
