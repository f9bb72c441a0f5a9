package zmtp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/memconn"
)

// curveKeys is a server and a client long-term key pair.
type curveKeys struct {
	sPub, sSec, cPub, cSec [32]byte
}

func newCurveKeys(t testing.TB) curveKeys {
	t.Helper()
	var k curveKeys
	var err error
	if k.sPub, k.sSec, err = GenerateCurveKeypair(); err != nil {
		t.Fatal(err)
	}
	if k.cPub, k.cSec, err = GenerateCurveKeypair(); err != nil {
		t.Fatal(err)
	}
	return k
}

func (k curveKeys) server(auth Authenticator) Security {
	return Security{Mechanism: "CURVE", Server: true, CurveSecretKey: k.sSec, Authenticate: auth}
}

func (k curveKeys) client() Security {
	return Security{Mechanism: "CURVE", CurveServerKey: k.sPub, CurvePublicKey: k.cPub, CurveSecretKey: k.cSec}
}

// wireSpy records everything written to a connection.
type wireSpy struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (s *wireSpy) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.out.Write(p)
	s.mu.Unlock()
	return s.Conn.Write(p)
}

func (s *wireSpy) written() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.out.Bytes()...)
}

// curveTraffic checks multipart messages of awkward sizes both ways, commands
// inside MESSAGE (PING answered by an encrypted PONG) and subscriptions.
func curveTraffic(t *testing.T, cli, srv *Conn, big bool) {
	t.Helper()
	msgs := [][][]byte{
		{{}},
		{bytes.Repeat([]byte{'a'}, 255)},
		{bytes.Repeat([]byte{'b'}, 256)},
		{[]byte("head"), {}, []byte("tail")},
	}
	if big {
		msgs = append(msgs, [][]byte{bytes.Repeat([]byte("0123456789abcdef"), 1<<16)}) // 1 MiB
	}
	for _, m := range msgs {
		go func() { _ = cli.WriteMessage(m); _ = cli.Flush() }()
		if got := recv(t, srv); !slices.EqualFunc(got, m, bytes.Equal) {
			t.Fatalf("server got %d frames, want %d", len(got), len(m))
		}
		go func() { _ = srv.WriteMessage(m); _ = srv.Flush() }()
		if got := recv(t, cli); !slices.EqualFunc(got, m, bytes.Equal) {
			t.Fatalf("client got %d frames, want %d", len(got), len(m))
		}
	}
	// PING from the client: the server answers with a PONG through MESSAGE
	// while reading, and the client reads it on its way to the next message.
	if err := cli.WritePing(time.Second, []byte("ping-context-16b")); err != nil {
		t.Fatal(err)
	}
	send(t, cli, []byte("after ping"))
	if got := recv(t, srv); string(got[0]) != "after ping" {
		t.Fatalf("got %q", got)
	}
	send(t, srv, []byte("after pong"))
	if got := recv(t, cli); string(got[0]) != "after pong" {
		t.Fatalf("got %q", got)
	}
}

func TestCurveHandshakeAndTraffic(t *testing.T) {
	k := newCurveKeys(t)
	for _, tc := range []struct {
		name    string
		pipe    bool
		oneByte bool
	}{{"pipe", true, false}, {"tcp", false, false}, {"tcp-one-byte", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b net.Conn
			if tc.pipe {
				a, b = memconn.Pipe(0)
			} else {
				a, b = tcpPair(t)
			}
			if tc.oneByte {
				a, b = newOneByteConn(a), newOneByteConn(b)
			}
			spy := &wireSpy{Conn: a}
			var authed string
			auth := func(mech, user, pass string) (string, error) {
				if mech != "CURVE" || pass != "" {
					t.Errorf("auth(%q, %q, %q)", mech, user, pass)
				}
				authed = user
				return "", nil
			}
			rc, rs := handshakeBoth(t, spy, b,
				Config{SocketType: "DEALER", Identity: []byte("me"), Security: k.client()},
				Config{SocketType: "ROUTER", Security: k.server(auth)})
			if rc.err != nil || rs.err != nil {
				t.Fatalf("handshake: %v / %v", rc.err, rs.err)
			}
			cli, srv := rc.c, rs.c
			if authed != CurveKeyZ85(k.cPub) || srv.UserID() != authed || cli.UserID() != "" {
				t.Fatalf("user ids: auth saw %q, server %q, client %q", authed, srv.UserID(), cli.UserID())
			}
			if cli.Mechanism() != "CURVE" || srv.PeerSocketType() != "DEALER" || cli.PeerSocketType() != "ROUTER" ||
				string(srv.PeerIdentity()) != "me" {
				t.Fatal("metadata not exchanged")
			}
			curveTraffic(t, cli, srv, !tc.oneByte)

			// Nothing after the greeting travels in clear: metadata, payloads
			// and the PING context are all inside boxes.
			wire := spy.written()
			for _, clear := range []string{"DEALER", "Socket-Type", "after ping", "ping-context-16b", "0123456789abcdef"} {
				if bytes.Contains(wire, []byte(clear)) {
					t.Errorf("%q in clear on the wire", clear)
				}
			}
		})
	}
}

// The server may be the side that dials: roles come from configuration.
func TestCurveServerDials(t *testing.T) {
	k := newCurveKeys(t)
	a, b := tcpPair(t)
	rs, rc := handshakeBoth(t, a, b,
		Config{SocketType: "PUB", Security: k.server(nil)},
		Config{SocketType: "SUB", Security: k.client()})
	if rc.err != nil || rs.err != nil {
		t.Fatalf("handshake: %v / %v", rc.err, rs.err)
	}
	// Without Authenticate the user id is the client's key.
	if rs.c.UserID() != CurveKeyZ85(k.cPub) {
		t.Fatalf("user id %q", rs.c.UserID())
	}
	if err := rc.c.WriteSubscribe([]byte("topic"), true); err != nil {
		t.Fatal(err)
	}
	if err := rc.c.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, cmd, err := rs.c.ReadMessage()
	if err != nil || msg != nil || cmd.Name != CmdSubscribe || string(cmd.Body) != "topic" {
		t.Fatalf("subscription: %q %q %v", cmd.Name, cmd.Body, err)
	}
	send(t, rs.c, []byte("topic"), []byte("data"))
	if got := recv(t, rc.c); !slices.EqualFunc(got, [][]byte{[]byte("topic"), []byte("data")}, bytes.Equal) {
		t.Fatalf("got %q", got)
	}
}

func TestCurveWrongServerKey(t *testing.T) {
	k := newCurveKeys(t)
	other := newCurveKeys(t)
	a, b := tcpPair(t)
	cs := k.client()
	cs.CurveServerKey = other.sPub
	start := time.Now()
	rc, rs := handshakeBoth(t, a, b,
		Config{SocketType: "DEALER", Security: cs, HandshakeTimeout: 5 * time.Second},
		Config{SocketType: "ROUTER", Security: k.server(nil), HandshakeTimeout: 5 * time.Second})
	if !errors.Is(rs.err, ErrCurveBox) {
		t.Fatalf("server: %v", rs.err)
	}
	var ce *CurveError
	if !errors.As(rs.err, &ce) || ce.Command != CmdHello {
		t.Fatalf("server error %v is not about HELLO", rs.err)
	}
	// The server closes without a word, as libzmq does.
	if !errors.Is(rc.err, io.ErrUnexpectedEOF) && !errors.Is(rc.err, net.ErrClosed) {
		var ne net.Error
		if !errors.As(rc.err, &ne) {
			t.Fatalf("client: %v", rc.err)
		}
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("failing took %v", time.Since(start))
	}
}

func TestCurveAuthRefused(t *testing.T) {
	k := newCurveKeys(t)
	refuse := errors.New("key not allowed")
	a, b := memconn.Pipe(0)
	rc, rs := handshakeBoth(t, a, b,
		Config{SocketType: "DEALER", Security: k.client()},
		Config{SocketType: "ROUTER", Security: k.server(func(string, string, string) (string, error) { return "", refuse })})
	if !errors.Is(rs.err, ErrAuthFailed) || !errors.Is(rs.err, refuse) {
		t.Fatalf("server: %v", rs.err)
	}
	var pe *PeerError
	if !errors.As(rc.err, &pe) || pe.Reason != CurveAuthStatus {
		t.Fatalf("client: %v", rc.err)
	}
}

func TestCurveAuthUserID(t *testing.T) {
	k := newCurveKeys(t)
	a, b := memconn.Pipe(0)
	rc, rs := handshakeBoth(t, a, b,
		Config{SocketType: "DEALER", Security: k.client()},
		Config{SocketType: "ROUTER", Security: k.server(func(_, key, _ string) (string, error) { return "alice", nil })})
	if rc.err != nil || rs.err != nil {
		t.Fatal(rc.err, rs.err)
	}
	if rs.c.UserID() != "alice" {
		t.Fatalf("user id %q", rs.c.UserID())
	}
}

func TestCurveIncompatibleSocketType(t *testing.T) {
	k := newCurveKeys(t)
	a, b := memconn.Pipe(0)
	rc, rs := handshakeBoth(t, a, b,
		Config{SocketType: "PUB", Security: k.client()},
		Config{SocketType: "PUSH", Security: k.server(nil)})
	if !errors.Is(rs.err, ErrIncompatibleSocketType) {
		t.Fatalf("server: %v", rs.err)
	}
	var pe *PeerError
	if !errors.As(rc.err, &pe) {
		t.Fatalf("client: %v", rc.err)
	}
}

func TestCurveMechanismMismatch(t *testing.T) {
	k := newCurveKeys(t)
	a, b := memconn.Pipe(0)
	_, rs := handshakeBoth(t, a, b,
		Config{SocketType: "DEALER", Security: Security{Mechanism: "NULL"}},
		Config{SocketType: "ROUTER", Security: k.server(nil)})
	if !errors.Is(rs.err, ErrMechanismMismatch) {
		t.Fatalf("server: %v", rs.err)
	}
}

func TestCurveBadConfig(t *testing.T) {
	k := newCurveKeys(t)
	bad := []Security{
		{Mechanism: "CURVE", Server: true},                                                 // no secret key
		{Mechanism: "CURVE", CurveSecretKey: k.cSec},                                       // no server key
		{Mechanism: "CURVE", CurveServerKey: k.sPub},                                       // no secret key
		{Mechanism: "curve", Server: true, CurveSecretKey: k.sSec, CurvePublicKey: k.cPub}, // not our pair
		{Mechanism: "CURVE", CurveServerKey: k.sPub, CurveSecretKey: k.cSec, CurvePublicKey: k.sPub},
	}
	for i, s := range bad {
		if _, err := NewMechanism(Config{SocketType: "DEALER", Security: s}); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%d: %v", i, err)
		}
	}
	// The public key may be left out: it is derived.
	m, err := NewMechanism(Config{SocketType: "DEALER", Security: Security{Mechanism: "curve", CurveServerKey: k.sPub, CurveSecretKey: k.cSec}})
	if err != nil || m.Name() != "CURVE" || m.AsServer() {
		t.Fatal(m, err)
	}
}

// curveTranscript runs a handshake between two mechanisms in memory and
// returns each command frame each side sent, in order.
type curveTranscript struct {
	hello, welcome, initiate, ready []byte // whole command frames
	cli, srv                        *curveMechanism
}

func newCurvePair(t testing.TB, k curveKeys, auth Authenticator) (*curveMechanism, *curveMechanism) {
	t.Helper()
	cli, err := NewCurveClient(k.sPub, k.cPub, k.cSec, Metadata{{PropSocketType, []byte("DEALER")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewCurveServer(k.sPub, k.sSec, auth, Metadata{{PropSocketType, []byte("ROUTER")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cli.(*curveMechanism), srv.(*curveMechanism)
}

// step feeds one whole command frame to m.
func step(m Mechanism, frame []byte) ([]byte, bool, error) {
	cmd, _, err := ParseCommandFrame(frame)
	if err != nil {
		return nil, false, err
	}
	return m.Next(nil, cmd)
}

func runCurve(t testing.TB, k curveKeys) curveTranscript {
	t.Helper()
	var tr curveTranscript
	tr.cli, tr.srv = newCurvePair(t, k, nil)
	var err error
	if tr.hello, err = tr.cli.Start(nil); err != nil {
		t.Fatal(err)
	}
	if out, _ := tr.srv.Start(nil); len(out) != 0 {
		t.Fatal("server spoke first")
	}
	must := func(out []byte, done bool, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tr.welcome = must(step(tr.srv, tr.hello))
	tr.initiate = must(step(tr.cli, tr.welcome))
	tr.ready = must(step(tr.srv, tr.initiate))
	if out, done, err := step(tr.cli, tr.ready); err != nil || !done || len(out) != 0 {
		t.Fatalf("READY: %v %v %x", done, err, out)
	}
	return tr
}

// The layouts of RFC 26 as libzmq sends them: sizes, fixed fields, and the
// short nonces counting from 1 on each side.
func TestCurveCommandLayouts(t *testing.T) {
	k := newCurveKeys(t)
	tr := runCurve(t, k)

	// HELLO: a 200-byte command (short frame header 04 c8).
	h := tr.hello
	if len(h) != 202 || h[0] != FlagCommand || h[1] != 200 || string(h[2:8]) != "\x05HELLO" {
		t.Fatalf("HELLO header %x", h[:8])
	}
	if h[8] != 1 || h[9] != 0 || !bytes.Equal(h[10:82], make([]byte, 72)) {
		t.Fatal("HELLO version or padding")
	}
	if !bytes.Equal(h[82:114], tr.cli.tPublic[:]) || binary.BigEndian.Uint64(h[114:122]) != 1 {
		t.Fatal("HELLO C' or nonce")
	}
	// WELCOME: 168 bytes.
	w := tr.welcome
	if len(w) != 170 || w[1] != 168 || string(w[2:10]) != "\x07WELCOME" {
		t.Fatalf("WELCOME header %x", w[:10])
	}
	// INITIATE: 257 bytes plus the metadata (Socket-Type DEALER: 22 bytes),
	// so a long frame header.
	in := tr.initiate
	if len(in) != 9+257+22 || in[0] != FlagCommand|FlagLong || binary.BigEndian.Uint64(in[1:9]) != 257+22 ||
		string(in[9:18]) != "\x08INITIATE" {
		t.Fatalf("INITIATE header %x (%d bytes)", in[:18], len(in))
	}
	if binary.BigEndian.Uint64(in[18+96:]) != 2 {
		t.Fatal("INITIATE nonce")
	}
	// READY: name, nonce 1, box of the metadata.
	r := tr.ready
	if string(r[2:8]) != "\x05READY" || binary.BigEndian.Uint64(r[8:16]) != 1 || len(r) != 2+6+8+16+22 {
		t.Fatalf("READY %x", r)
	}

	// MESSAGE: a data frame (flags 0) "\x07MESSAGE", nonce, box of flags+body.
	cc, sc := tr.cli.codec, tr.srv.codec
	m, err := cc.EncodeFrame(nil, FlagMore, []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if m[0] != 0 || int(m[1]) != 8+8+16+1+2 || string(m[2:10]) != messageHeader || binary.BigEndian.Uint64(m[10:18]) != 3 {
		t.Fatalf("client MESSAGE %x", m)
	}
	fh, body, err := sc.DecodeFrame(FrameHeader{Size: len(m) - 2}, m[2:])
	if err != nil || fh.Flags != FlagMore || string(body) != "hi" {
		t.Fatalf("decode: %+v %q %v", fh, body, err)
	}
	m, _ = sc.EncodeFrame(nil, FlagCommand, []byte("\x04PING\x00\x00"))
	if binary.BigEndian.Uint64(m[10:18]) != 2 {
		t.Fatalf("server MESSAGE nonce %x", m[10:18])
	}
	fh, body, err = cc.DecodeFrame(FrameHeader{}, m[2:])
	if err != nil || fh.Flags != FlagCommand || string(body) != "\x04PING\x00\x00" {
		t.Fatalf("decode: %+v %q %v", fh, body, err)
	}
}

// isCleanCurveFailure accepts the errors a damaged CURVE command may cause.
func isCleanCurveFailure(err error) bool {
	var ce *CurveError
	return errors.As(err, &ce) || errors.Is(err, ErrMalformedCommand) || errors.Is(err, ErrMalformedMetadata)
}

// Every prefix of every handshake command fails cleanly in the state that
// expects it, and so does every single-bit change.
func TestCurveDamagedHandshake(t *testing.T) {
	k := newCurveKeys(t)
	tr := runCurve(t, k)
	type target struct {
		name  string
		frame []byte
		fresh func() Mechanism // a mechanism waiting for this command
	}
	targets := []target{
		{"HELLO", tr.hello, func() Mechanism { _, s := newCurvePair(t, k, nil); return s }},
		{"WELCOME", tr.welcome, func() Mechanism { return tr.cli }}, // a client already past HELLO: rewind below
		{"INITIATE", tr.initiate, nil},
		{"READY", tr.ready, nil},
	}
	// Replaying a transcript needs the mechanisms in the matching state with
	// the same transient keys, so restore copies of the ones that produced it.
	cliAtWelcome, srvAtInitiate, cliAtReady := snapshotCurve(t, k)
	targets[1].fresh = func() Mechanism { c := *cliAtWelcome.cli; return &c }
	targets[1].frame = cliAtWelcome.welcome
	targets[2].fresh = func() Mechanism { s := *srvAtInitiate.srv; return &s }
	targets[2].frame = srvAtInitiate.initiate
	targets[3].fresh = func() Mechanism { c := *cliAtReady.cli; return &c }
	targets[3].frame = cliAtReady.ready

	for _, tg := range targets {
		cmd, n, err := ParseCommandFrame(tg.frame)
		if err != nil || n != len(tg.frame) {
			t.Fatalf("%s: %v", tg.name, err)
		}
		if _, done, err := tg.fresh().Next(nil, cmd); err != nil {
			t.Fatalf("%s: the intact command fails: %v (done %v)", tg.name, err, done)
		}
		for i := 0; i < len(cmd.Body); i++ {
			_, _, err := tg.fresh().Next(nil, Command{Name: cmd.Name, Body: cmd.Body[:i]})
			if err == nil || !isCleanCurveFailure(err) {
				t.Fatalf("%s prefix %d/%d: %v", tg.name, i, len(cmd.Body), err)
			}
		}
		// One bit per byte, a different one each time, keeps this quick.
		for i := range cmd.Body {
			if tg.name == "HELLO" && (i >= 2 && i < 2+curveHelloPad || i == 2+curveHelloPad+31 && i%8 == 7) {
				// The padding carries nothing, and X25519 ignores the top bit
				// of a public key (C' here).
				continue
			}
			b := append([]byte(nil), cmd.Body...)
			b[i] ^= 1 << (i % 8)
			if _, _, err := tg.fresh().Next(nil, Command{Name: cmd.Name, Body: b}); err == nil || !isCleanCurveFailure(err) {
				t.Fatalf("%s byte %d changed: %v", tg.name, i, err)
			}
		}
	}
}

// snapshotCurve runs one handshake, keeping copies of the mechanisms just
// before each of WELCOME (client), INITIATE (server) and READY (client).
func snapshotCurve(t *testing.T, k curveKeys) (atWelcome, atInitiate, atReady curveTranscript) {
	t.Helper()
	return snapshotCurveTB(t, k)
}

func snapshotCurveTB(t testing.TB, k curveKeys) (atWelcome, atInitiate, atReady curveTranscript) {
	t.Helper()
	cli, srv := newCurvePair(t, k, nil)
	hello, err := cli.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	c1 := *cli
	welcome, _, err := step(srv, hello)
	if err != nil {
		t.Fatal(err)
	}
	atWelcome = curveTranscript{cli: &c1, welcome: welcome}
	s1 := *srv
	initiate, _, err := step(cli, welcome)
	if err != nil {
		t.Fatal(err)
	}
	atInitiate = curveTranscript{srv: &s1, initiate: initiate}
	c2 := *cli
	ready, _, err := step(srv, initiate)
	if err != nil {
		t.Fatal(err)
	}
	atReady = curveTranscript{cli: &c2, ready: ready}
	return
}

func TestCurveOutOfOrder(t *testing.T) {
	k := newCurveKeys(t)
	tr := runCurve(t, k)
	cli, srv := newCurvePair(t, k, nil)
	for _, f := range [][]byte{tr.hello, tr.initiate, tr.ready} {
		if _, _, err := step(srv, f[:0:0]); err == nil {
			t.Fatal("empty frame accepted")
		}
		cmd, _, _ := ParseCommandFrame(f)
		if cmd.Name == CmdHello {
			continue
		}
		if _, _, err := srv.Next(nil, cmd); !errors.Is(err, ErrUnexpectedCommand) {
			t.Fatalf("server got %s first: %v", cmd.Name, err)
		}
	}
	for _, f := range [][]byte{tr.hello, tr.initiate, tr.ready} {
		if _, _, err := step(cli, f); !errors.Is(err, ErrUnexpectedCommand) {
			t.Fatalf("client before WELCOME: %v", err)
		}
	}
	// A replayed handshake: the WELCOME of another connection does not open.
	if _, _, err := step(cli, tr.welcome); !errors.Is(err, ErrCurveBox) {
		t.Fatalf("foreign WELCOME: %v", err)
	}
	// An ERROR before the end is the peer's refusal.
	var pe *PeerError
	if _, _, err := step(srv, AppendError(nil, "go away")); !errors.As(err, &pe) || pe.Reason != "go away" {
		t.Fatalf("ERROR: %v", err)
	}
	// Another version of CurveZMQ.
	_, srv = newCurvePair(t, k, nil)
	h := append([]byte(nil), tr.hello...)
	h[9] = 2
	if _, _, err := step(srv, h); !errors.Is(err, ErrCurveVersion) {
		t.Fatalf("version 1.2: %v", err)
	}
}

// codecPair returns the MESSAGE codecs of a finished handshake.
func codecPair(t testing.TB) (cli, srv *curveCodec) {
	t.Helper()
	tr := runCurve(t, newCurveKeys(t))
	return tr.cli.codec, tr.srv.codec
}

func TestCurveMessageErrors(t *testing.T) {
	cli, srv := codecPair(t)
	frame, err := cli.EncodeFrame(nil, 0, []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	body := frame[2:]
	decode := func(b []byte) error {
		_, _, err := srv.DecodeFrame(FrameHeader{Size: len(b)}, append([]byte(nil), b...))
		return err
	}
	// Every prefix fails cleanly, as does every flipped bit.
	for i := 0; i < len(body); i++ {
		if err := decode(body[:i]); !isCleanCurveFailure(err) {
			t.Fatalf("prefix %d: %v", i, err)
		}
	}
	for i := 0; i < len(body)*8; i++ {
		b := append([]byte(nil), body...)
		b[i/8] ^= 1 << (i % 8)
		if err := decode(b); !isCleanCurveFailure(err) {
			t.Fatalf("bit %d: %v", i, err)
		}
	}
	// A tampered box.
	b := append([]byte(nil), body...)
	b[len(b)-1] ^= 0xff
	if err := decode(b); !errors.Is(err, ErrCurveBox) {
		t.Fatalf("tampered: %v", err)
	}
	// The intact one still opens (failures did not move the counter), once.
	if err := decode(body); err != nil {
		t.Fatal(err)
	}
	if err := decode(body); !errors.Is(err, ErrCurveNonce) {
		t.Fatalf("replay: %v", err)
	}
	// An older nonce after a newer one.
	f1, _ := cli.EncodeFrame(nil, 0, []byte("one"))
	f2, _ := cli.EncodeFrame(nil, 0, []byte("two"))
	if err := decode(f2[2:]); err != nil {
		t.Fatal(err)
	}
	if err := decode(f1[2:]); !errors.Is(err, ErrCurveNonce) {
		t.Fatalf("reordered: %v", err)
	}
	// A message boxed for the other direction does not open here.
	f3, _ := srv.EncodeFrame(nil, 0, []byte("reflected"))
	if err := decode(f3[2:]); !errors.Is(err, ErrCurveBox) && !errors.Is(err, ErrCurveNonce) {
		t.Fatalf("reflected: %v", err)
	}
	// Another command in clear is refused; an ERROR is the peer's refusal.
	ping, _ := AppendCommand(nil, CmdPing, []byte{0, 0})
	if err := decode(ping[2:]); !errors.Is(err, ErrUnexpectedCommand) {
		t.Fatalf("clear PING: %v", err)
	}
	var pe *PeerError
	if err := decode(AppendError(nil, "bye")[2:]); !errors.As(err, &pe) || pe.Reason != "bye" {
		t.Fatalf("clear ERROR: %v", err)
	}
	// The counter may not wrap.
	cli.sendNonce = ^uint64(0)
	if _, err := cli.EncodeFrame(nil, 0, nil); !errors.Is(err, ErrCurveNonce) {
		t.Fatalf("wrap: %v", err)
	}
}

// A tampered MESSAGE on a live connection ends it with a typed error.
func TestCurveTamperedOnConn(t *testing.T) {
	k := newCurveKeys(t)
	a, b := memconn.Pipe(0)
	flip := &flipConn{Conn: a}
	rc, rs := handshakeBoth(t, flip, b,
		Config{SocketType: "DEALER", Security: k.client()},
		Config{SocketType: "ROUTER", Security: k.server(nil)})
	if rc.err != nil || rs.err != nil {
		t.Fatal(rc.err, rs.err)
	}
	send(t, rc.c, []byte("fine"))
	if got := recv(t, rs.c); string(got[0]) != "fine" {
		t.Fatal(got)
	}
	flip.armed.Store(true)
	send(t, rc.c, []byte("changed in transit"))
	if _, _, err := rs.c.ReadMessage(); !errors.Is(err, ErrCurveBox) {
		t.Fatalf("tampered: %v", err)
	}
	if _, _, err := rs.c.ReadMessage(); !errors.Is(err, ErrCurveBox) {
		t.Fatalf("the error is not sticky: %v", err)
	}
}

// flipConn flips the last byte of each write once armed.
type flipConn struct {
	net.Conn
	armed atomicBool
}

func (f *flipConn) Write(p []byte) (int, error) {
	if f.armed.Load() && len(p) > 0 {
		q := append([]byte(nil), p...)
		q[len(q)-1] ^= 1
		return f.Conn.Write(q)
	}
	return f.Conn.Write(p)
}

func TestCurveHandshakeCancel(t *testing.T) {
	k := newCurveKeys(t)
	a, b := memconn.Pipe(0)
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The server never answers: the client gives up at the deadline.
	_, err := Handshake(ctx, a, Config{SocketType: "DEALER", Security: k.client()})
	if !errors.Is(err, ErrHandshakeTimeout) {
		t.Fatalf("%v", err)
	}
}

type atomicBool = atomic.Bool
