package zmtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"testing"
	"testing/iotest"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	return listenPair(t, "tcp", "127.0.0.1:0")
}

// listenPair returns the two ends of a stream connection on network,
// listening at addr; both are closed when the test ends.
func listenPair(t *testing.T, network, addr string) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	client, err = net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		client.Close()
		t.Fatal(r.err)
	}
	t.Cleanup(func() { client.Close(); r.c.Close() })
	return client, r.c
}

// oneByteConn hands out what it reads one byte at a time, so every parser is
// exercised on input split at every possible point.
type oneByteConn struct {
	net.Conn
	r io.Reader
}

func newOneByteConn(c net.Conn) net.Conn { return &oneByteConn{Conn: c, r: iotest.OneByteReader(c)} }

func (c *oneByteConn) Read(p []byte) (int, error) { return c.r.Read(p) }

type hsResult struct {
	c   *Conn
	err error
}

// handshakeBoth runs both handshakes concurrently and returns both results.
func handshakeBoth(t *testing.T, a, b net.Conn, ca, cb Config) (hsResult, hsResult) {
	t.Helper()
	ch := make(chan hsResult, 1)
	go func() {
		c, err := Handshake(context.Background(), b, cb)
		ch <- hsResult{c, err}
	}()
	c, err := Handshake(context.Background(), a, ca)
	rb := <-ch
	for _, c := range []*Conn{c, rb.c} {
		if c != nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	return hsResult{c, err}, rb
}

func mustPair(t *testing.T, ca, cb Config, oneByte bool) (*Conn, *Conn) {
	t.Helper()
	a, b := tcpPair(t)
	if oneByte {
		a, b = newOneByteConn(a), newOneByteConn(b)
	}
	ra, rb := handshakeBoth(t, a, b, ca, cb)
	if ra.err != nil || rb.err != nil {
		t.Fatalf("handshake: %v / %v", ra.err, rb.err)
	}
	return ra.c, rb.c
}

func send(t *testing.T, c *Conn, frames ...[]byte) {
	t.Helper()
	if err := c.WriteMessage(frames); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, c *Conn) [][]byte {
	t.Helper()
	msg, cmd, err := c.ReadMessage()
	if err != nil || cmd.Name != "" {
		t.Fatalf("ReadMessage: %v (cmd %q)", err, cmd.Name)
	}
	return msg
}

func plainUsers(users map[string]string) func(string, string, string) (string, error) {
	return func(_, u, p string) (string, error) {
		if pw, ok := users[u]; !ok || pw != p {
			return "", errors.New("invalid credentials")
		}
		return "user:" + u, nil
	}
}

func TestHandshakeAndTraffic(t *testing.T) {
	auth := plainUsers(map[string]string{"admin": "secret"})
	cases := []struct {
		name   string
		sa, sb Security
		userB  string
	}{
		{"NULL", Security{}, Security{Mechanism: "NULL"}, ""},
		{"PLAIN client-dials", Security{Mechanism: "PLAIN", Username: "admin", Password: "secret"},
			Security{Mechanism: "PLAIN", Server: true, Authenticate: auth}, "user:admin"},
	}
	for _, tc := range cases {
		for _, oneByte := range []bool{false, true} {
			name := tc.name
			if oneByte {
				name += "/one-byte-reads"
			}
			t.Run(name, func(t *testing.T) {
				a, b := mustPair(t,
					Config{SocketType: "DEALER", Identity: []byte("dealer-1"), Properties: map[string]string{"X-App": "test"}, Security: tc.sa},
					Config{SocketType: "router", Security: tc.sb}, oneByte)
				if maj, min := a.Version(); maj != 3 || min != 1 {
					t.Fatalf("version %d.%d", maj, min)
				}
				if a.PeerSocketType() != "ROUTER" || b.PeerSocketType() != "DEALER" {
					t.Fatalf("types %q %q", a.PeerSocketType(), b.PeerSocketType())
				}
				if string(b.PeerIdentity()) != "dealer-1" || a.PeerIdentity() != nil {
					t.Fatalf("identities %q %q", b.PeerIdentity(), a.PeerIdentity())
				}
				if b.PeerMetadata().Get("x-app") != "test" || b.UserID() != tc.userB || a.UserID() != "" {
					t.Fatalf("metadata/user %q %q", b.PeerMetadata().Get("x-app"), b.UserID())
				}
				if a.NetConn() == nil || a.Mechanism() != b.Mechanism() {
					t.Fatal("NetConn/Mechanism")
				}
				big := bytes.Repeat([]byte{7}, 1<<20)
				msgs := [][][]byte{
					{{}},
					{[]byte("hello")},
					{bytes.Repeat([]byte("x"), 255), bytes.Repeat([]byte("y"), 256), {}},
				}
				if !oneByte {
					msgs = append(msgs, [][]byte{[]byte("head"), big})
				}
				for _, m := range msgs {
					if err := a.WriteMessage(m); err != nil {
						t.Fatal(err)
					}
				}
				if err := a.Flush(); err != nil || a.Buffered() != 0 {
					t.Fatal(err, a.Buffered())
				}
				for i, m := range msgs {
					if got := recv(t, b); !slices.EqualFunc(got, m, bytes.Equal) {
						t.Fatalf("message %d differs", i)
					}
				}
				// And back, interleaved with a PING the other side must answer.
				if err := b.WritePing(time.Second, []byte("ctx")); err != nil {
					t.Fatal(err)
				}
				send(t, b, []byte("reply"))
				if got := recv(t, a); string(got[0]) != "reply" {
					t.Fatalf("reply %q", got)
				}
				send(t, a, []byte("after-pong"))
				if got := recv(t, b); string(got[0]) != "after-pong" { // the PONG was dropped on the way
					t.Fatalf("after pong %q", got)
				}
				if time.Since(b.LastRead()) > time.Minute {
					t.Fatal("LastRead not updated")
				}
			})
		}
	}
}

func TestHandshakePlainServerDials(t *testing.T) {
	// Roles come from configuration, not from who connects.
	a, b := mustPair(t,
		Config{SocketType: "PUSH", Security: Security{Mechanism: "PLAIN", Server: true, Authenticate: plainUsers(map[string]string{"u": "p"})}},
		Config{SocketType: "PULL", Security: Security{Mechanism: "PLAIN", Username: "u", Password: "p"}}, false)
	if a.UserID() != "user:u" {
		t.Fatalf("user id %q", a.UserID())
	}
	send(t, a, []byte("job"))
	if got := recv(t, b); string(got[0]) != "job" {
		t.Fatal(got)
	}
}

func TestHandshakePlainBadPassword(t *testing.T) {
	a, b := tcpPair(t)
	ra, rb := handshakeBoth(t, a, b,
		Config{SocketType: "DEALER", Security: Security{Mechanism: "PLAIN", Username: "admin", Password: "nope"}},
		Config{SocketType: "ROUTER", Security: Security{Mechanism: "PLAIN", Server: true, Authenticate: plainUsers(map[string]string{"admin": "secret"})}})
	var pe *PeerError
	if !errors.As(ra.err, &pe) || pe.Reason != "invalid credentials" {
		t.Fatalf("client: %v", ra.err)
	}
	if !errors.Is(rb.err, ErrAuthFailed) {
		t.Fatalf("server: %v", rb.err)
	}
}

func TestHandshakeIncompatible(t *testing.T) {
	a, b := tcpPair(t)
	ra, rb := handshakeBoth(t, a, b, Config{SocketType: "PUB"}, Config{SocketType: "PUSH"})
	for _, err := range []error{ra.err, rb.err} {
		var pe *PeerError
		if !errors.Is(err, ErrIncompatibleSocketType) && !errors.As(err, &pe) {
			t.Fatalf("got %v", err)
		}
	}
	var ie *IncompatibleSocketTypeError
	if !errors.As(ra.err, &ie) && !errors.As(rb.err, &ie) {
		t.Fatalf("neither side reported the types: %v / %v", ra.err, rb.err)
	}
}

func TestHandshakeMechanismMismatch(t *testing.T) {
	a, b := tcpPair(t)
	ra, rb := handshakeBoth(t, a, b, Config{SocketType: "PAIR"},
		Config{SocketType: "PAIR", Security: Security{Mechanism: "PLAIN", Username: "u"}})
	if !errors.Is(ra.err, ErrMechanismMismatch) || !errors.Is(rb.err, ErrMechanismMismatch) {
		t.Fatalf("%v / %v", ra.err, rb.err)
	}
}

func TestHandshakeBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no type":        {},
		"bad type":       {SocketType: "STREAM"},
		"long identity":  {SocketType: "DEALER", Identity: make([]byte, 256)},
		"bad property":   {SocketType: "DEALER", Properties: map[string]string{"a b": "c"}},
		"override type":  {SocketType: "DEALER", Properties: map[string]string{"socket-type": "PUB"}},
		"no auth":        {SocketType: "DEALER", Security: Security{Mechanism: "PLAIN", Server: true}},
		"unknown mech":   {SocketType: "DEALER", Security: Security{Mechanism: "GSSAPI"}},
		"long user name": {SocketType: "DEALER", Security: Security{Mechanism: "PLAIN", Username: string(make([]byte, 256))}},
	} {
		a, _ := tcpPair(t)
		_, err := Handshake(context.Background(), a, cfg)
		if !errors.Is(err, ErrBadConfig) && !errors.Is(err, ErrUnsupportedMechanism) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestHandshakeTimeout(t *testing.T) {
	a, _ := tcpPair(t) // the other end never speaks
	start := time.Now()
	_, err := Handshake(context.Background(), a, Config{SocketType: "DEALER", HandshakeTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrHandshakeTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}

	a, _ = tcpPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err = Handshake(ctx, a, Config{SocketType: "DEALER"}); !errors.Is(err, ErrHandshakeTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx deadline: %v", err)
	}

	a, _ = tcpPair(t)
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err = Handshake(ctx, a, Config{SocketType: "DEALER"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("ctx cancel: %v", err)
	}
}

// rawPeer is a scripted peer speaking raw bytes, for exact wire checks.
type rawPeer struct {
	t  *testing.T
	nc net.Conn
	fr *FrameReader
}

// startRaw performs a NULL handshake by hand on nc announcing the given minor
// version and socket type, concurrently with our Handshake on the other end.
func startRaw(t *testing.T, minor int, peerType string, cfg Config) (*Conn, *rawPeer) {
	t.Helper()
	a, b := tcpPair(t)
	p := &rawPeer{t: t, nc: b, fr: NewFrameReader(b, 0)}
	out, _ := AppendGreeting(nil, Greeting{Major: 3, Minor: minor, Mechanism: "NULL"})
	out, _ = AppendReady(out, Metadata{{PropSocketType, []byte(peerType)}})
	if _, err := b.Write(out); err != nil {
		t.Fatal(err)
	}
	c, err := Handshake(context.Background(), a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	g := make([]byte, GreetingSize)
	if _, err := io.ReadFull(p.fr.br, g); err != nil {
		t.Fatal(err)
	}
	if want := detectingGreeting(len(cfg.Identity)); !bytes.Equal(g, want) {
		t.Fatalf("greeting %x, want %x", g, want)
	}
	cmd := p.readCommand()
	if cmd.Name != CmdReady {
		t.Fatalf("got %q", cmd.Name)
	}
	return c, p
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

func (p *rawPeer) readCommand() Command {
	p.t.Helper()
	h, body, err := p.fr.ReadFrame(nil)
	if err != nil || !h.Command() {
		p.t.Fatalf("read command: %+v %v", h, err)
	}
	cmd, err := ParseCommand(body)
	if err != nil {
		p.t.Fatal(err)
	}
	return cmd
}

func TestReadyOnTheWire(t *testing.T) {
	a, b := tcpPair(t)
	go func() {
		out, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
		out, _ = AppendReady(out, Metadata{{PropSocketType, []byte("ROUTER")}})
		b.Write(out)
	}()
	c, err := Handshake(context.Background(), a, Config{SocketType: "DEALER", Identity: []byte("id")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The padding carries the identity length + 1 for ZMTP 1.0 peers (RFC 23).
	want := cat(hx(t, "ff 0000000000000003 7f"), greetingGolden(t, 1, "NULL", 0)[10:], hx(t, "04 2b 05"), []byte("READY"),
		hx(t, "0b"), []byte("Socket-Type"), hx(t, "00000006"), []byte("DEALER"),
		hx(t, "08"), []byte("Identity"), hx(t, "00000002"), []byte("id"))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(b, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("wire:\n got %x\nwant %x (%v)", got, want, err)
	}
}

func TestPingPongOnTheWire(t *testing.T) {
	c, p := startRaw(t, 1, "DEALER", Config{SocketType: "ROUTER"})
	ping, _ := AppendPing(nil, 30, []byte("0123456789abcdef"))
	p.write(ping)
	p.write(AppendFrame(nil, 0, []byte("m")))
	if got := recv(t, c); string(got[0]) != "m" {
		t.Fatal(got)
	}
	cmd := p.readCommand()
	if cmd.Name != CmdPong || string(cmd.Body) != "0123456789abcdef" {
		t.Fatalf("got %q %q", cmd.Name, cmd.Body)
	}
	// Our own PING: TTL in deciseconds, then the context.
	if err := c.WritePing(1500*time.Millisecond, []byte("k")); err != nil {
		t.Fatal(err)
	}
	c.Flush()
	cmd = p.readCommand()
	if ttl, ctx, err := ParsePing(cmd.Body); cmd.Name != CmdPing || err != nil || ttl != 15 || string(ctx) != "k" {
		t.Fatalf("PING %q %d %q %v", cmd.Name, ttl, ctx, err)
	}
	if err := c.WritePing(0, make([]byte, 17)); !errors.Is(err, ErrMalformedCommand) {
		t.Fatal(err)
	}
}

func TestSubscriptions(t *testing.T) {
	for _, minor := range []int{0, 1} {
		// Our SUB talking to a PUB of the given version.
		c, p := startRaw(t, minor, "PUB", Config{SocketType: "SUB"})
		if err := c.WriteSubscribe([]byte("top"), true); err != nil {
			t.Fatal(err)
		}
		c.WriteSubscribe([]byte("top"), false)
		c.Flush()
		for _, want := range []struct{ cmd, msg string }{{CmdSubscribe, "\x01top"}, {CmdCancel, "\x00top"}} {
			h, body, err := p.fr.ReadFrame(nil)
			if err != nil {
				t.Fatal(err)
			}
			if minor == 0 {
				if h.Command() || string(body) != want.msg {
					t.Fatalf("3.0: %+v %q", h, body)
				}
				continue
			}
			cmd, err := ParseCommand(body)
			if !h.Command() || err != nil || cmd.Name != want.cmd || string(cmd.Body) != "top" {
				t.Fatalf("3.1: %+v %q", h, body)
			}
		}

		// Our PUB receiving both forms.
		c, p = startRaw(t, minor, "SUB", Config{SocketType: "XPUB"})
		p.write(AppendSubscribe(nil, []byte("a"), true))
		p.write(AppendFrame(nil, 0, []byte("\x01b")))
		p.write(AppendFrame(nil, 0, []byte("\x00c")))
		p.write(AppendSubscribe(nil, []byte("d"), false))
		p.write(AppendFrame(nil, 0, []byte("plain")))
		for _, want := range []Command{{CmdSubscribe, []byte("a")}, {CmdSubscribe, []byte("b")}, {CmdCancel, []byte("c")}, {CmdCancel, []byte("d")}} {
			msg, cmd, err := c.ReadMessage()
			if err != nil || msg != nil || cmd.Name != want.Name || !bytes.Equal(cmd.Body, want.Body) {
				t.Fatalf("got %q %q %q %v", msg, cmd.Name, cmd.Body, err)
			}
		}
		if got := recv(t, c); string(got[0]) != "plain" {
			t.Fatal(got)
		}
	}
}

func TestReadMessageErrors(t *testing.T) {
	cases := []struct {
		name  string
		max   int64
		input []byte
		want  error
	}{
		{"reserved flags", 0, hx(t, "10 00"), ErrBadFlags},
		{"command with MORE", 0, hx(t, "05 00"), ErrBadFlags},
		{"frame over limit", 100, hx(t, "00 65"), ErrMessageTooLarge},
		{"huge frame header", 100, hx(t, "02 7fffffffffffffff"), ErrFrameTooLarge},
		{"message over limit", 100, cat(AppendFrame(nil, FlagMore, make([]byte, 60)), AppendFrame(nil, 0, make([]byte, 60))), ErrMessageTooLarge},
		{"command mid-message", 0, cat(AppendFrame(nil, FlagMore, []byte("a")), AppendSubscribe(nil, nil, true)), ErrMalformedCommand},
		{"bad command", 0, hx(t, "04 02 05 41"), ErrMalformedCommand},
		{"bad ERROR", 0, cat(hx(t, "04 07 05"), []byte("ERROR"), hx(t, "05")), ErrMalformedCommand},
		{"bad PING", 0, cat(hx(t, "04 06 04"), []byte("PING"), hx(t, "00")), ErrMalformedCommand},
		{"cut mid-message", 0, AppendFrame(nil, FlagMore, []byte("a")), io.ErrUnexpectedEOF},
		{"cut mid-frame", 0, hx(t, "00 05 6162"), io.ErrUnexpectedEOF},
		{"clean end", 0, nil, io.EOF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, p := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER", MaxMessageSize: tc.max})
			p.write(tc.input)
			p.nc.(*net.TCPConn).CloseWrite()
			_, _, err := c.ReadMessage()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// Errors are permanent.
			if _, _, err2 := c.ReadMessage(); !errors.Is(err2, tc.want) {
				t.Fatalf("second read: %v", err2)
			}
		})
	}
}

func TestReadMessagePeerError(t *testing.T) {
	c, p := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER"})
	p.write(AppendFrame(nil, 0, []byte("before")))
	p.write(cat(hx(t, "04 08"), []byte("\x07UNKNOWN"))) // ignored
	p.write(AppendError(nil, "go away"))
	if got := recv(t, c); string(got[0]) != "before" {
		t.Fatal(got)
	}
	_, _, err := c.ReadMessage()
	var pe *PeerError
	if !errors.As(err, &pe) || pe.Reason != "go away" {
		t.Fatalf("got %v", err)
	}
}

func TestReadMessageTimeoutRetry(t *testing.T) {
	c, p := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER"})
	c.NetConn().SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, _, err := c.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	c.NetConn().SetReadDeadline(time.Time{})
	p.write(AppendFrame(nil, 0, []byte("later")))
	if got := recv(t, c); string(got[0]) != "later" {
		t.Fatal(got)
	}
	// A timeout inside a message cannot be resumed: the error sticks.
	p.write(AppendFrame(nil, FlagMore, []byte("first")))
	c.NetConn().SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, err := c.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	c.NetConn().SetReadDeadline(time.Time{})
	p.write(AppendFrame(nil, 0, []byte("second")))
	if _, _, err := c.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("mid-message timeout not sticky: %v", err)
	}
}

// detectingGreeting is the greeting of a NULL socket that detects older
// peers: its padding holds the identity length + 1 (RFC 23).
func detectingGreeting(idLen int) []byte {
	g, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
	return append(AppendLegacySignature(nil, idLen), g[LegacySignatureSize:]...)
}

// TestLegacyPeers: a socket that may not talk to older peers (RefuseLegacy,
// or PLAIN/CURVE) recognises and refuses them without waiting for bytes they
// never send.
func TestLegacyPeers(t *testing.T) {
	for name, in := range map[string][]byte{
		"1.0":  hx(t, "01 00"),
		"2.0":  hx(t, "ff 0000000000000001 7f 01"),
		"junk": []byte("GET / HTTP/1.1\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			a, b := tcpPair(t)
			b.Write(in) // and then wait, as such a peer does
			start := time.Now()
			_, err := Handshake(context.Background(), a, Config{SocketType: "DEALER", HandshakeTimeout: 10 * time.Second, RefuseLegacy: true})
			if !errors.Is(err, ErrLegacyPeer) {
				t.Fatalf("got %v", err)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("waited for bytes a legacy peer never sends")
			}
		})
	}
}

func TestHandshakeMalformedPeer(t *testing.T) {
	for name, after := range map[string][]byte{
		"message frame":  AppendFrame(nil, 0, []byte("hi")),
		"huge command":   hx(t, "06 0000000100000000"),
		"bad metadata":   cat(hx(t, "04 08 05"), []byte("READY"), hx(t, "05 41")),
		"no socket type": cat(hx(t, "04 06 05"), []byte("READY")),
		"eof":            nil,
	} {
		t.Run(name, func(t *testing.T) {
			a, b := tcpPair(t)
			g, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
			b.Write(append(g, after...))
			b.(*net.TCPConn).CloseWrite()
			if _, err := Handshake(context.Background(), a, Config{SocketType: "DEALER"}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestWriteMessageEmpty(t *testing.T) {
	c, _ := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER"})
	if err := c.WriteMessage(nil); !errors.Is(err, ErrEmptyMessage) {
		t.Fatal(err)
	}
	if err := c.WriteCommand("BAD NAME", nil); !errors.Is(err, ErrMalformedCommand) {
		t.Fatal(err)
	}
}
