package socket

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPubPrefixFilteringAndCountedSubscriptions(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			pub := newSock(t, Pub)
			sub := newSock(t, Sub)
			connectTo(t, sub, bindAt(t, pub, tr))
			sub.Subscribe([]byte("a"))
			sub.Subscribe([]byte("a")) // counted: needs two cancels
			sub.Subscribe([]byte("bc"))
			syncSub(t, pub, sub, "a-sync")
			syncSub(t, pub, sub, "bc-sync")
			for _, topic := range []string{"a1", "b", "bcd", "c", "", "abc"} {
				send(t, pub, topic)
			}
			expect(t, sub, "a1")
			expect(t, sub, "bcd")
			expect(t, sub, "abc")
			expectNothing(t, sub, 50*time.Millisecond)

			// Filtering happens on the publisher: nothing unmatched was sent.
			sub.Unsubscribe([]byte("a"))
			sub.Unsubscribe([]byte("bc"))
			syncSub(t, pub, sub, "a-still") // one "a" subscription left
			sub.Unsubscribe([]byte("a"))
			// Once the cancel has reached the publisher it has no
			// subscriber left and drops at its side.
			waitFor(t, 5*time.Second, "cancel to arrive", func() bool {
				send(t, pub, "a-gone")
				return pubHasNoSubscribers(pub)
			})
			for {
				if _, err := sub.TryRecv(); err != nil {
					break
				}
			}
			send(t, pub, "a-late")
			expectNothing(t, sub, 50*time.Millisecond)
		})
	}
}

func pubHasNoSubscribers(pub *Socket) bool {
	h := pub.h.(*pubSocket)
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	found := false
	h.d.trie.match([]byte("a-gone"), func(*peer) { found = true })
	return !found
}

func TestPubDropsWhenFull(t *testing.T) {
	pub := newSock(t, Pub, WithSendHWM(2))
	sub := newSock(t, Sub, WithRecvHWM(2))
	connectTo(t, sub, bindAt(t, pub, "inproc"))
	sub.Subscribe(nil)
	// inproc: the subscription is applied synchronously.
	for i := 0; i < 10; i++ {
		if err := pub.TrySend(NewMsg([]byte("m"))); err != nil {
			t.Fatalf("PUB TrySend must never block or fail: %v", err)
		}
	}
	if got := pub.Stats().Dropped; got != 6 {
		t.Fatalf("dropped %d, want 6 (HWM 2+2)", got)
	}
	waitEvent(t, pub, EventDropped, time.Second)
	for i := 0; i < 4; i++ {
		expect(t, sub, "m")
	}
	expectNothing(t, sub, 20*time.Millisecond)
}

func TestXPubSubscriptionMessages(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		t.Run(map[bool]string{false: "quiet", true: "verbose"}[verbose], func(t *testing.T) {
			xpub := newSock(t, XPub, WithXPubVerbose(verbose))
			ep := bindAt(t, xpub, "tcp")
			s1 := newSock(t, Sub)
			s2 := newSock(t, Sub)
			connectTo(t, s1, ep)
			connectTo(t, s2, ep)
			s1.Subscribe([]byte("news"))
			expect(t, xpub, "\x01news")
			s2.Subscribe([]byte("news"))
			if verbose {
				expect(t, xpub, "\x01news")
			} else {
				expectNothing(t, xpub, 100*time.Millisecond)
			}
			s1.Unsubscribe([]byte("news"))
			expectNothing(t, xpub, 100*time.Millisecond) // s2 still subscribed
			// A subscriber leaving cancels its subscriptions.
			s2.Close()
			expect(t, xpub, "\x00news")
		})
	}
}

func TestXSubForwardsToXPub(t *testing.T) {
	xpub := newSock(t, XPub)
	xsub := newSock(t, XSub)
	connectTo(t, xsub, bindAt(t, xpub, "inproc"))
	send(t, xsub, "\x01a")
	expect(t, xpub, "\x01a")
	send(t, xsub, "hello upstream")
	expect(t, xpub, "hello upstream")
	send(t, xpub, "a!")
	send(t, xpub, "b!")
	expect(t, xsub, "a!")
	expectNothing(t, xsub, 20*time.Millisecond)
	send(t, xsub, "\x00a")
	expect(t, xpub, "\x00a")
}

func TestXPubNoDrop(t *testing.T) {
	xpub := newSock(t, XPub, WithXPubNoDrop(true), WithSendHWM(1))
	sub := newSock(t, Sub, WithRecvHWM(1))
	connectTo(t, sub, bindAt(t, xpub, "inproc"))
	sub.Subscribe(nil)
	expect(t, xpub, "\x01")
	for i := 0; i < 2; i++ {
		if err := xpub.TrySend(NewMsg([]byte("m"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := xpub.TrySend(NewMsg([]byte("m"))); err != ErrWouldBlock {
		t.Fatalf("full no-drop XPUB: %v, want ErrWouldBlock", err)
	}
	done := make(chan error, 1)
	go func() { done <- xpub.Send(context.Background(), NewMsg([]byte("last"))) }()
	expect(t, sub, "m")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	expect(t, sub, "m")
	expect(t, sub, "last")
	if xpub.Stats().Dropped != 0 {
		t.Fatal("no-drop XPUB dropped")
	}
}

func TestTrie(t *testing.T) {
	var tr subTrie
	if tr.match([]byte("x")) {
		t.Fatal("empty trie matched")
	}
	if !tr.add([]byte("ab")) || tr.add([]byte("ab")) {
		t.Fatal("add did not report new/duplicate")
	}
	if !tr.match([]byte("abc")) || tr.match([]byte("a")) || tr.match([]byte("b")) {
		t.Fatal("prefix match wrong")
	}
	if tr.remove([]byte("ab")) {
		t.Fatal("first of two cancels reported last")
	}
	if !tr.match([]byte("ab")) {
		t.Fatal("counted subscription lost")
	}
	if !tr.remove([]byte("ab")) || tr.match([]byte("ab")) || tr.remove([]byte("ab")) {
		t.Fatal("last cancel wrong")
	}
	if len(tr.root.next) != 0 {
		t.Fatal("trie not pruned")
	}
	tr.add(nil)
	if !tr.match([]byte("anything")) || !tr.match(nil) {
		t.Fatal("empty subscription must match all")
	}

	var pt peerTrie
	p1, p2 := &peer{}, &peer{}
	if !pt.add([]byte("a"), p1) || pt.add([]byte("a"), p2) {
		t.Fatal("peerTrie first")
	}
	pt.add([]byte("ab"), p1)
	n := 0
	pt.match([]byte("abc"), func(*peer) { n++ })
	if n != 3 {
		t.Fatalf("matched %d, want 3 (p1 twice, p2 once)", n)
	}
	if was, last := pt.remove([]byte("a"), p1); !was || last {
		t.Fatal("remove p1")
	}
	if was, last := pt.remove([]byte("a"), p2); !was || !last {
		t.Fatal("remove p2")
	}
	if was, _ := pt.remove([]byte("zz"), p2); was {
		t.Fatal("remove unknown")
	}
}

func TestProxyXSubXPub(t *testing.T) {
	pub := newSock(t, Pub)
	pubEP := bindAt(t, pub, "inproc")
	xsub := newSock(t, XSub)
	connectTo(t, xsub, pubEP)
	xpub := newSock(t, XPub)
	subEP := bindAt(t, xpub, "tcp")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Proxy(ctx, xsub, xpub) }()
	sub := newSock(t, Sub)
	connectTo(t, sub, subEP)
	sub.Subscribe([]byte("k"))
	syncSub(t, pub, sub, "k-sync")
	send(t, pub, "z")
	send(t, pub, "k1")
	expect(t, sub, "k1")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Proxy returned %v", err)
	}
}

func TestInprocSubConnectsBeforePubBinds(t *testing.T) {
	ep := endpointFor(t, "inproc")
	sub := newSock(t, Sub)
	connectTo(t, sub, ep)
	sub.Subscribe([]byte("x"))
	pub := newSock(t, Pub)
	if err := pub.Bind(ep); err != nil {
		t.Fatal(err)
	}
	// inproc subscriptions are applied as the pipes attach: no sync needed.
	send(t, pub, "y")
	send(t, pub, "x1")
	expect(t, sub, "x1")
}

// SUB's receive-side filter: subscribed to everything it takes no lock;
// once the empty subscription is cancelled, only the remaining topics pass.
func TestSubMatchesAll(t *testing.T) {
	sub := newSock(t, Sub)
	h := sub.h.(*subSocket)
	msg := func(s string) [][]byte { return [][]byte{[]byte(s)} }
	if h.matches(msg("x")) {
		t.Fatal("no subscription matched")
	}
	h.subscribe(nil, true)
	h.subscribe([]byte("a"), true)
	if !h.all.Load() || !h.matches(msg("x")) || !h.matches(msg("")) {
		t.Fatal("subscribed to everything, yet filtered")
	}
	h.subscribe(nil, false)
	if h.all.Load() || h.matches(msg("x")) || !h.matches(msg("ab")) {
		t.Fatal("after cancelling the empty subscription")
	}
}
