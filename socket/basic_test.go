package socket

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestEveryTypeEveryTransport runs one conversation for each compatible
// classic pair over inproc, tcp and ipc, with either side binding.
func TestEveryTypeEveryTransport(t *testing.T) {
	type convo func(t *testing.T, a, b *Socket)
	pairs := []struct {
		a, b Type
		run  convo
	}{
		{Pair, Pair, func(t *testing.T, a, b *Socket) {
			send(t, a, "ping", "")
			expect(t, b, "ping", "")
			send(t, b, "pong")
			expect(t, a, "pong")
		}},
		{Push, Pull, func(t *testing.T, a, b *Socket) {
			send(t, a, "job", "x")
			expect(t, b, "job", "x")
		}},
		{Pub, Sub, func(t *testing.T, a, b *Socket) {
			if err := b.Subscribe([]byte("wx")); err != nil {
				t.Fatal(err)
			}
			syncSub(t, a, b, "wx-sync")
			send(t, a, "other", "1")
			send(t, a, "wx", "2")
			expect(t, b, "wx", "2")
		}},
		{XPub, XSub, func(t *testing.T, a, b *Socket) {
			send(t, b, "\x01wx")
			expect(t, a, "\x01wx")
			send(t, a, "nope")
			send(t, a, "wx!")
			expect(t, b, "wx!")
		}},
		{Pub, XSub, func(t *testing.T, a, b *Socket) {
			send(t, b, "\x01")
			syncSub(t, a, b, "s")
			send(t, a, "all")
			expect(t, b, "all")
		}},
		{XPub, Sub, func(t *testing.T, a, b *Socket) {
			b.Subscribe([]byte("t"))
			expect(t, a, "\x01t")
			send(t, a, "t1")
			expect(t, b, "t1")
		}},
		{Req, Rep, func(t *testing.T, a, b *Socket) {
			for i := 0; i < 3; i++ {
				send(t, a, "q", "x")
				expect(t, b, "q", "x")
				send(t, b, "r")
				expect(t, a, "r")
			}
		}},
		{Req, Router, func(t *testing.T, a, b *Socket) {
			send(t, a, "q")
			m := recv(t, b)
			if len(m) != 3 || m[1] != "" || m[2] != "q" {
				t.Fatalf("router got %q", m)
			}
			send(t, b, m[0], "", "r")
			expect(t, a, "r")
		}},
		{Dealer, Rep, func(t *testing.T, a, b *Socket) {
			send(t, a, "", "q")
			expect(t, b, "q")
			send(t, b, "r")
			expect(t, a, "", "r")
		}},
		{Dealer, Router, func(t *testing.T, a, b *Socket) {
			send(t, a, "q", "")
			m := recv(t, b)
			if len(m) != 3 || m[0] != "dealer-a" || m[1] != "q" {
				t.Fatalf("router got %q", m)
			}
			send(t, b, "dealer-a", "r")
			expect(t, a, "r")
		}},
		{Dealer, Dealer, func(t *testing.T, a, b *Socket) {
			send(t, a, "x")
			expect(t, b, "x")
			send(t, b, "y")
			expect(t, a, "y")
		}},
		{Router, Router, func(t *testing.T, a, b *Socket) {
			// ROUTER to ROUTER needs identities and a known peer: b learns
			// a's identity from the handshake.
			waitFor(t, 5*time.Second, "peers", func() bool { return a.Stats().Peers == 1 && b.Stats().Peers == 1 })
			send(t, a, "router-b", "hello")
			expect(t, b, "router-a", "hello")
			send(t, b, "router-a", "back")
			expect(t, a, "router-b", "back")
		}},
	}
	for _, pr := range pairs {
		for _, tr := range transports {
			for _, aBinds := range []bool{true, false} {
				name := pr.a.String() + "-" + pr.b.String() + "/" + tr + "/bind=" + map[bool]string{true: pr.a.String(), false: pr.b.String()}[aBinds]
				t.Run(name, func(t *testing.T) {
					var aOpts, bOpts []Option
					if pr.a == Dealer {
						aOpts = append(aOpts, WithIdentity([]byte("dealer-a")))
					}
					if pr.a == Router && pr.b == Router {
						aOpts = append(aOpts, WithIdentity([]byte("router-a")))
						bOpts = append(bOpts, WithIdentity([]byte("router-b")))
					}
					a := newSock(t, pr.a, aOpts...)
					b := newSock(t, pr.b, bOpts...)
					if aBinds {
						connectTo(t, b, bindAt(t, a, tr))
					} else {
						connectTo(t, a, bindAt(t, b, tr))
					}
					pr.run(t, a, b)
				})
			}
		}
	}
}

func TestRoundRobin(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			push := newSock(t, Push)
			ep := bindAt(t, push, tr)
			pulls := make([]*Socket, 3)
			for i := range pulls {
				pulls[i] = newSock(t, Pull)
				connectTo(t, pulls[i], ep)
			}
			waitFor(t, 5*time.Second, "3 peers", func() bool { return push.Stats().Peers == 3 })
			for i := 0; i < 30; i++ {
				send(t, push, "m")
			}
			for i, p := range pulls {
				for j := 0; j < 10; j++ {
					expect(t, p, "m")
				}
				if m, err := p.TryRecv(); err == nil {
					t.Fatalf("pull %d got an 11th message %q: not round robin", i, strs(m))
				}
			}
		})
	}
}

func TestRoundRobinSkipsFullPeers(t *testing.T) {
	push := newSock(t, Push, WithSendHWM(1))
	ep := bindAt(t, push, "inproc")
	slow := newSock(t, Pull, WithRecvHWM(1))
	fast := newSock(t, Pull, WithRecvHWM(1))
	connectTo(t, slow, ep)
	connectTo(t, fast, ep)
	// inproc HWM is 1+1: slow takes 2 and is then full; the rest must go to
	// fast as it reads, without blocking on slow.
	go func() {
		for i := 0; i < 20; i++ {
			if err := push.Send(context.Background(), NewMsg([]byte("m"))); err != nil {
				return
			}
		}
	}()
	for i := 0; i < 18; i++ {
		expect(t, fast, "m")
	}
	if n := slow.Stats().InQueued; n != 2 {
		t.Fatalf("slow peer holds %d messages, want 2", n)
	}
}

func TestFairQueue(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			pull := newSock(t, Pull)
			ep := bindAt(t, pull, tr)
			names := []string{"a", "b", "c"}
			for _, n := range names {
				push := newSock(t, Push)
				connectTo(t, push, ep)
				for i := 0; i < 10; i++ {
					send(t, push, n)
				}
			}
			// Wait until everything has arrived, so the order of reads shows
			// the fair queue and not the arrival order.
			waitFor(t, 5*time.Second, "30 queued", func() bool { return pull.Stats().InQueued == 30 })
			counts := map[string]int{}
			for round := 0; round < 10; round++ {
				seen := map[string]bool{}
				for i := 0; i < 3; i++ {
					m := recv(t, pull)
					seen[m[0]] = true
					counts[m[0]]++
				}
				if len(seen) != 3 {
					t.Fatalf("round %d read from %v: not fair", round, seen)
				}
			}
			for _, n := range names {
				if counts[n] != 10 {
					t.Fatalf("counts %v", counts)
				}
			}
		})
	}
}

func TestReqRepAlternation(t *testing.T) {
	req := newSock(t, Req)
	rep := newSock(t, Rep)
	connectTo(t, req, bindAt(t, rep, "inproc"))
	ctx := ctxT(t, 5*time.Second)
	if _, err := req.Recv(ctx); !errors.Is(err, ErrState) {
		t.Fatalf("REQ Recv before Send: %v, want ErrState", err)
	}
	if err := rep.Send(ctx, NewMsg([]byte("x"))); !errors.Is(err, ErrState) {
		t.Fatalf("REP Send before Recv: %v, want ErrState", err)
	}
	send(t, req, "q1")
	if err := req.Send(ctx, NewMsg([]byte("q2"))); !errors.Is(err, ErrState) {
		t.Fatalf("second REQ Send: %v, want ErrState", err)
	}
	expect(t, rep, "q1")
	if _, err := rep.Recv(ctx); !errors.Is(err, ErrState) {
		t.Fatalf("second REP Recv: %v, want ErrState", err)
	}
	send(t, rep, "r1")
	expect(t, req, "r1")
	send(t, req, "q3")
	expect(t, rep, "q3")
	send(t, rep, "r3")
	expect(t, req, "r3")
}

// TestRepEnvelope checks that REP keeps the whole envelope (several routing
// frames before the delimiter) and puts it back on the reply.
func TestRepEnvelope(t *testing.T) {
	rep := newSock(t, Rep)
	dealer := newSock(t, Dealer)
	connectTo(t, dealer, bindAt(t, rep, "tcp"))
	send(t, dealer, "hop1", "hop2", "", "body", "more")
	expect(t, rep, "body", "more")
	send(t, rep, "reply")
	expect(t, dealer, "hop1", "hop2", "", "reply")
	// A message without delimiter is not a request and is dropped.
	send(t, dealer, "garbage")
	send(t, dealer, "", "ok")
	expect(t, rep, "ok")
}

func TestRouterIdentities(t *testing.T) {
	router := newSock(t, Router)
	ep := bindAt(t, router, "tcp")
	named := newSock(t, Dealer, WithIdentity([]byte("alice")))
	anon := newSock(t, Dealer)
	connectTo(t, named, ep)
	connectTo(t, anon, ep)
	send(t, named, "from-alice")
	m := recv(t, router)
	if m[0] != "alice" || m[1] != "from-alice" {
		t.Fatalf("got %q", m)
	}
	send(t, anon, "from-anon")
	m = recv(t, router)
	if len(m[0]) != 5 || m[0][0] != 0 {
		t.Fatalf("generated id %q, want 0x00 + 4 bytes", m[0])
	}
	anonID := m[0]
	send(t, router, anonID, "to-anon")
	send(t, router, "alice", "to-alice")
	expect(t, anon, "to-anon")
	expect(t, named, "to-alice")
	// Unknown peer: dropped silently and counted.
	before := router.Stats().Dropped
	send(t, router, "nobody", "x")
	if router.Stats().Dropped != before+1 {
		t.Fatalf("drop not counted")
	}
	if err := router.Send(context.Background(), NewMsg([]byte("alice"))); !errors.Is(err, ErrBadMessage) {
		t.Fatalf("identity-only message: %v", err)
	}
}

func TestRouterMandatory(t *testing.T) {
	router := newSock(t, Router, WithRouterMandatory(true), WithSendHWM(1))
	ep := bindAt(t, router, "tcp")
	err := router.Send(ctxT(t, time.Second), NewMsg([]byte("nobody"), []byte("x")))
	if !errors.Is(err, ErrHostUnreachable) {
		t.Fatalf("unknown peer: %v, want ErrHostUnreachable", err)
	}
	d := newSock(t, Dealer, WithIdentity([]byte("d")), WithRecvHWM(1))
	connectTo(t, d, ep)
	waitFor(t, 5*time.Second, "peer", func() bool { return router.Stats().Peers == 1 })
	// Fill everything up to the network buffers: TrySend must eventually
	// say ErrWouldBlock, never drop.
	big := bytes.Repeat([]byte("x"), 64<<10)
	var sent int
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := router.TrySend(NewMsg([]byte("d"), big))
		if errors.Is(err, ErrWouldBlock) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sent++
		if time.Now().After(deadline) {
			t.Fatal("TrySend never reported a full pipe")
		}
	}
	if router.Stats().Dropped != 0 {
		t.Fatal("mandatory router dropped")
	}
	for i := 0; i < sent; i++ {
		if _, err := d.Recv(ctxT(t, 5*time.Second)); err != nil {
			t.Fatalf("message %d of %d: %v", i, sent, err)
		}
	}
}

func TestRouterHandover(t *testing.T) {
	for _, handover := range []bool{false, true} {
		t.Run(map[bool]string{false: "refuse", true: "handover"}[handover], func(t *testing.T) {
			router := newSock(t, Router, WithRouterHandover(handover))
			ep := bindAt(t, router, "tcp")
			first := newSock(t, Dealer, WithIdentity([]byte("same")))
			connectTo(t, first, ep)
			send(t, first, "one")
			expect(t, router, "same", "one")
			second := newSock(t, Dealer, WithIdentity([]byte("same")))
			connectTo(t, second, ep)
			if handover {
				waitEvent(t, first, EventDisconnected, 5*time.Second)
				send(t, second, "two")
				expect(t, router, "same", "two")
				send(t, router, "same", "to-second")
				expect(t, second, "to-second")
			} else {
				waitEvent(t, router, EventPeerRefused, 5*time.Second)
				send(t, router, "same", "to-first")
				expect(t, first, "to-first")
				expectNothing(t, second, 100*time.Millisecond)
			}
		})
	}
}

func TestPairRefusesSecondPeer(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			a := newSock(t, Pair)
			ep := bindAt(t, a, tr)
			b := newSock(t, Pair)
			connectTo(t, b, ep)
			send(t, b, "b")
			expect(t, a, "b")
			c := newSock(t, Pair)
			connectTo(t, c, ep)
			waitEvent(t, a, EventPeerRefused, 5*time.Second)
			send(t, a, "to-b")
			expect(t, b, "to-b")
			if a.Stats().Peers != 1 {
				t.Fatalf("peers %d", a.Stats().Peers)
			}
		})
	}
}

func TestCloseWakesBlockedCalls(t *testing.T) {
	push := newSock(t, Push) // no peer: Send blocks
	pull := newSock(t, Pull) // nothing queued: Recv blocks
	errs := make(chan error, 2)
	go func() { errs <- push.Send(context.Background(), NewMsg([]byte("x"))) }()
	go func() { _, err := pull.Recv(context.Background()); errs <- err }()
	time.Sleep(50 * time.Millisecond)
	push.Close()
	pull.Close()
	for i := 0; i < 2; i++ {
		select {
		case err := <-errs:
			if !errors.Is(err, net.ErrClosed) || !errors.Is(err, ErrClosed) {
				t.Fatalf("got %v, want net.ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not wake a blocked call")
		}
	}
	if err := push.Send(context.Background(), NewMsg([]byte("x"))); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Send after Close: %v", err)
	}
	if _, err := pull.TryRecv(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("TryRecv after Close: %v", err)
	}
	if err := push.Connect("tcp://127.0.0.1:1"); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Connect after Close: %v", err)
	}
}

func TestTrySendAndTryRecv(t *testing.T) {
	push := newSock(t, Push, WithSendHWM(2))
	if err := push.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TrySend with no peer: %v", err)
	}
	pull := newSock(t, Pull, WithRecvHWM(1))
	if _, err := pull.TryRecv(); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TryRecv with nothing: %v", err)
	}
	connectTo(t, push, bindAt(t, pull, "inproc"))
	// inproc HWM = 2+1.
	for i := 0; i < 3; i++ {
		if err := push.TrySend(NewMsg([]byte("x"))); err != nil {
			t.Fatalf("TrySend %d: %v", i, err)
		}
	}
	if err := push.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TrySend on a full pipe: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := push.Send(ctx, NewMsg([]byte("x"))); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send on a full pipe: %v", err)
	}
	expect(t, pull, "x")
	if err := push.TrySend(NewMsg([]byte("x"))); err != nil {
		t.Fatalf("TrySend after a read: %v", err)
	}
}

func TestNotSupported(t *testing.T) {
	sub := newSock(t, Sub)
	if err := sub.Send(context.Background(), NewMsg([]byte("x"))); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("SUB Send: %v", err)
	}
	pub := newSock(t, Pub)
	if _, err := pub.TryRecv(); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("PUB Recv: %v", err)
	}
	if err := pub.Subscribe([]byte("x")); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("PUB Subscribe: %v", err)
	}
	push := newSock(t, Push)
	if _, err := push.TryRecv(); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("PUSH Recv: %v", err)
	}
	pull := newSock(t, Pull)
	if err := pull.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("PULL Send: %v", err)
	}
	if err := push.TrySend(Msg{}); !errors.Is(err, ErrBadMessage) {
		t.Fatalf("empty message: %v", err)
	}
}
