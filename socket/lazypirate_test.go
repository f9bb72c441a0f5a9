package socket

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestLazyPirate is the Guide's Lazy Pirate client: a REQ polled with a
// timeout, resending (relaxed) when no reply comes in time, against a REP
// that leaves some requests unanswered for longer than the client waits.
// With REQ_CORRELATE every reply the client takes answers the very
// attempt it is waiting on; the late replies to abandoned attempts are
// dropped.
func TestLazyPirate(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			rep := newSock(t, Rep)
			ep := bindAt(t, rep, tr)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the unreliable server: the first try of every third request is "lost" for a while
				defer wg.Done()
				for {
					m, err := rep.Recv(ctx)
					if err != nil {
						return
					}
					var seq, attempt int
					fmt.Sscanf(string(m.Frames[0]), "%d-%d", &seq, &attempt)
					if seq%3 == 1 && attempt == 0 {
						select {
						case <-time.After(250 * time.Millisecond):
						case <-ctx.Done():
							return
						}
					}
					if rep.Send(ctx, m) != nil {
						return
					}
				}
			}()
			defer func() { cancel(); wg.Wait() }()

			req := newSock(t, Req, WithReqRelaxed(true), WithReqCorrelate(true))
			connectTo(t, req, ep)
			p := NewPoller()
			defer p.Close()
			p.Add(req, PollIn)
			// The wait doubles with each try (up to about a second), so a
			// loaded machine slows the test down rather than failing it.
			const timeout = 60 * time.Millisecond
			retries := 0
			for seq := 0; seq < 8; seq++ {
				got := false
				for attempt := 0; attempt < 20 && !got; attempt++ {
					body := fmt.Sprintf("%d-%d", seq, attempt)
					send(t, req, body)
					r, err := p.WaitTimeout(timeout << min(attempt, 4))
					if err != nil {
						t.Fatal(err)
					}
					if len(r) == 0 {
						retries++
						continue // no reply in time: resend (relaxed)
					}
					if r[0].Events != PollIn {
						t.Fatalf("ready %v", r)
					}
					m, err := req.TryRecv() // PollIn: there without waiting
					if err != nil {
						t.Fatalf("TryRecv after PollIn: %v", err)
					}
					if string(m.Frames[0]) != body {
						t.Fatalf("request %q got the reply %q", body, m.Frames[0])
					}
					got = true
				}
				if !got {
					t.Fatalf("request %d never answered", seq)
				}
			}
			if retries == 0 {
				t.Fatal("no request was ever retried: the test proved nothing")
			}
		})
	}
}

// Without relaxed, a REQ whose Recv timed out still refuses a new Send
// (libzmq's EFSM); relaxed lets it send again.
func TestReqRelaxedAfterTimeout(t *testing.T) {
	for _, relaxed := range []bool{false, true} {
		rep := newSock(t, Rep)
		req := newSock(t, Req, WithReqRelaxed(relaxed))
		connectTo(t, req, bindAt(t, rep, "inproc"))
		send(t, req, "one")
		expectNothing(t, req, 20*time.Millisecond)
		err := req.Send(ctxT(t, time.Second), NewMsg([]byte("two")))
		if !relaxed {
			if !errors.Is(err, ErrState) {
				t.Fatalf("strict REQ resend: %v, want ErrState", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("relaxed resend: %v", err)
		}
		// The REP answers both; the REQ takes only the second answer
		// (the first came before the second request started and is
		// dropped when it is sent, or is dropped by the REQ as stale).
		expect(t, rep, "one")
		send(t, rep, "re-one")
		expect(t, rep, "two")
		send(t, rep, "re-two")
		if got := recv(t, req); got[0] != "re-one" && got[0] != "re-two" {
			t.Fatalf("got %q", got)
		}
	}
}

// REQ_CORRELATE puts a 4-byte request id in front of the delimiter; a
// ROUTER sees it in the envelope, and a reply with another id is dropped.
func TestReqCorrelateEnvelope(t *testing.T) {
	router := newSock(t, Router)
	req := newSock(t, Req, WithReqCorrelate(true), WithReqRelaxed(true))
	connectTo(t, req, bindAt(t, router, "tcp"))
	send(t, req, "q1")
	m := recv(t, router)
	if len(m) != 4 || len(m[1]) != 4 || m[2] != "" || m[3] != "q1" {
		t.Fatalf("ROUTER got %q, want [rid, id, \"\", q1]", m)
	}
	id := binary.LittleEndian.Uint32([]byte(m[1]))
	var wrong [4]byte
	binary.LittleEndian.PutUint32(wrong[:], id+7)
	send(t, router, m[0], string(wrong[:]), "", "forged")
	send(t, router, m[0], "", "no id")
	expectNothing(t, req, 50*time.Millisecond)
	send(t, router, m[0], m[1], "", "a1")
	expect(t, req, "a1")

	send(t, req, "q2")
	m2 := recv(t, router)
	if id2 := binary.LittleEndian.Uint32([]byte(m2[1])); id2 != id+1 {
		t.Fatalf("second request id %d, want %d", id2, id+1)
	}
	// Relaxed resend: the answer to the abandoned q2 is dropped.
	send(t, req, "q3")
	m3 := recv(t, router)
	send(t, router, m2[0], m2[1], "", "a2")
	send(t, router, m3[0], m3[1], "", "a3")
	expect(t, req, "a3")
}

// The socket-wide timeouts: a Recv or Send that waits longer returns a
// TimeoutError matching both context.DeadlineExceeded and ErrWouldBlock;
// an earlier context deadline wins; 0 never waits.
func TestSocketTimeouts(t *testing.T) {
	pull := newSock(t, Pull, WithRecvTimeout(30*time.Millisecond))
	_, err := pull.Recv(context.Background())
	var te *TimeoutError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrWouldBlock) || !errors.As(err, &te) || te.Op != "recv" {
		t.Fatalf("Recv past RCVTIMEO: %v", err)
	}
	for _, err := range pull.Messages(context.Background()) {
		if !errors.As(err, &te) {
			t.Fatalf("Messages past RCVTIMEO: %v", err)
		}
	}

	slow := newSock(t, Pull, WithRecvTimeout(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := slow.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) {
		t.Fatalf("Recv with an earlier ctx deadline: %v, want the context's error", err)
	}

	push := newSock(t, Push, WithSendTimeout(30*time.Millisecond)) // no peer: Send would wait
	err = push.Send(context.Background(), NewMsg([]byte("x")))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrWouldBlock) || !errors.As(err, &te) || te.Op != "send" {
		t.Fatalf("Send past SNDTIMEO: %v", err)
	}

	now := newSock(t, Pull, WithRecvTimeout(0))
	if _, err := now.Recv(context.Background()); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("Recv with RCVTIMEO 0: %v", err)
	}
	// A message that is there is received whatever the timeout.
	p2, pull2 := pushPull(t, "inproc", WithRecvTimeout(0))
	send(t, p2, "here")
	if m, err := pull2.Recv(context.Background()); err != nil || string(m.Frames[0]) != "here" {
		t.Fatalf("Recv of a queued message with RCVTIMEO 0: %v", err)
	}
	// The REQ's Lazy Pirate without a poller: RCVTIMEO, then a relaxed resend.
	rep := newSock(t, Rep)
	req := newSock(t, Req, WithRecvTimeout(20*time.Millisecond), WithReqRelaxed(true), WithReqCorrelate(true))
	connectTo(t, req, bindAt(t, rep, "inproc"))
	send(t, req, "lost")
	if _, err := req.Recv(context.Background()); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("REQ Recv: %v", err)
	}
	send(t, req, "again")
	expect(t, rep, "lost")
	send(t, rep, "late")
	expect(t, rep, "again")
	send(t, rep, "fresh")
	expect(t, req, "fresh")
}

// A relaxed resend goes to the next peer in turn, as libzmq's does: with
// two REPs, the request the first one sat on is retried at the second.
func TestReqRelaxedNextPeer(t *testing.T) {
	a, b := newSock(t, Rep), newSock(t, Rep)
	req := newSock(t, Req, WithReqRelaxed(true), WithReqCorrelate(true))
	connectTo(t, req, bindAt(t, a, "inproc"))
	connectTo(t, req, bindAt(t, b, "inproc"))
	send(t, req, "q")
	first, second := a, b
	if _, err := a.Recv(ctxT(t, 100*time.Millisecond)); err != nil {
		first, second = b, a
		expect(t, b, "q")
	}
	expectNothing(t, req, 30*time.Millisecond) // the first REP sits on it
	send(t, req, "q-again")
	expect(t, second, "q-again")
	send(t, second, "answer")
	expect(t, req, "answer")
	send(t, first, "too late") // dropped: another peer, an abandoned request
	send(t, req, "next")
	if _, err := req.Recv(ctxT(t, 50*time.Millisecond)); err == nil {
		t.Fatal("a reply to a request nobody answered yet")
	}
}
