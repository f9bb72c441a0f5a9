package socket

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/zmtp"
)

// peerAuth returns what the handshake of s's one attached peer left: its
// user id and the ZAP handler's metadata.
func peerAuth(t *testing.T, s *Socket) (string, zmtp.Metadata) {
	t.Helper()
	var user string
	var md zmtp.Metadata
	waitFor(t, 5*time.Second, "one attached peer", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		n := 0
		for p := range s.peers {
			if p.attached.Load() {
				user, md = p.userID, p.authMD
				n++
			}
		}
		return n == 1
	})
	return user, md
}

// handshakeError waits for a failed handshake on s and returns its error.
func handshakeError(t *testing.T, s *Socket) error {
	t.Helper()
	return waitEvent(t, s, EventHandshakeFailed, 10*time.Second).Err
}

func plainAuthenticator(t *testing.T) *auth.Authenticator {
	a := auth.NewAuthenticator()
	pw := filepath.Join(t.TempDir(), "passwords")
	if err := os.WriteFile(pw, []byte("admin=secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.SetPasswordFile("", pw); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestZAPPlainAuthenticator(t *testing.T) {
	pull := newSock(t, Pull, WithPlainServer(nil), WithZAP(plainAuthenticator(t)))
	ep := bindAt(t, pull, "tcp")
	good := newSock(t, Push, WithPlainClient("admin", "secret"))
	connectTo(t, good, ep)
	send(t, good, "in")
	expect(t, pull, "in")
	if user, _ := peerAuth(t, pull); user != "admin" {
		t.Fatalf("user id %q", user)
	}

	bad := newSock(t, Push, WithPlainClient("admin", "guess"))
	connectTo(t, bad, ep)
	if err := handshakeError(t, pull); !errors.Is(err, auth.ErrDenied) || !errors.Is(err, zmtp.ErrAuthFailed) {
		t.Fatalf("server: %v", err)
	}
	var pe *zmtp.PeerError
	if err := handshakeError(t, bad); !errors.As(err, &pe) || pe.Reason != "400" {
		t.Fatalf("client: %v", err)
	}
	send(t, good, "still")
	expect(t, pull, "still")
}

func TestZAPCurveCertificates(t *testing.T) {
	dir := t.TempDir()
	cert, err := auth.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	cert.Metadata = zmtp.Metadata{{Name: "name", Value: []byte("alice")}}
	if err := cert.Save(filepath.Join(dir, "alice.key")); err != nil {
		t.Fatal(err)
	}
	a := auth.NewAuthenticator()
	if err := a.SetCertificateDir("", dir); err != nil {
		t.Fatal(err)
	}
	sPub, sSec, _ := zmtp.GenerateCurveKeypair()
	pull := newSock(t, Pull, WithCurveServer(sSec), WithZAP(a))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithCurveClient(sPub, cert.Public, cert.Secret))
	connectTo(t, push, ep)
	send(t, push, "x")
	expect(t, pull, "x")
	user, md := peerAuth(t, pull)
	if user != cert.PublicZ85() || md.Get("name") != "alice" {
		t.Fatalf("user %q metadata %v", user, md)
	}

	_, otherSec, _ := zmtp.GenerateCurveKeypair()
	stranger := newSock(t, Push, WithCurveClient(sPub, [32]byte{}, otherSec))
	connectTo(t, stranger, ep)
	if err := handshakeError(t, pull); !errors.Is(err, auth.ErrDenied) {
		t.Fatalf("server: %v", err)
	}
}

// NULL consults ZAP only with a domain (libzmq).
func TestZAPNullNeedsDomain(t *testing.T) {
	a := auth.NewAuthenticator()
	if err := a.Deny("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	open := newSock(t, Pull, WithZAP(a))
	ep := bindAt(t, open, "tcp")
	push := newSock(t, Push)
	connectTo(t, push, ep)
	send(t, push, "no domain")
	expect(t, open, "no domain")

	guarded := newSock(t, Pull, WithZAP(a), WithZAPDomain("global"))
	ep = bindAt(t, guarded, "tcp")
	push2 := newSock(t, Push)
	connectTo(t, push2, ep)
	if err := handshakeError(t, guarded); !errors.Is(err, auth.ErrDenied) {
		t.Fatalf("server: %v", err)
	}
	var pe *zmtp.PeerError
	if err := handshakeError(t, push2); !errors.As(err, &pe) || pe.Reason != "400" {
		t.Fatalf("client: %v", err)
	}
}

func TestZAPPlainWithoutHandlerRefuses(t *testing.T) {
	pull := newSock(t, Pull, WithPlainServer(nil))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("u", "p"))
	connectTo(t, push, ep)
	if err := handshakeError(t, pull); !errors.Is(err, ErrNoZAPHandler) || !errors.Is(err, zmtp.ErrAuthHandler) {
		t.Fatalf("server: %v", err)
	}
}

// zapREP runs a handler of the program's own at auth.Endpoint: a REP socket
// answering each request with answer. It stops when the test ends.
func zapREP(t *testing.T, answer func(req [][]byte) [][]byte) *Socket {
	t.Helper()
	rep, err := New(Rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Bind(auth.Endpoint); err != nil {
		rep.Close()
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := rep.Recv(context.Background())
			if err != nil {
				return
			}
			if err := rep.Send(context.Background(), Msg{Frames: answer(m.Frames)}); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { rep.Close(); wg.Wait() })
	return rep
}

func TestZAPInprocHandler(t *testing.T) {
	a := plainAuthenticator(t)
	var mu sync.Mutex
	var seen []*auth.Request
	zapREP(t, func(frames [][]byte) [][]byte {
		req, err := auth.ParseRequest(frames)
		if err != nil {
			t.Errorf("request: %v", err)
			return nil
		}
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		rep, _ := a.Authenticate(context.Background(), req)
		rep.Metadata = zmtp.Metadata{{Name: "Hello", Value: []byte("World")}}
		if rep.Status != auth.StatusOK {
			rep.Metadata = nil
		}
		out, _ := auth.AppendReply(nil, rep)
		return out
	})
	pull := newSock(t, Pull, WithPlainServer(nil), WithZAPDomain("test"), WithIdentity([]byte("server")))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("admin", "secret"))
	connectTo(t, push, ep)
	send(t, push, "via inproc")
	expect(t, pull, "via inproc")
	user, md := peerAuth(t, pull)
	if user != "admin" || md.Get("Hello") != "World" {
		t.Fatalf("user %q metadata %v", user, md)
	}
	mu.Lock()
	if len(seen) != 1 {
		t.Fatalf("the inproc handler saw %d requests", len(seen))
	}
	r := seen[0]
	mu.Unlock()
	if r.Domain != "test" || r.Address != "127.0.0.1" || string(r.Identity) != "server" || r.Mechanism != "PLAIN" {
		t.Fatalf("request %+v", r)
	}

	bad := newSock(t, Push, WithPlainClient("admin", "nope"))
	connectTo(t, bad, ep)
	if err := handshakeError(t, pull); !errors.Is(err, auth.ErrDenied) {
		t.Fatalf("server: %v", err)
	}
}

// A malformed reply from a handler of the program's own: a typed error on
// the monitor, that connection closed, the next one unaffected.
func TestZAPMalformedReply(t *testing.T) {
	var mu sync.Mutex
	broken := true
	a := plainAuthenticator(t)
	zapREP(t, func(frames [][]byte) [][]byte {
		mu.Lock()
		defer mu.Unlock()
		if broken {
			broken = false
			return [][]byte{[]byte("1.0"), []byte("1"), []byte("2000")} // 3 frames, bad code
		}
		req, _ := auth.ParseRequest(frames)
		rep, _ := a.Authenticate(context.Background(), req)
		out, _ := auth.AppendReply(nil, rep)
		return out
	})
	pull := newSock(t, Pull, WithPlainServer(nil))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("admin", "secret"), WithReconnectInterval(20*time.Millisecond))
	connectTo(t, push, ep)
	err := handshakeError(t, pull)
	if !errors.Is(err, auth.ErrMalformedReply) || !errors.Is(err, zmtp.ErrAuthHandler) {
		t.Fatalf("server: %v", err)
	}
	var me *auth.MalformedError
	if !errors.As(err, &me) || !me.Reply {
		t.Fatalf("not a *auth.MalformedError: %v", err)
	}
	// The client reconnects and the handler now answers properly.
	send(t, push, "after")
	expect(t, pull, "after")
}

// A handler that never answers, even ignoring its context, is bounded by
// the handshake interval.
func TestZAPHandlerNeverAnswers(t *testing.T) {
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	h := auth.HandlerFunc(func(context.Context, *auth.Request) (*auth.Reply, error) {
		<-stuck
		return nil, errors.New("released")
	})
	pull := newSock(t, Pull, WithPlainServer(nil), WithZAP(h), WithHandshakeInterval(300*time.Millisecond))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("u", "p"))
	connectTo(t, push, ep)
	start := time.Now()
	if err := handshakeError(t, pull); !errors.Is(err, zmtp.ErrHandshakeTimeout) {
		t.Fatalf("server: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestZAPOptions(t *testing.T) {
	for i, o := range []Option{WithZAP(nil), WithZAPDomain(string(make([]byte, 256)))} {
		if _, err := New(Pull, o); !errors.Is(err, ErrBadOption) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	a := auth.NewAuthenticator()
	cb := func(u, p string) (string, error) { return u, nil }
	if _, err := New(Pull, WithPlainServer(cb), WithZAP(a)); !errors.Is(err, ErrBadOption) {
		t.Errorf("callback and handler: %v", err)
	}
	_, sec, _ := zmtp.GenerateCurveKeypair()
	if _, err := New(Pull, WithCurveServer(sec), WithCurveAuth(func(string) (string, error) { return "", nil }), WithZAP(a)); !errors.Is(err, ErrBadOption) {
		t.Errorf("curve callback and handler: %v", err)
	}
}

// A NULL socket with a ZAP domain refuses ZMTP 1.0 and 2.0 peers, which
// could not be authenticated (libzmq does the same): a legacy peer must not
// get past an address filter.
func TestZAPDomainRefusesLegacyPeers(t *testing.T) {
	a := auth.NewAuthenticator()
	if err := a.Deny("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	pull := newSock(t, Pull, WithZAP(a), WithZAPDomain("global"))
	ep := bindAt(t, pull, "tcp")
	for _, v := range []zmtp.LegacyVersion{zmtp.ZMTP20, zmtp.ZMTP10} {
		old := newSock(t, Push, WithZMTPVersion(v))
		connectTo(t, old, ep)
		send(t, old, "from the past")
		if err := handshakeError(t, pull); !errors.Is(err, zmtp.ErrLegacyPeer) {
			t.Fatalf("%v peer: %v", v, err)
		}
		old.Close()
	}
	expectNothing(t, pull, 200*time.Millisecond)
	if _, err := New(Push, WithZAPDomain("d"), WithZMTPVersion(zmtp.ZMTP20)); !errors.Is(err, ErrBadOption) {
		t.Fatalf("domain with an older version: %v", err)
	}
}

// SetOption keeps New's rules: the ZAP domain and handler change at run time
// (for the next handshake), but not into a combination New refuses.
func TestZAPSetOption(t *testing.T) {
	a := auth.NewAuthenticator()
	if err := a.Deny("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	pull := newSock(t, Pull, WithZAP(a))
	ep := bindAt(t, pull, "tcp")
	if err := pull.SetOption(WithZAPDomain("global")); err != nil {
		t.Fatal(err)
	}
	push := newSock(t, Push)
	connectTo(t, push, ep)
	if err := handshakeError(t, pull); !errors.Is(err, auth.ErrDenied) {
		t.Fatalf("after SetOption(WithZAPDomain): %v", err)
	}
	if err := pull.SetOption(WithZMTPVersion(zmtp.ZMTP20)); !errors.Is(err, ErrBadOption) {
		t.Fatalf("older version with a ZAP domain: %v", err)
	}
	cb := newSock(t, Pull, WithPlainServer(func(u, p string) (string, error) { return u, nil }))
	if err := cb.SetOption(WithZAP(a)); !errors.Is(err, ErrBadOption) {
		t.Fatalf("handler beside a callback: %v", err)
	}
}

// ZMQ_ZAP_ENFORCE_DOMAIN: with it, a NULL socket with a domain and a CURVE
// server refuse clients when no handler exists; without it they admit them.
func TestZAPEnforceDomain(t *testing.T) {
	_, sSec, _ := zmtp.GenerateCurveKeypair()
	sPub, _ := zmtp.CurvePublicKey(sSec)
	_, cSec, _ := zmtp.GenerateCurveKeypair()
	for _, enforce := range []bool{false, true} {
		null := newSock(t, Pull, WithZAPDomain("global"), WithZAPEnforceDomain(enforce))
		curve := newSock(t, Pull, WithCurveServer(sSec), WithZAPEnforceDomain(enforce))
		for _, srv := range []*Socket{null, curve} {
			ep := bindAt(t, srv, "tcp")
			var cli *Socket
			if srv == curve {
				cli = newSock(t, Push, WithCurveClient(sPub, [32]byte{}, cSec))
			} else {
				cli = newSock(t, Push)
			}
			connectTo(t, cli, ep)
			if !enforce {
				send(t, cli, "admitted")
				expect(t, srv, "admitted")
				continue
			}
			if err := handshakeError(t, srv); !errors.Is(err, ErrNoZAPHandler) {
				t.Fatalf("enforced: %v", err)
			}
		}
	}
}

// The ZAP reply's user id and metadata reach every received message
// (Msg.Property, libzmq's zmq_msg_gets), beside what the peer sent.
func TestZAPMetadataOnMessages(t *testing.T) {
	h := auth.HandlerFunc(func(_ context.Context, req *auth.Request) (*auth.Reply, error) {
		user, _, _ := req.PlainCredentials()
		r := auth.NewReply(req, auth.StatusOK, "OK")
		r.UserID = "user:" + user
		r.Metadata = zmtp.Metadata{{Name: "X-Team", Value: []byte("blue")}}
		return r, nil
	})
	pull := newSock(t, Pull, WithPlainServer(nil), WithZAP(h))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("ali", "pw"))
	connectTo(t, push, ep)
	for i := 0; i < 2; i++ {
		send(t, push, "m")
		m, err := pull.Recv(ctxT(t, 5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		user, _ := m.Property("User-Id")
		team, _ := m.Property("x-team")
		typ, _ := m.Property("Socket-Type")
		if user != "user:ali" || team != "blue" || typ != "PUSH" {
			t.Fatalf("message %d: User-Id %q, X-Team %q, Socket-Type %q", i, user, team, typ)
		}
	}
}
