//go:build unix

package interop

// Freezing a peer process (SIGSTOP/SIGCONT) is a Unix facility.

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// A libzmq peer's ZMQ_HEARTBEAT_TTL: our socket, which sends no heartbeats
// itself, keeps the connection while libzmq pings and drops it once the
// frozen peer stayed silent past the TTL.
func TestPyHeartbeatTTL(t *testing.T) {
	router := newOurs(t, "ROUTER")
	ep := ourBind(t, router, "tcp://")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("hb"),
		Extra: []string{"--opt", "HEARTBEAT_IVL=100", "--opt", "HEARTBEAT_TTL=500"}})
	theirs{py}.send(t, b("up"))
	mustRecv(t, ours{router}, "hb", "up")
	// A second of pings (10 of them, each carrying the TTL): still connected.
	time.Sleep(time.Second)
	for {
		select {
		case e := <-router.Monitor():
			if e.Kind == socket.EventDisconnected {
				t.Fatalf("disconnected while libzmq was pinging: %v", e.Err)
			}
			continue
		default:
		}
		break
	}
	if err := py.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer py.Signal(syscall.SIGCONT)
	stopped := time.Now()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for {
		select {
		case e := <-router.Monitor():
			if e.Kind != socket.EventDisconnected {
				continue
			}
			if !errors.Is(e.Err, socket.ErrHeartbeatTimeout) {
				t.Fatalf("disconnected with %v, want ErrHeartbeatTimeout", e.Err)
			}
			t.Logf("dropped %v after freezing the peer: %v", time.Since(stopped).Round(time.Millisecond), e.Err)
			return
		case <-timer.C:
			t.Fatal("a frozen libzmq peer with a 500ms heartbeat TTL was not dropped within 10s")
		}
	}
}
