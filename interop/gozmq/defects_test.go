package gozmq

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/purezmq/purezmq/socket"
)

// zmq4 v0.17.0's PUSH and DEALER send every message to every connected peer
// (its mwriter writes each message to all connections) instead of
// load-balancing round robin as RFC 30 and libzmq do, so a fan-out test with
// zmq4 on the sending side cannot pass. These tests keep zmq4 on the
// receiving side and show that ours balances.

func TestOurPushBalancesAcrossZmq4Pulls(t *testing.T) {
	o := ours(t, socket.Push)
	ep := ourBind(t, o)
	a, b := theirs(t, zmq4.Pull), theirs(t, zmq4.Pull)
	for _, th := range []zmq4.Socket{a, b} {
		if err := th.Dial(ep); err != nil {
			t.Fatal(err)
		}
	}
	waitPeers(t, o, 2)
	const n = 10
	for i := range n {
		sendOurs(t, o, []byte(fmt.Sprint(i)))
	}
	seen := map[string]int{}
	for name, th := range map[string]zmq4.Socket{"a": a, "b": b} {
		for range n / 2 {
			m, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatalf("pull %s: %v (after %v)", name, err, seen)
			}
			seen[string(m.Frames[0])]++
		}
	}
	if len(seen) != n {
		t.Fatalf("messages seen %v: want each of %d exactly once, split evenly", seen, n)
	}
	for k, v := range seen {
		if v != 1 {
			t.Errorf("message %s delivered %d times", k, v)
		}
	}
}

func TestOurDealerBalancesAcrossZmq4Routers(t *testing.T) {
	o := ours(t, socket.Dealer, socket.WithIdentity([]byte("d")))
	ep := ourBind(t, o)
	a, b := theirs(t, zmq4.Router), theirs(t, zmq4.Router)
	for _, th := range []zmq4.Socket{a, b} {
		if err := th.Dial(ep); err != nil {
			t.Fatal(err)
		}
	}
	waitPeers(t, o, 2)
	for i := range 4 {
		sendOurs(t, o, []byte(fmt.Sprint(i)))
	}
	total := 0
	for _, th := range []zmq4.Socket{a, b} {
		for range 2 {
			m, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatalf("router: %v", err)
			}
			if len(m.Frames) != 2 || string(m.Frames[0]) != "d" {
				t.Fatalf("router got %s", show(m.Frames))
			}
			total++
		}
	}
	if total != 4 {
		t.Fatalf("%d messages, want 4", total)
	}
}

// waitPeers waits until s has n handshaken peers, so that round robin
// starts with all of them present.
func waitPeers(t *testing.T, s *socket.Socket, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for s.Stats().Peers < n {
		select {
		case <-ctx.Done():
			t.Fatalf("%d peers after %v, want %d", s.Stats().Peers, wait, n)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
