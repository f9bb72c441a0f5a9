package zmtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/memconn"
)

// handshakePair runs Handshake on both ends of a tcp connection at once.
func handshakePair(t *testing.T, ca, cb Config) (*Conn, *Conn) {
	t.Helper()
	a, b := tcpPair(t)
	type res struct {
		c   *Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := Handshake(context.Background(), b, cb)
		ch <- res{c, err}
	}()
	x, err := Handshake(context.Background(), a, ca)
	r := <-ch
	if err != nil || r.err != nil {
		t.Fatalf("handshake: %v / %v", err, r.err)
	}
	t.Cleanup(func() { x.Close(); r.c.Close() })
	return x, r.c
}

// TestLegacyAnnounce: whatever the two ends announce, they agree on the
// oldest version (RFC 23: the later peer downgrades), exchange identities
// and socket types as that version carries them, and messages in its
// framing; a subscription from a SUB reaches the PUB as a subscription.
func TestLegacyAnnounce(t *testing.T) {
	for _, tc := range []struct {
		a, b, want LegacyVersion
	}{
		{0, 0, 0},
		{ZMTP20, 0, ZMTP20},
		{0, ZMTP20, ZMTP20},
		{ZMTP10, 0, ZMTP10},
		{0, ZMTP10, ZMTP10},
		{ZMTP10, ZMTP20, ZMTP10},
		{ZMTP20, ZMTP10, ZMTP10},
		{ZMTP20, ZMTP20, ZMTP20},
		{ZMTP10, ZMTP10, ZMTP10},
	} {
		t.Run(tc.a.String()+"+"+tc.b.String(), func(t *testing.T) {
			sub, pub := handshakePair(t,
				Config{SocketType: "SUB", Identity: []byte("sub-id"), Announce: tc.a},
				Config{SocketType: "PUB", Identity: []byte("pub-id"), Announce: tc.b})
			for _, c := range []*Conn{sub, pub} {
				if c.Legacy() != tc.want {
					t.Fatalf("%s runs %v, want %v", c.cfg.SocketType, c.Legacy(), tc.want)
				}
			}
			if got := string(pub.PeerIdentity()); got != "sub-id" {
				t.Fatalf("PUB sees identity %q", got)
			}
			if got := string(sub.PeerIdentity()); got != "pub-id" {
				t.Fatalf("SUB sees identity %q", got)
			}
			wantType := "PUB"
			if tc.want == ZMTP10 {
				wantType = "" // ZMTP 1.0 carries no socket type
			}
			if sub.PeerSocketType() != wantType {
				t.Fatalf("SUB sees peer type %q, want %q", sub.PeerSocketType(), wantType)
			}
			if tc.want == ZMTP10 {
				// The PUB first reports the implied subscription of a
				// ZMTP 1.0 subscriber, which filters on its side.
				_, cmd, err := pub.ReadMessage()
				if err != nil || cmd.Name != CmdSubscribe || len(cmd.Body) != 0 {
					t.Fatalf("got %+v %v, want SUBSCRIBE to everything", cmd, err)
				}
			}
			if err := sub.WriteSubscribe([]byte("topic"), true); err != nil {
				t.Fatal(err)
			}
			if err := sub.Flush(); err != nil {
				t.Fatal(err)
			}
			_, cmd, err := pub.ReadMessage()
			if err != nil || cmd.Name != CmdSubscribe || string(cmd.Body) != "topic" {
				t.Fatalf("got %+v %v, want SUBSCRIBE topic", cmd, err)
			}
			long := bytes.Repeat([]byte("x"), 70000)
			if err := pub.WriteMessage([][]byte{[]byte("topic"), long}); err != nil {
				t.Fatal(err)
			}
			if err := pub.Flush(); err != nil {
				t.Fatal(err)
			}
			msg, _, err := sub.ReadMessage()
			if err != nil || len(msg) != 2 || string(msg[0]) != "topic" || !bytes.Equal(msg[1], long) {
				t.Fatalf("got %d frames, %v", len(msg), err)
			}
		})
	}
}

// TestLegacyWireV2 checks our side of a ZMTP 2.0 connection octet by octet
// against a peer scripted from RFC 15 (greeting = signature revision
// socket-type identity; frames = flags length body).
func TestLegacyWireV2(t *testing.T) {
	a, b := tcpPair(t)
	b.SetDeadline(time.Now().Add(10 * time.Second))
	ch := make(chan *Conn, 1)
	go func() {
		c, err := Handshake(context.Background(), a, Config{SocketType: "DEALER", Identity: []byte("me")})
		if err != nil {
			t.Error(err)
		}
		ch <- c
	}()
	expectWire(t, b, "signature", hx(t, "ff 0000000000000003 7f")) // padding: identity length + 1
	write(t, b, hx(t, "ff 0000000000000001 7f"))                   // RFC 15's signature, anonymous
	expectWire(t, b, "major", hx(t, "03"))
	write(t, b, hx(t, "01 06 00 00")) // revision 1, ROUTER, empty identity
	expectWire(t, b, "type+identity", cat(hx(t, "05 00 02"), []byte("me")))
	c := <-ch
	if c == nil {
		t.FailNow()
	}
	defer c.Close()
	if c.Legacy() != ZMTP20 || c.PeerSocketType() != "ROUTER" || c.PeerIdentity() != nil {
		t.Fatalf("legacy %v type %q identity %q", c.Legacy(), c.PeerSocketType(), c.PeerIdentity())
	}
	if major, _ := c.Version(); major != 2 {
		t.Fatalf("Version major %d", major)
	}
	if err := c.WriteMessage([][]byte{[]byte("a"), make([]byte, 256)}); err != nil {
		t.Fatal(err)
	}
	c.Flush()
	expectWire(t, b, "message", cat(hx(t, "01 01 61 02 0000000000000100"), make([]byte, 256)))
	write(t, b, cat(hx(t, "01 00 00 03"), []byte("abc")))
	msg, _, err := c.ReadMessage()
	if err != nil || len(msg) != 2 || len(msg[0]) != 0 || string(msg[1]) != "abc" {
		t.Fatalf("got %q %v", msg, err)
	}
	if err := c.WritePing(time.Second, nil); !errors.Is(err, ErrLegacyNoCommand) {
		t.Fatalf("PING on ZMTP 2.0: %v", err)
	}
	// Reserved flag bits MUST be zero in 2.0: the connection fails.
	write(t, b, hx(t, "04 00"))
	if _, _, err := c.ReadMessage(); !errors.Is(err, ErrBadFlags) {
		t.Fatalf("got %v, want ErrBadFlags", err)
	}
}

// TestLegacyWireV1 does the same against a ZMTP 1.0 peer scripted from
// RFC 13 (greeting = identity frame; frames = length flags body, the
// length counting the flags octet).
func TestLegacyWireV1(t *testing.T) {
	a, b := tcpPair(t)
	b.SetDeadline(time.Now().Add(10 * time.Second))
	ch := make(chan *Conn, 1)
	go func() {
		c, err := Handshake(context.Background(), a, Config{SocketType: "PUB", Identity: []byte("me")})
		if err != nil {
			t.Error(err)
		}
		ch <- c
	}()
	write(t, b, cat(hx(t, "04 00"), []byte("old"))) // identity "old"
	// Our signature is the long header of our identity frame; its body follows.
	expectWire(t, b, "identity", cat(hx(t, "ff 0000000000000003 7f"), []byte("me")))
	c := <-ch
	if c == nil {
		t.FailNow()
	}
	defer c.Close()
	if c.Legacy() != ZMTP10 || string(c.PeerIdentity()) != "old" || c.PeerSocketType() != "" {
		t.Fatalf("legacy %v identity %q type %q", c.Legacy(), c.PeerIdentity(), c.PeerSocketType())
	}
	if err := c.WriteMessage([][]byte{[]byte("t"), make([]byte, 254)}); err != nil {
		t.Fatal(err)
	}
	c.Flush()
	// 254 body octets + flags = 255: the long form (RFC 13).
	expectWire(t, b, "message", cat(hx(t, "02 01 74 ff 00000000000000ff 00"), make([]byte, 254)))
	// A ZMTP 1.0 subscriber never subscribes: the PUB hears of one to
	// everything first.
	if _, cmd, err := c.ReadMessage(); err != nil || cmd.Name != CmdSubscribe || len(cmd.Body) != 0 {
		t.Fatalf("got %+v %v, want SUBSCRIBE to everything", cmd, err)
	}
	// Flags bits 1-7 SHOULD be zero in 1.0, but are not refused.
	write(t, b, cat(hx(t, "03 fe"), []byte("ab")))
	if msg, _, err := c.ReadMessage(); err != nil || len(msg) != 1 || string(msg[0]) != "ab" {
		t.Fatalf("got %q %v", msg, err)
	}
	// A length of 0 is invalid (it counts the flags octet).
	write(t, b, hx(t, "00"))
	if _, _, err := c.ReadMessage(); !errors.Is(err, ErrBadFrameLength) {
		t.Fatalf("got %v, want ErrBadFrameLength", err)
	}
}

// TestLegacyHugeLength: an old-version frame announcing more than the
// limit is refused from its length octets alone.
func TestLegacyHugeLength(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    LegacyVersion
		max  int64
		hdr  []byte
	}{
		{"1.0 over limit", ZMTP10, 100, hx(t, "ff 0000000000010000")},
		{"1.0 over int", ZMTP10, 0, hx(t, "ff ffffffffffffffff")},
		{"2.0 over limit", ZMTP20, 100, hx(t, "02 0000000000010000")},
		{"2.0 over int", ZMTP20, 0, hx(t, "02 ffffffffffffffff")},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			x, y := handshakePair(t,
				Config{SocketType: "PULL", MaxMessageSize: tc.max},
				Config{SocketType: "PUSH", Announce: tc.v})
			if x.Legacy() != tc.v {
				t.Fatalf("runs %v", x.Legacy())
			}
			write(t, y.NetConn(), tc.hdr) // and nothing more
			_, _, err := x.ReadMessage()
			var fse *FrameSizeError
			if !errors.As(err, &fse) || !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("got %v, want a FrameSizeError", err)
			}
			if _, _, again := x.ReadMessage(); again != err {
				t.Fatalf("error not sticky: %v", again)
			}
		})
	}
}

// TestLegacyWithSecurity: a PLAIN socket refuses an older peer and says
// why; announcing an older version with PLAIN is a configuration error;
// RefuseLegacy does the same for NULL.
func TestLegacyWithSecurity(t *testing.T) {
	a, b := tcpPair(t)
	write(t, b, hx(t, "01 00"))
	_, err := Handshake(context.Background(), a, Config{SocketType: "PULL",
		Security: Security{Mechanism: "PLAIN", Username: "u", Password: "p"}})
	var le *LegacyPeerError
	if !errors.As(err, &le) || le.Major != 1 || !strings.Contains(err.Error(), "requires PLAIN") {
		t.Fatalf("got %v", err)
	}
	a, _ = tcpPair(t)
	_, err = Handshake(context.Background(), a, Config{SocketType: "PULL", Announce: ZMTP20,
		Security: Security{Mechanism: "PLAIN", Username: "u", Password: "p"}})
	if !errors.Is(err, ErrBadConfig) {
		t.Fatalf("got %v, want ErrBadConfig", err)
	}
	a, _ = tcpPair(t)
	_, err = Handshake(context.Background(), a, Config{SocketType: "CLIENT", Announce: ZMTP10})
	if !errors.Is(err, ErrBadConfig) {
		t.Fatalf("CLIENT over ZMTP 1.0: %v, want ErrBadConfig", err)
	}
}

// TestLegacyIncompatibleType: a ZMTP 2.0 peer of a type ours cannot talk
// to is refused, as RFC 15 asks.
func TestLegacyIncompatibleType(t *testing.T) {
	a, b := tcpPair(t)
	b.SetDeadline(time.Now().Add(10 * time.Second))
	go io.Copy(io.Discard, b)
	write(t, b, hx(t, "ff 0000000000000001 7f 01 07 00 00")) // a PULL
	_, err := Handshake(context.Background(), a, Config{SocketType: "PULL"})
	if !errors.Is(err, ErrIncompatibleSocketType) {
		t.Fatalf("got %v", err)
	}
}

func write(t *testing.T, nc net.Conn, b []byte) {
	t.Helper()
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
}

func expectWire(t *testing.T, nc net.Conn, what string, want []byte) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(nc, got); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s:\n got %x\nwant %x", what, got, want)
	}
}

// FuzzLegacyHandshake feeds arbitrary peer bytes to a handshake that
// detects older versions, then reads messages until the input ends: no
// panic, no hang (the input is finite and then closed), memory bounded by
// the message size limit.
func FuzzLegacyHandshake(f *testing.F) {
	f.Add(hx(f, "01 00 02 00 61"))                                         // 1.0, anonymous, "a"
	f.Add(hx(f, "04 00 6f6c64 03 01 6162 01 00"))                          // 1.0 identity, multipart
	f.Add(hx(f, "ff 0000000000000001 7f 01 05 00 00 00 01 61"))            // 2.0 DEALER
	f.Add(hx(f, "ff 0000000000000001 7f 00 05 01 00 02 00 61"))            // revision 0: 1.0 framing
	f.Add(hx(f, "ff 0000000000000001 7f 01 05 00 00 02 ffffffffffffffff")) // huge 2.0 frame
	g, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
	f.Add(g)
	f.Fuzz(func(t *testing.T, in []byte) {
		a, b := memconn.Pipe(1 << 16)
		defer a.Close()
		go func() {
			b.Write(in)
			b.Close()
		}()
		c, err := Handshake(context.Background(), a, Config{SocketType: "DEALER", MaxMessageSize: 1 << 16, HandshakeTimeout: 2 * time.Second})
		if err != nil {
			return
		}
		defer c.Close()
		if v := c.Legacy(); v != 0 && v != ZMTP10 && v != ZMTP20 {
			t.Fatalf("legacy %v", v)
		}
		for range len(in) + 1 {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
		t.Fatal("more messages than input bytes")
	})
}

// TestLegacyGarbage: ZMTP 1.0 has no signature and RFC 13 forbids
// validating the identity frame's flags, so text such as an HTTP request
// reads as a 1.0 identity frame ('G' = 71: flags 'E' and 70 octets), as it
// does for libzmq. RefuseLegacy (socket.WithLegacyPeers(false)) refuses it
// from the first octet.
func TestLegacyGarbage(t *testing.T) {
	req := []byte(strings.Repeat("GET / HTTP/1.1\r\n", 8))
	for _, refuse := range []bool{false, true} {
		a, b := tcpPair(t)
		go io.Copy(io.Discard, b)
		write(t, b, req)
		c, err := Handshake(context.Background(), a, Config{SocketType: "PULL", RefuseLegacy: refuse, HandshakeTimeout: 5 * time.Second})
		if refuse {
			if !errors.Is(err, ErrLegacyPeer) {
				t.Fatalf("refused: got %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Legacy() != ZMTP10 || !bytes.Equal(c.PeerIdentity(), req[2:72]) {
			t.Fatalf("legacy %v identity %q", c.Legacy(), c.PeerIdentity())
		}
		c.Close()
	}
}
