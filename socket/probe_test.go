package socket

import (
	"errors"
	"testing"
)

// A DEALER (or REQ) with ProbeRouter announces itself to a ROUTER with an
// empty message as it connects; a ROUTER with it greets each peer the same
// way.
func TestProbeRouter(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			router := newSock(t, Router)
			ep := bindAt(t, router, tr)
			for _, typ := range []Type{Dealer, Req} {
				s := newSock(t, typ, WithProbeRouter(true), WithIdentity([]byte("p-"+typ.String())))
				connectTo(t, s, ep)
				expect(t, router, "p-"+typ.String(), "")
			}

			prouter := newSock(t, Router, WithProbeRouter(true))
			ep2 := bindAt(t, prouter, tr)
			dealer := newSock(t, Dealer)
			connectTo(t, dealer, ep2)
			expect(t, dealer, "")
		})
	}
}

// The probe goes out on each new connection, ahead of what was queued.
func TestProbeRouterEachConnection(t *testing.T) {
	ep := endpointFor(t, "ipc")
	dealer := newSock(t, Dealer, WithProbeRouter(true), WithIdentity([]byte("d")))
	connectTo(t, dealer, ep)
	send(t, dealer, "queued")
	for i := 0; i < 2; i++ {
		router := newSock(t, Router)
		if err := router.Bind(ep); err != nil {
			t.Fatal(err)
		}
		expect(t, router, "d", "")
		if i == 0 {
			expect(t, router, "d", "queued")
		}
		router.Close()
	}
}

func TestProbeRouterRefusedTypes(t *testing.T) {
	for _, typ := range []Type{Push, Pull, Pub, Sub, Rep, Pair} {
		if _, err := New(typ, WithProbeRouter(true)); !errors.Is(err, ErrBadOption) {
			t.Errorf("New(%v, WithProbeRouter): %v, want ErrBadOption", typ, err)
		}
	}
}
