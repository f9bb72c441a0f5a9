//go:build unix

// Stopping a process (SIGSTOP/SIGCONT) is a Unix facility.

package clitest

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// A libzmq peer whose process is stopped (SIGSTOP) keeps its TCP connection
// open but answers no PING: --heartbeat must notice and drop it.
func TestHeartbeatDropsFrozenPyPeer(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "pull", "--bind", ep, "--heartbeat", "100ms", "--verbose", "--timeout", "20s")
	py := exec.Command(testpeer.Python(t), "-c", `
import sys, time, zmq
s = zmq.Context().socket(zmq.PUSH)
s.connect(sys.argv[1])
s.send(b"alive")
time.sleep(60)
`, ep)
	if err := py.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		py.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		py.Process.Signal(syscall.SIGCONT)
		py.Process.Kill()
		<-done
	})
	if l := c.line(wait); l != "alive" {
		t.Fatalf("printed %q", l)
	}
	if err := py.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.stderr.String(), "DISCONNECTED") {
		if time.Now().After(deadline) {
			t.Fatalf("no DISCONNECTED event 5s after the peer froze (heartbeat 100ms); stderr:\n%s", c.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(c.stderr.String(), "heartbeat") {
		t.Errorf("the disconnection does not name the heartbeat as its cause:\n%s", c.stderr.String())
	}
	c.signal(syscall.SIGTERM)
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
}
