package socket

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// ttlPeer handshakes a bare ZMTP connection to ep as typ.
func ttlPeer(t *testing.T, ep, typ string) *zmtp.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	zc, err := zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: typ})
	if err != nil {
		nc.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { zc.Close() })
	return zc
}

func ping(t *testing.T, zc *zmtp.Conn, ttl time.Duration) {
	t.Helper()
	if err := zc.WritePing(ttl, nil); err != nil {
		t.Fatal(err)
	}
	if err := zc.Flush(); err != nil {
		t.Fatal(err)
	}
}

// A peer whose PING asked for a TTL and then fell silent is dropped once
// the TTL has passed, though our socket has no heartbeat of its own.
func TestHeartbeatPeerTTL(t *testing.T) {
	pull := newSock(t, Pull)
	ep := bindAt(t, pull, "tcp")
	zc := ttlPeer(t, ep, "PUSH")
	waitEvent(t, pull, EventHandshakeSucceeded, 5*time.Second)
	start := time.Now()
	ping(t, zc, 300*time.Millisecond)
	e := waitEvent(t, pull, EventDisconnected, 5*time.Second)
	if !errors.Is(e.Err, ErrHeartbeatTimeout) {
		t.Fatalf("disconnected with %v, want ErrHeartbeatTimeout", e.Err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("dropped after %v, before the TTL of 300ms", d)
	}
	t.Log(e.Err)
}

// A peer that keeps pinging within its TTL stays; one that asks for no TTL
// (0) is never dropped for silence.
func TestHeartbeatPeerTTLKept(t *testing.T) {
	pull := newSock(t, Pull)
	ep := bindAt(t, pull, "tcp")
	zc := ttlPeer(t, ep, "PUSH")
	waitEvent(t, pull, EventHandshakeSucceeded, 5*time.Second)
	for i := 0; i < 8; i++ {
		ping(t, zc, 200*time.Millisecond)
		time.Sleep(50 * time.Millisecond)
	}
	ping(t, zc, 0) // TTL withdrawn
	time.Sleep(400 * time.Millisecond)
	if err := zc.WriteMessage([][]byte{[]byte("alive")}); err != nil {
		t.Fatal(err)
	}
	if err := zc.Flush(); err != nil {
		t.Fatal(err)
	}
	expect(t, pull, "alive")
	select {
	case e := <-pull.Monitor():
		if e.Kind == EventDisconnected {
			t.Fatalf("disconnected: %v", e.Err)
		}
	default:
	}
}
