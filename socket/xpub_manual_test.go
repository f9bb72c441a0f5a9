package socket

import (
	"errors"
	"testing"
	"time"
)

// With XPubManual the subscription is the application's to apply: nothing
// published reaches the subscriber until the XPUB subscribes on its behalf,
// and what it subscribes may differ from what was asked.
func TestXPubManual(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			xpub := newSock(t, XPub, WithXPubManual(true))
			ep := bindAt(t, xpub, tr)
			sub := newSock(t, Sub)
			connectTo(t, sub, ep)
			if err := sub.Subscribe([]byte("A")); err != nil {
				t.Fatal(err)
			}
			m, err := xpub.Recv(ctxT(t, 5*time.Second))
			if err != nil || string(m.Frames[0]) != "\x01A" {
				t.Fatalf("XPUB Recv = %q, %v; want \\x01A", strs(m), err)
			}
			if st, _ := m.Property("Socket-Type"); st != "SUB" {
				t.Errorf("the subscription's Socket-Type = %q, want SUB", st)
			}
			send(t, xpub, "A-not-applied")
			// Applied on the subscriber's behalf, for a wider topic.
			if err := xpub.Subscribe([]byte("")); err != nil {
				t.Fatal(err)
			}
			send(t, xpub, "A-applied")
			expect(t, sub, "A-applied") // the first one never went out

			// A second identical request is delivered too (manual is verbose).
			sub2 := newSock(t, Sub)
			connectTo(t, sub2, ep)
			sub2.Subscribe([]byte("A"))
			if got := recv(t, xpub); got[0] != "\x01A" {
				t.Fatalf("second subscription delivered as %q", got)
			}
			// Unsubscribe is delivered and applied by the application.
			sub.Unsubscribe([]byte("A"))
			if got := recv(t, xpub); got[0] != "\x00A" {
				t.Fatalf("cancel delivered as %q", got)
			}
			// That cancel came from sub, so Unsubscribe acts for sub.
			xpub.Unsubscribe([]byte(""))
			send(t, xpub, "gone")
			expectNothing(t, sub, 100*time.Millisecond)

			// A subscriber leaving without cancelling: the topics only it
			// asked for are delivered as cancelled.
			sub2.Close()
			if got := recv(t, xpub); got[0] != "\x00A" {
				t.Fatalf("leaving subscriber delivered as %q", got)
			}
		})
	}
}

func TestXPubManualRefusals(t *testing.T) {
	xpub := newSock(t, XPub)
	if err := xpub.Subscribe([]byte("x")); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Subscribe on a non-manual XPUB: %v, want ErrNotSupported", err)
	}
	if _, err := New(Pub, WithXPubManual(true)); !errors.Is(err, ErrBadOption) {
		t.Errorf("WithXPubManual on PUB: %v", err)
	}
	if _, err := New(Sub, WithXPubWelcome([]byte("w"))); !errors.Is(err, ErrBadOption) {
		t.Errorf("WithXPubWelcome on SUB: %v", err)
	}
	m := newSock(t, XPub, WithXPubManual(true))
	if err := m.Subscribe([]byte("x")); err != nil {
		t.Errorf("Subscribe before any subscriber: %v, want a no-op", err)
	}
}

// Every subscriber gets the welcome message as it connects; a SUB sees it
// when subscribed to it.
func TestXPubWelcome(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			xpub := newSock(t, XPub, WithXPubWelcome([]byte("WELCOME")))
			ep := bindAt(t, xpub, tr)
			for i := 0; i < 2; i++ {
				sub := newSock(t, Sub)
				sub.Subscribe([]byte("WEL"))
				connectTo(t, sub, ep)
				expect(t, sub, "WELCOME")
			}
			other := newSock(t, Sub)
			other.Subscribe([]byte("X"))
			connectTo(t, other, ep)
			recv(t, xpub) // \x01WEL
			if got := recv(t, xpub); got[0] != "\x01X" {
				t.Fatalf("XPUB Recv %q", got)
			}
			send(t, xpub, "X1")
			expect(t, other, "X1") // not WELCOME: filtered out by the SUB
		})
	}
}
