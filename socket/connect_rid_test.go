package socket

import (
	"errors"
	"testing"
	"time"
)

// ConnectWithRoutingID routes the connected peer by the given id, not by the
// identity it announces, and the peer is routable before it is connected.
func TestConnectRoutingID(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			server := newSock(t, Router, WithIdentity([]byte("announced")))
			ep := bindAt(t, server, tr)
			client := newSock(t, Router, WithIdentity([]byte("client")))
			if err := client.ConnectWithRoutingID(ep, []byte("chosen")); err != nil {
				t.Fatal(err)
			}
			// Sent at once: queued for the peer until the connection is up.
			send(t, client, "chosen", "hello")
			expect(t, server, "client", "hello")
			send(t, server, "client", "back")
			m, err := client.Recv(ctxT(t, 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if got := strs(m); len(got) != 2 || got[0] != "chosen" || got[1] != "back" {
				t.Fatalf("client received %q, want [chosen back]", got)
			}
			if id, _ := m.Property("Identity"); id != "announced" {
				t.Errorf("the peer's own Identity property = %q, want announced", id)
			}
			// The id is taken now.
			if err := client.ConnectWithRoutingID(ep, []byte("chosen")); !errors.Is(err, ErrPeerRefused) {
				t.Errorf("second ConnectRoutingID with one id: %v, want ErrPeerRefused", err)
			}
		})
	}
}

func TestConnectRoutingIDRefusals(t *testing.T) {
	d := newSock(t, Dealer)
	if err := d.ConnectWithRoutingID("tcp://127.0.0.1:1", []byte("x")); !errors.Is(err, ErrNotSupported) {
		t.Errorf("on DEALER: %v, want ErrNotSupported", err)
	}
	r := newSock(t, Router)
	if err := r.ConnectWithRoutingID("tcp://127.0.0.1:1", nil); !errors.Is(err, ErrBadOption) {
		t.Errorf("empty id: %v, want ErrBadOption", err)
	}
}
