package socket

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Connected before the bind, an inproc pipe first holds the sender's HWM
// alone; once the binder arrives it holds both sides' marks added, as when
// the bind came first (libzmq's behaviour, which pebbe's TestHwm checks).
func TestInprocConnectFirstHWMSum(t *testing.T) {
	for _, c := range []struct{ snd, rcv, before, after int }{
		{1, 1, 1, 1}, // 1 before the bind, 1+1 in all
		{2, 3, 2, 3},
		{0, 1, 5000, 0}, // unlimited if either side is
		{1, 0, 1, 4999},
	} {
		ep := endpointFor(t, "inproc")
		push := newSock(t, Push, WithSendHWM(c.snd))
		connectTo(t, push, ep)
		if n := fill(t, push, 5000); n != c.before {
			t.Fatalf("snd %d rcv %d: took %d before the bind, want %d", c.snd, c.rcv, n, c.before)
		}
		pull := newSock(t, Pull, WithRecvHWM(c.rcv))
		if err := pull.Bind(ep); err != nil {
			t.Fatal(err)
		}
		if n := fill(t, push, 5000-c.before); n != c.after {
			t.Fatalf("snd %d rcv %d: took %d more after the bind, want %d", c.snd, c.rcv, n, c.after)
		}
		if n := drain(pull); n != c.before+c.after {
			t.Fatalf("received %d, want %d", n, c.before+c.after)
		}
		// Room again: one more goes through.
		send(t, push, "more")
		expect(t, pull, "more")
	}
}

// Messages sent by an inproc connector before anyone bound survive its
// Close: a socket binding the name within the linger time receives them.
func TestInprocPendingSurvivesClose(t *testing.T) {
	ep := endpointFor(t, "inproc")
	push, err := New(Push, WithSendHWM(3))
	if err != nil {
		t.Fatal(err)
	}
	connectTo(t, push, ep)
	if n := fill(t, push, 100); n != 3 {
		t.Fatalf("took %d before the bind, want 3", n)
	}
	if err := push.Close(); err != nil {
		t.Fatalf("Close: %v (the pending messages are not discarded)", err)
	}
	pull := newSock(t, Pull, WithRecvHWM(0))
	if err := pull.Bind(ep); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		expect(t, pull, "m")
	}
	expectNothing(t, pull, 50*time.Millisecond)
	// The drained orphan leaves no peer behind.
	waitFor(t, time.Second, "the orphan to go", func() bool {
		pull.TryRecv()
		return pull.Stats().Peers == 0
	})
	// A PULL binding the same name later gets nothing more.
	pull.Close()
	pull2 := newSock(t, Pull)
	if err := pull2.Bind(ep); err != nil {
		t.Fatal(err)
	}
	expectNothing(t, pull2, 20*time.Millisecond)
}

// After the linger time the messages are gone, and counted by the socket
// that left them; with linger 0 they go at Close.
func TestInprocPendingLingerExpires(t *testing.T) {
	ep := endpointFor(t, "inproc")
	push, err := New(Push, WithLinger(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	connectTo(t, push, ep)
	send(t, push, "late")
	if err := push.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	pull := newSock(t, Pull)
	if err := pull.Bind(ep); err != nil {
		t.Fatal(err)
	}
	expectNothing(t, pull, 20*time.Millisecond)
	if n := push.Stats().LingerDropped; n != 1 {
		t.Fatalf("LingerDropped = %d after expiry, want 1", n)
	}

	ep0 := endpointFor(t, "inproc")
	push0, _ := New(Push, WithLinger(0))
	connectTo(t, push0, ep0)
	send(t, push0, "dropped")
	err = push0.Close()
	var le *LingerError
	if !errors.As(err, &le) || le.Discarded != 1 {
		t.Fatalf("Close with linger 0: %v", err)
	}
	pull0 := newSock(t, Pull)
	if err := pull0.Bind(ep0); err != nil {
		t.Fatal(err)
	}
	expectNothing(t, pull0, 20*time.Millisecond)
}

// Orphans nobody binds are let go once their linger is over, when another
// socket leaves one: they do not pile up.
func TestInprocOrphansPruned(t *testing.T) {
	leave := func(linger time.Duration) (*Socket, string) {
		ep := endpointFor(t, "inproc")
		s, err := New(Push, WithLinger(linger))
		if err != nil {
			t.Fatal(err)
		}
		connectTo(t, s, ep)
		send(t, s, "x")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return s, ep
	}
	old, oldEP := leave(time.Millisecond)
	time.Sleep(10 * time.Millisecond)
	_, newEP := leave(time.Minute)
	if n := old.Stats().LingerDropped; n != 1 {
		t.Fatalf("expired orphan not pruned: LingerDropped %d", n)
	}
	held := func(ep string) int {
		inprocReg.mu.Lock()
		defer inprocReg.mu.Unlock()
		return len(inprocReg.orphans[strings.TrimPrefix(ep, "inproc://")])
	}
	if held(oldEP) != 0 || held(newEP) != 1 {
		t.Fatalf("orphans held: expired %d, live %d; want 0 and 1", held(oldEP), held(newEP))
	}
	// Bind the live one's name so it does not outlive the test.
	pull := newSock(t, Pull)
	if err := pull.Bind(newEP); err != nil {
		t.Fatal(err)
	}
	expect(t, pull, "x")
}
