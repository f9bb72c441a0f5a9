package zmtp

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// A peer that reads our greeting and READY and hangs up (what libzmq does
// on a socket-type mismatch) gives a PeerClosedError naming READY; one that
// hangs up before its greeting names the greeting.
func TestHandshakePeerClosedSaysWhen(t *testing.T) {
	for _, c := range []struct {
		name        string
		sendGreet   bool
		after, hint string
	}{
		{"after READY", true, "after our READY (socket type REQ; a socket-type mismatch or a refusal?)", "READY"},
		// Our version detection (RFC 23) sends the 10-octet signature and
		// waits for the peer's before sending more.
		{"before greeting", false, "after our signature (socket type REQ; a socket-type mismatch or a refusal, or not a ZMTP 3 peer?)", "signature"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				nc, err := ln.Accept()
				if err != nil {
					return
				}
				defer nc.Close()
				if c.sendGreet {
					g, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
					nc.Write(g)
				}
				// Read our greeting and READY, then hang up.
				buf := make([]byte, 64+64)
				nc.SetReadDeadline(time.Now().Add(5 * time.Second))
				want := 64 + 10
				if !c.sendGreet {
					want = LegacySignatureSize
				}
				io.ReadAtLeast(nc, buf, want)
			}()
			nc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			_, err = Handshake(context.Background(), nc, Config{SocketType: "REQ", HandshakeTimeout: 5 * time.Second})
			<-done
			var pc *PeerClosedError
			if !errors.As(err, &pc) || !errors.Is(err, ErrPeerClosedHandshake) {
				t.Fatalf("Handshake: %v, want a PeerClosedError", err)
			}
			if pc.After != c.hint || pc.PeerGreeting != c.sendGreet || pc.SocketType != "REQ" {
				t.Fatalf("%+v", pc)
			}
			if !strings.Contains(err.Error(), c.after) {
				t.Fatalf("error %q does not say %q", err, c.after)
			}
			t.Log(err)
		})
	}
}

func TestLastCommandName(t *testing.T) {
	b, err := AppendCommand(nil, "HELLO", make([]byte, 300))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = AppendCommand(b, "INITIATE", nil); err != nil {
		t.Fatal(err)
	}
	if got := lastCommandName(b, "x"); got != "INITIATE" {
		t.Fatalf("got %q", got)
	}
	if got := lastCommandName(b[:5], "greeting"); got != "greeting" {
		t.Fatalf("truncated: got %q", got)
	}
}
