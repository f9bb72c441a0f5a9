package socket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Retention lives on stream connections (tcp, ipc): inproc peers share
// their pipes with the other socket, so there is nothing to park.

// dealerSays connects a DEALER with identity id to ep and makes sure the
// ROUTER has it attached by passing one message through.
func dealerSays(t *testing.T, router *Socket, ep, id string, opts ...Option) *Socket {
	t.Helper()
	d := newSock(t, Dealer, append([]Option{WithIdentity([]byte(id))}, opts...)...)
	connectTo(t, d, ep)
	send(t, d, "hello from "+id)
	expect(t, router, id, "hello from "+id)
	return d
}

// leave closes a peer socket and waits until the other side parked it.
func leave(t *testing.T, s, peer *Socket, key string) {
	t.Helper()
	peer.Close()
	e := waitEvent(t, s, EventRetained, 5*time.Second)
	if e.Peer != key {
		t.Fatalf("retained key %q, want %q", e.Peer, key)
	}
}

func TestRetentionOffByDefault(t *testing.T) {
	router := newSock(t, Router)
	ep := bindAt(t, router, "tcp")
	d := dealerSays(t, router, ep, "d")
	d.Close()
	waitFor(t, 5*time.Second, "peer to be detached", func() bool { return router.Stats().Peers == 0 })
	send(t, router, "d", "while away")
	if st := router.Stats(); st.Dropped != 1 || st.Retained != 0 {
		t.Fatalf("without retention: dropped %d retained %d, want 1 and 0", st.Dropped, st.Retained)
	}
	d2 := dealerSays(t, router, ep, "d")
	send(t, router, "d", "fresh")
	expect(t, d2, "fresh")
	expectNothing(t, d2, 50*time.Millisecond)
}

func TestRetentionRouterKeepsRoutingToDepartedDealer(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			router := newSock(t, Router, WithRetention(Retention{}), WithRouterMandatory(true))
			ep := bindAt(t, router, tr)
			d := dealerSays(t, router, ep, "dealer-1")
			leave(t, router, d, "dealer-1")
			if n := router.Stats().Retained; n != 1 {
				t.Fatalf("Retained = %d, want 1", n)
			}
			const n = 50
			for i := 0; i < n; i++ {
				// Mandatory: a retained identity is routable, not ErrHostUnreachable.
				if err := router.TrySend(NewMsg([]byte("dealer-1"), []byte(fmt.Sprint("m", i)))); err != nil {
					t.Fatalf("send %d to a retained peer: %v", i, err)
				}
			}
			if err := router.TrySend(NewMsg([]byte("nobody"), []byte("x"))); !errors.Is(err, ErrHostUnreachable) {
				t.Fatalf("unknown identity: %v, want ErrHostUnreachable", err)
			}
			if st := router.Stats(); st.Dropped != 0 || st.Queued != n {
				t.Fatalf("dropped %d queued %d, want 0 and %d", st.Dropped, st.Queued, n)
			}
			d2 := newSock(t, Dealer, WithIdentity([]byte("dealer-1")))
			connectTo(t, d2, ep)
			for i := 0; i < n; i++ {
				expect(t, d2, fmt.Sprint("m", i))
			}
			if e := waitEvent(t, router, EventRetentionClaimed, 5*time.Second); e.Peer != "dealer-1" {
				t.Fatalf("claimed key %q", e.Peer)
			}
			send(t, router, "dealer-1", "after")
			expect(t, d2, "after")
			expectNothing(t, d2, 50*time.Millisecond)
			send(t, d2, "back")
			expect(t, router, "dealer-1", "back")
			if n := router.Stats().Retained; n != 0 {
				t.Fatalf("Retained = %d after the claim, want 0", n)
			}
		})
	}
}

func TestRetentionTTLExpiry(t *testing.T) {
	router := newSock(t, Router, WithRetention(Retention{TTL: 100 * time.Millisecond}))
	ep := bindAt(t, router, "tcp")
	d := dealerSays(t, router, ep, "d")
	leave(t, router, d, "d")
	send(t, router, "d", "stale 1")
	send(t, router, "d", "stale 2")
	e := waitEvent(t, router, EventRetentionExpired, 5*time.Second)
	if e.Peer != "d" || !errors.Is(e.Err, ErrRetentionExpired) {
		t.Fatalf("expiry event %v, want key d and ErrRetentionExpired", e)
	}
	waitFor(t, time.Second, "Retained to drop to 0", func() bool { return router.Stats().Retained == 0 })
	if st := router.Stats(); st.Peers != 0 || st.Queued != 0 {
		t.Fatalf("after expiry: peers %d queued %d, want 0", st.Peers, st.Queued)
	}
	d2 := dealerSays(t, router, ep, "d")
	send(t, router, "d", "fresh")
	expect(t, d2, "fresh")
	expectNothing(t, d2, 50*time.Millisecond)
}

func TestRetentionMaxKeysEvictsOldest(t *testing.T) {
	router := newSock(t, Router, WithRetention(Retention{MaxKeys: 2}))
	ep := bindAt(t, router, "tcp")
	for _, id := range []string{"a", "b"} {
		d := dealerSays(t, router, ep, id)
		leave(t, router, d, id)
		send(t, router, id, "for "+id)
	}
	c := dealerSays(t, router, ep, "c")
	c.Close()
	// Parking c makes three; the oldest, a, is let go.
	e := waitEvent(t, router, EventRetentionExpired, 5*time.Second)
	if e.Peer != "a" || !errors.Is(e.Err, ErrRetentionExpired) {
		t.Fatalf("eviction event %v, want key a", e)
	}
	waitFor(t, 5*time.Second, "c to be parked", func() bool { return router.Stats().Retained == 2 })
	if q := router.Stats().Queued; q != 1 {
		t.Fatalf("queued %d after eviction, want 1 (b's)", q)
	}
	b := newSock(t, Dealer, WithIdentity([]byte("b")))
	connectTo(t, b, ep)
	expect(t, b, "for b")
	a := dealerSays(t, router, ep, "a")
	send(t, router, "a", "fresh")
	expect(t, a, "fresh")
	expectNothing(t, a, 50*time.Millisecond)
	if n := router.Stats().Retained; n != 1 {
		t.Fatalf("Retained = %d, want 1 (c)", n)
	}
}

func TestRetentionRefusesDuplicateLiveKey(t *testing.T) {
	t.Run("router", func(t *testing.T) {
		router := newSock(t, Router, WithRetention(Retention{}))
		ep := bindAt(t, router, "tcp")
		first := dealerSays(t, router, ep, "same")
		second := newSock(t, Dealer, WithIdentity([]byte("same")))
		connectTo(t, second, ep)
		e := waitEvent(t, router, EventPeerRefused, 5*time.Second)
		if !errors.Is(e.Err, ErrPeerRefused) {
			t.Fatalf("refusal reason %v, want ErrPeerRefused", e.Err)
		}
		send(t, router, "same", "to first")
		expect(t, first, "to first")
		expectNothing(t, second, 50*time.Millisecond)
		send(t, first, "still here")
		expect(t, router, "same", "still here")
	})
	t.Run("pub", func(t *testing.T) {
		pub := newSock(t, Pub, WithRetention(Retention{}))
		ep := bindAt(t, pub, "tcp")
		first := newSock(t, Sub, WithIdentity([]byte("same")))
		first.Subscribe(nil)
		connectTo(t, first, ep)
		syncSub(t, pub, first, "sync")
		second := newSock(t, Sub, WithIdentity([]byte("same")))
		second.Subscribe(nil)
		connectTo(t, second, ep)
		e := waitEvent(t, pub, EventPeerRefused, 5*time.Second)
		if !errors.Is(e.Err, ErrPeerRefused) {
			t.Fatalf("refusal reason %v, want ErrPeerRefused", e.Err)
		}
		send(t, pub, "news")
		expect(t, first, "news")
		expectNothing(t, second, 50*time.Millisecond)
	})
}

func TestRetentionHandover(t *testing.T) {
	router := newSock(t, Router, WithRetention(Retention{}), WithRouterHandover(true))
	ep := bindAt(t, router, "tcp")
	// The first dealer must not reconnect and take the identity back.
	first := dealerSays(t, router, ep, "same", WithReconnectInterval(time.Hour))
	second := newSock(t, Dealer, WithIdentity([]byte("same")))
	connectTo(t, second, ep)
	waitEvent(t, first, EventDisconnected, 5*time.Second)
	// The router may still route to the old pipe until the newcomer has it:
	// messages sent now must reach the newcomer, in order.
	for i := 0; i < 5; i++ {
		send(t, router, "same", fmt.Sprint("m", i))
	}
	for i := 0; i < 5; i++ {
		expect(t, second, fmt.Sprint("m", i))
	}
	expectNothing(t, first, 50*time.Millisecond)
	send(t, second, "new one")
	expect(t, router, "same", "new one")
	if st := router.Stats(); st.Peers != 1 || st.Retained != 0 {
		t.Fatalf("peers %d retained %d, want 1 and 0", st.Peers, st.Retained)
	}
}

func TestRetentionKeyUserOverPlain(t *testing.T) {
	auth := func(user, pass string) (string, error) {
		if pass != "pw" {
			return "", errors.New("bad password")
		}
		return "user:" + user, nil
	}
	cases := []struct{ name, id1, id2 string }{
		{"two identities, one user", "id-1", "id-2"},
		{"no identity", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pub := newSock(t, Pub, WithPlainServer(auth), WithRetention(Retention{KeyBy: KeyUser}))
			ep := bindAt(t, pub, "tcp")
			sub := func(id string) *Socket {
				opts := []Option{WithPlainClient("alice", "pw")}
				if id != "" {
					opts = append(opts, WithIdentity([]byte(id)))
				}
				s := newSock(t, Sub, opts...)
				s.Subscribe(nil)
				connectTo(t, s, ep)
				return s
			}
			s1 := sub(c.id1)
			syncSub(t, pub, s1, "sync")
			leave(t, pub, s1, "user:alice")
			for i := 0; i < 3; i++ {
				send(t, pub, fmt.Sprint("away ", i))
			}
			s2 := sub(c.id2)
			for i := 0; i < 3; i++ {
				expect(t, s2, fmt.Sprint("away ", i))
			}
			send(t, pub, "live")
			expect(t, s2, "live")
			expectNothing(t, s2, 50*time.Millisecond)
		})
	}
}

func TestRetentionHWMDropsExactlyTheExcess(t *testing.T) {
	const hwm, n = 3, 10
	pub := newSock(t, Pub, WithSendHWM(hwm), WithRetention(Retention{}))
	ep := bindAt(t, pub, "tcp")
	s1 := newSock(t, Sub, WithIdentity([]byte("s")))
	s1.Subscribe([]byte("m"))
	connectTo(t, s1, ep)
	syncSub(t, pub, s1, "m-sync")
	leave(t, pub, s1, "s")
	before := pub.Stats().Dropped
	for i := 0; i < n; i++ {
		if err := pub.TrySend(NewMsg([]byte(fmt.Sprint("m", i)))); err != nil {
			t.Fatalf("PUB TrySend into a retained pipe: %v", err)
		}
	}
	st := pub.Stats()
	if got := st.Dropped - before; got != n-hwm {
		t.Fatalf("dropped %d, want %d", got, n-hwm)
	}
	if st.Queued != hwm {
		t.Fatalf("queued %d, want %d", st.Queued, hwm)
	}
	s2 := newSock(t, Sub, WithIdentity([]byte("s")))
	s2.Subscribe([]byte("m"))
	connectTo(t, s2, ep)
	for i := 0; i < hwm; i++ {
		expect(t, s2, fmt.Sprint("m", i))
	}
	expectNothing(t, s2, 50*time.Millisecond)
}

// Mute actions not covered by basic_test.go and pubsub_test.go.

func TestPubNeverBlocksOnStalledTCPSubscriber(t *testing.T) {
	pub := newSock(t, Pub, WithSendHWM(10))
	sub := newSock(t, Sub, WithRecvHWM(10))
	sub.Subscribe(nil)
	connectTo(t, sub, bindAt(t, pub, "tcp"))
	syncSub(t, pub, sub, "sync")
	// The subscriber never reads: its inbound pipe fills, then the kernel
	// buffers, then our outbound pipe. Send must keep returning at once.
	big := bytes.Repeat([]byte("x"), 16<<10)
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 5000; i++ {
			if err := pub.Send(context.Background(), NewMsg(big)); err != nil {
				done <- err
				return
			}
			if pub.Stats().Dropped > 100 {
				break
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("PUB Send blocked on a stalled subscriber")
	}
	if d := pub.Stats().Dropped; d <= 100 {
		t.Fatalf("dropped %d, want more than 100: nothing was dropped at the HWM", d)
	}
	waitEvent(t, pub, EventDropped, time.Second)
}

func TestDealerBlocksAtHWM(t *testing.T) {
	dealer := newSock(t, Dealer, WithSendHWM(1))
	if err := dealer.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TrySend with no peer: %v, want ErrWouldBlock", err)
	}
	router := newSock(t, Router, WithRecvHWM(1))
	connectTo(t, dealer, bindAt(t, router, "inproc"))
	// inproc: the pipe holds 1+1.
	for i := 0; i < 2; i++ {
		if err := dealer.TrySend(NewMsg([]byte(fmt.Sprint(i)))); err != nil {
			t.Fatalf("TrySend %d: %v", i, err)
		}
	}
	if err := dealer.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TrySend on a full pipe: %v, want ErrWouldBlock", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := dealer.Send(ctx, NewMsg([]byte("x"))); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send on a full pipe: %v, want DeadlineExceeded", err)
	}
	done := make(chan error, 1)
	go func() { done <- dealer.Send(context.Background(), NewMsg([]byte("2"))) }()
	select {
	case err := <-done:
		t.Fatalf("Send returned %v before there was room", err)
	case <-time.After(50 * time.Millisecond):
	}
	m := recv(t, router)
	if m[1] != "0" {
		t.Fatalf("first message %q", m)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m = recv(t, router)
	if m[1] != "1" {
		t.Fatalf("second message %q", m)
	}
	m = recv(t, router)
	if m[1] != "2" {
		t.Fatalf("third message %q", m)
	}
	if dealer.Stats().Dropped != 0 {
		t.Fatal("DEALER dropped")
	}
}
