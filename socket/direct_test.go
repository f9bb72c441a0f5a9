package socket

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// REQ and REP write their messages from Send when the connection's writer
// is idle, which in a plain round trip is every time.
func TestDirectWriteReqRep(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			rep := newSock(t, Rep)
			req := newSock(t, Req)
			connectTo(t, req, bindAt(t, rep, tr))
			const n = 200
			roundTrips(t, req, rep, n)
			// The first request may be queued before the connection is up,
			// and on a loaded machine (CI runs the race build on two cores
			// beside other packages' tests) a send can find the writer
			// goroutine still holding the connection after its last write.
			// What must hold is that direct writes are the rule: most sends
			// take that path, not a handful.
			const atLeast = n / 2
			if got := req.directSent.Load(); got < atLeast {
				t.Errorf("REQ wrote %d of %d requests directly", got, n)
			}
			if got := rep.directSent.Load(); got < atLeast {
				t.Errorf("REP wrote %d of %d replies directly", got, n)
			}
		})
	}
}

// roundTrips makes n request/reply round trips between req and rep.
func roundTrips(t *testing.T, req, rep *Socket, n int) {
	t.Helper()
	for i := range n {
		q := fmt.Sprintf("q%d", i)
		send(t, req, q)
		expect(t, rep, q)
		send(t, rep, "r"+q[1:])
		expect(t, req, "r"+q[1:])
	}
}

// A client that sends requests and never reads the replies fills the TCP
// buffers towards it. REP's Send must still return at once every time (a
// direct write never waits for the network; what does not fit is left to
// the writer goroutine, later replies queue and, at the HWM, are dropped),
// and REP must keep serving its other clients.
func TestDirectWriteNeverBlocksRep(t *testing.T) {
	rep := newSock(t, Rep)
	ep := bindAt(t, rep, "tcp")
	hog := newSock(t, Dealer, WithRecvHWM(1))
	connectTo(t, hog, ep)

	const n = 400
	// Three 10 KiB frames: small enough frames for the direct path, 12 MB
	// in all, more than loopback TCP buffers hold.
	frame := bytes.Repeat([]byte{'r'}, 10<<10)
	for i := 0; i < n; i++ {
		send(t, hog, "", fmt.Sprintf("q%d", i))
	}
	var slowest time.Duration
	for i := 0; i < n; i++ {
		expect(t, rep, fmt.Sprintf("q%d", i))
		start := time.Now()
		if err := rep.Send(ctxT(t, 10*time.Second), Msg{Frames: [][]byte{frame, frame, frame}}); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 2*time.Second {
		t.Fatalf("a REP Send took %v towards a client that does not read", slowest)
	}
	// Replies still queued (or dropped at the HWM) show that the network
	// towards the client was full, which is what this test is about.
	if st := rep.Stats(); st.Queued+int(st.Dropped) == 0 {
		t.Fatal("every reply went out: the client's buffers never filled, the test shows nothing")
	}
	if rep.directSent.Load() == 0 {
		t.Fatal("no reply went the direct path; the test shows nothing about it")
	}

	req := newSock(t, Req)
	connectTo(t, req, ep)
	send(t, req, "other")
	expect(t, rep, "other")
	send(t, rep, "answer")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := req.Recv(ctx)
	if err != nil || len(m.Frames) != 1 || string(m.Frames[0]) != "answer" {
		t.Fatalf("second client: %v %q", err, m.Frames)
	}
}
