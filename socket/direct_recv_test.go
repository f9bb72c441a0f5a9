package socket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Round trips on a socket with one connection: after the first, the
// reader goroutine lends its token and each Recv reads the reply itself.
func TestDirectRecvReqRep(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			rep := newSock(t, Rep, WithDirectRecv(true))
			req := newSock(t, Req, WithDirectRecv(true))
			connectTo(t, req, bindAt(t, rep, tr))
			const n = 300
			roundTrips(t, req, rep, n)
			// The first messages go through the reader goroutine, and a
			// loaded machine may let a reply arrive before its Recv
			// waits; direct reads must be the rule, not a handful.
			const atLeast = n / 2
			if got := req.directRead.Load(); got < atLeast {
				t.Errorf("REQ read %d of %d replies itself", got, n)
			}
			if got := rep.directRead.Load(); got < atLeast {
				t.Errorf("REP read %d of %d requests itself", got, n)
			}
		})
	}
}

// A stream of small messages with a few too large for the read buffer in
// between: every one arrives, in order, whichever goroutine read it.
func TestDirectRecvMixedSizes(t *testing.T) {
	pull := newSock(t, Pull, WithDirectRecv(true))
	push := newSock(t, Push)
	connectTo(t, push, bindAt(t, pull, "tcp"))
	const n = 3000
	big := bytes.Repeat([]byte{'b'}, 200<<10)
	go func() {
		for i := range n {
			m := Msg{Frames: [][]byte{[]byte(fmt.Sprint(i))}}
			if i%500 == 7 {
				m.Frames = append(m.Frames, big)
			}
			if err := push.Send(context.Background(), m); err != nil {
				return
			}
		}
	}()
	for i := range n {
		m, err := pull.Recv(ctxT(t, 10*time.Second))
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		if got := string(m.Frames[0]); got != fmt.Sprint(i) {
			t.Fatalf("message %d is %q", i, got)
		}
		if i%500 == 7 && (len(m.Frames) != 2 || !bytes.Equal(m.Frames[1], big)) {
			t.Fatalf("message %d lost its large frame", i)
		}
		m.Release()
	}
	if pull.directRead.Load() == 0 {
		t.Error("no message was read by Recv itself")
	}
}

// startDirectRecv brings a PULL into the state where its Recv reads the
// connection itself and returns it, its PUSH and a channel that gets the
// result of one more Recv, started in the background.
func startDirectRecv(t *testing.T, ctx context.Context) (*Socket, *Socket, string, chan error) {
	t.Helper()
	pull := newSock(t, Pull, WithDirectRecv(true))
	push := newSock(t, Push)
	ep := bindAt(t, pull, "tcp")
	connectTo(t, push, ep)
	for i := 0; pull.directRead.Load() == 0; i++ {
		if i == 200 {
			t.Fatal("Recv never read the connection itself")
		}
		send(t, push, "warm")
		expect(t, pull, "warm")
	}
	done := make(chan error, 1)
	go func() {
		m, err := pull.Recv(ctx)
		if err == nil && string(m.Frames[0]) != "late" {
			err = fmt.Errorf("received %q", m.Frames[0])
		}
		done <- err
	}()
	waitFor(t, 5*time.Second, "Recv reading the connection", func() bool { return pull.dconn.Load() != nil })
	return pull, push, ep, done
}

// Close cuts short a Recv waiting on the network.
func TestDirectRecvClose(t *testing.T) {
	pull, _, _, done := startDirectRecv(t, context.Background())
	pull.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Recv returned %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Recv still waiting after Close")
	}
}

// The end of its context cuts short a Recv waiting on the network, and the
// connection goes on: the next message is received.
func TestDirectRecvContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pull, push, _, done := startDirectRecv(t, ctx)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Recv returned %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Recv still waiting after its context ended")
	}
	send(t, push, "after")
	expect(t, pull, "after")
}

// A second peer arriving while Recv reads the first one's connection gets
// its message through: the Recv does not stay on the first connection.
func TestDirectRecvSecondPeer(t *testing.T) {
	pull, push, ep, done := startDirectRecv(t, context.Background())
	other := newSock(t, Push)
	connectTo(t, other, ep)
	send(t, other, "late")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second peer's message was not received")
	}
	send(t, push, "first")
	expect(t, pull, "first")
}

// A peer that leaves while Recv reads its connection is seen leaving (the
// reader goroutine gets the token back and ends the connection), and its
// successor's messages arrive.
func TestDirectRecvPeerLeaves(t *testing.T) {
	pull, push, ep, done := startDirectRecv(t, context.Background())
	push.Close()
	waitFor(t, 5*time.Second, "the connection to end", func() bool {
		pull.mu.Lock()
		defer pull.mu.Unlock()
		return len(pull.conns) == 0
	})
	next := newSock(t, Push)
	connectTo(t, next, ep)
	send(t, next, "late")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the new peer's message was not received")
	}
}

// Once the application stops calling Recv, the reader goroutine takes its
// token back and reads ahead into the inbox, and readiness sees it.
func TestDirectRecvReadAheadResumes(t *testing.T) {
	pull, push, _, done := startDirectRecv(t, context.Background())
	send(t, push, "late")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		send(t, push, fmt.Sprint(i))
	}
	waitFor(t, 5*time.Second, "the reader to read ahead", func() bool {
		return pull.Events()&PollIn != 0 && inLen(pull) == 10
	})
	for i := range 10 {
		expect(t, pull, fmt.Sprint(i))
	}
}

// inLen is the number of messages queued in s's peers' inboxes.
func inLen(s *Socket) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p := range s.peers {
		n += p.in.Len()
	}
	return n
}

// A Recv with the socket's own timeout reads the connection itself too:
// it times out when nothing comes, and receives what comes.
func TestDirectRecvWithTimeout(t *testing.T) {
	pull, push, _, done := startDirectRecv(t, context.Background())
	send(t, push, "late")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := pull.SetOption(WithRecvTimeout(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := pull.Recv(context.Background())
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("Recv with nothing to read returned %v, want a *TimeoutError", err)
	}
	if err := pull.SetOption(WithRecvTimeout(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	before := pull.directRead.Load()
	for i := range 20 {
		send(t, push, fmt.Sprint(i))
		m, err := pull.Recv(context.Background())
		if err != nil || string(m.Frames[0]) != fmt.Sprint(i) {
			t.Fatalf("Recv %d: %q, %v", i, strs(m), err)
		}
	}
	if pull.directRead.Load() == before {
		t.Error("no message was read by a Recv with a timeout itself")
	}
}
