package interop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// Tests of libzmq's per-message metadata and the socket behaviours of
// issue 11 (CONFLATE, XPUB_MANUAL, XPUB_WELCOME_MSG, PROBE_ROUTER,
// CONNECT_ROUTING_ID, heartbeat TTL) against pyzmq peers.

var metaNames = []string{"Socket-Type", "Identity", "Peer-Address", "User-Id"}

func recvMsg(t *testing.T, s *socket.Socket) socket.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatalf("our %v Recv: %v", s.Type(), err)
	}
	return m
}

func wantProps(t *testing.T, who string, get func(string) (string, bool), want map[string]string) {
	t.Helper()
	for name, w := range want {
		got, ok := get(name)
		if w == "" && ok {
			t.Errorf("%s: %s = %q, want none", who, name, got)
		}
		if w != "" && got != w {
			t.Errorf("%s: %s = %q, want %q", who, name, got, w)
		}
	}
}

// Both ways over tcp: what our message answers of a libzmq peer, and what
// libzmq's zmq_msg_gets answers of ours, for the same properties.
func TestPyMetadataTCP(t *testing.T) {
	router := newOurs(t, "ROUTER")
	ep := ourBind(t, router, "tcp://")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("py-d")})
	theirs{py}.send(t, b("hi"))
	m := recvMsg(t, router)
	if !sameFrames(m.Frames, []string{"py-d", "hi"}) {
		t.Fatalf("got %q", m.Frames)
	}
	wantProps(t, "ours of libzmq", m.Property, map[string]string{
		"Socket-Type": "DEALER", "Identity": "py-d", "Routing-Id": "py-d",
		"Peer-Address": "127.0.0.1", "User-Id": "",
	})

	pyr := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}})
	dealer := newOurs(t, "DEALER", socket.WithIdentity(b("go-d")))
	if err := dealer.Connect(pyr.Endpoint()); err != nil {
		t.Fatal(err)
	}
	ours{dealer}.send(t, b("hi"))
	frames, props, err := pyr.RecvMeta(wait, metaNames...)
	if err != nil || !sameFrames(frames, []string{"go-d", "hi"}) {
		t.Fatalf("libzmq got %q, %v", frames, err)
	}
	wantProps(t, "libzmq of ours", func(n string) (string, bool) { v, ok := props[n]; return v, ok }, map[string]string{
		"Socket-Type": "DEALER", "Identity": "go-d", "Peer-Address": "127.0.0.1", "User-Id": "",
	})
}

// Over ipc libzmq reports "localhost:uid:gid:pid"; so do we.
func TestPyMetadataIPC(t *testing.T) {
	pull := newOurs(t, "PULL")
	ep := ourBind(t, pull, "ipc://"+filepath.Join(t.TempDir(), "m.sock"))
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}})
	theirs{py}.send(t, b("x"))
	m := recvMsg(t, pull)
	addr, _ := m.Property("Peer-Address")
	want := fmt.Sprintf("localhost:%d:%d:", os.Getuid(), os.Getgid())
	if len(addr) <= len(want) || addr[:len(want)] != want {
		t.Errorf("Peer-Address of a libzmq ipc peer = %q, want %s<its pid>", addr, want)
	}
	if st, _ := m.Property("Socket-Type"); st != "PUSH" {
		t.Errorf("Socket-Type = %q", st)
	}

	pyp := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"ipc://" + filepath.Join(t.TempDir(), "n.sock")}})
	push := newOurs(t, "PUSH")
	if err := push.Connect(pyp.Endpoint()); err != nil {
		t.Fatal(err)
	}
	ours{push}.send(t, b("x"))
	_, props, err := pyp.RecvMeta(wait, "Peer-Address")
	if err != nil {
		t.Fatal(err)
	}
	if w := fmt.Sprintf("localhost:%d:%d:%d", os.Getuid(), os.Getgid(), os.Getpid()); props["Peer-Address"] != w {
		t.Errorf("libzmq's Peer-Address of us = %q, want %q", props["Peer-Address"], w)
	}
}

// PLAIN: User-Id is the authenticated user on both sides (ours from our
// authenticate function, libzmq's from its ZAP handler).
func TestPyMetadataUserIDPlain(t *testing.T) {
	pull := newOurs(t, "PULL", socket.WithPlainServer(func(u, p string) (string, error) {
		if u == "alice" && p == "pw" {
			return "alice", nil
		}
		return "", errors.New("denied")
	}))
	ep := ourBind(t, pull, "tcp://")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}, PlainUser: "alice", PlainPass: "pw"})
	theirs{py}.send(t, b("x"))
	if id, _ := recvMsg(t, pull).Property("User-Id"); id != "alice" {
		t.Errorf("User-Id of a libzmq PLAIN client = %q, want alice", id)
	}

	pyp := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"},
		PlainServer: true, PlainUsers: map[string]string{"bob": "pw2"}})
	push := newOurs(t, "PUSH", socket.WithPlainClient("bob", "pw2"))
	if err := push.Connect(pyp.Endpoint()); err != nil {
		t.Fatal(err)
	}
	ours{push}.send(t, b("x"))
	_, props, err := pyp.RecvMeta(wait, "User-Id")
	if err != nil || props["User-Id"] != "bob" {
		t.Errorf("libzmq's User-Id of our PLAIN client = %q, %v; want bob", props["User-Id"], err)
	}
}

// CURVE: the user id is the client's public key in Z85 (our default, and
// what pyzmq's ZAP handler answers).
func TestPyMetadataUserIDCurve(t *testing.T) {
	srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
	router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec))
	ep := ourBind(t, router, "tcp://")
	py := startCurvePy(t, append(curveClientArgs("DEALER", ep, srv.pubZ85, cli), "--identity", "py-c")...)
	py.send(t, b("x"))
	m := recvMsg(t, router)
	wantProps(t, "ours of a libzmq CURVE client", m.Property, map[string]string{
		"User-Id": cli.pubZ85, "Socket-Type": "DEALER", "Identity": "py-c", "Peer-Address": "127.0.0.1",
	})

	pys := startCurvePy(t, curveServerArgs("ROUTER", "tcp://127.0.0.1:*", srv, cli.pubZ85)...)
	dealer := newOurs(t, "DEALER", socket.WithCurveClient(srv.pub, cli.pub, cli.sec), socket.WithIdentity(b("go-c")))
	if err := dealer.Connect(pys.eps[0]); err != nil {
		t.Fatal(err)
	}
	ours{dealer}.send(t, b("x"))
	r, err := pys.call(map[string]any{"op": "recvmeta", "names": metaNames, "timeout_ms": 5000})
	if err != nil {
		t.Fatal(err)
	}
	if r.Props["User-Id"] == nil || *r.Props["User-Id"] != cli.pubZ85 {
		t.Errorf("libzmq's User-Id of our CURVE client = %v, want %s", r.Props["User-Id"], cli.pubZ85)
	}
}

// CONFLATE on our side against libzmq senders and receivers, and libzmq's
// own CONFLATE receiving from us.
func TestPyConflate(t *testing.T) {
	const n = 2000
	t.Run("libzmq-PUSH-to-our-PULL", func(t *testing.T) {
		pull := newOurs(t, "PULL", socket.WithConflate(true))
		ep := ourBind(t, pull, "tcp://")
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}})
		for i := 0; i < n; i++ {
			theirs{py}.send(t, b(strconv.Itoa(i)))
		}
		checkConflated(t, ours{pull}, n)
	})
	t.Run("libzmq-PUB-to-our-SUB", func(t *testing.T) {
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
		sub := newOurs(t, "SUB", socket.WithConflate(true))
		sub.Subscribe(nil)
		if err := sub.Connect(py.Endpoint()); err != nil {
			t.Fatal(err)
		}
		for { // until the subscription has reached libzmq
			theirs{py}.send(t, b("sync"))
			if m, ok := (ours{sub}).recv(t, 50*time.Millisecond); ok && string(m[0]) == "sync" {
				break
			}
		}
		for i := 0; i < n; i++ {
			theirs{py}.send(t, b(strconv.Itoa(i)))
		}
		checkConflated(t, ours{sub}, n)
	})
	t.Run("our-PUSH-to-libzmq-PULL", func(t *testing.T) {
		// Our outbound queue conflates while libzmq is not there yet.
		ep := "ipc://" + filepath.Join(t.TempDir(), "c.sock")
		push := newOurs(t, "PUSH", socket.WithConflate(true))
		if err := push.Connect(ep); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			ours{push}.send(t, b(strconv.Itoa(i)))
		}
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{ep}})
		mustRecv(t, theirs{py}, "49")
		if m, ok := (theirs{py}).recv(t, 200*time.Millisecond); ok {
			t.Fatalf("libzmq got %q after the last, want nothing", m)
		}
	})
	t.Run("our-PUSH-to-libzmq-conflating-PULL", func(t *testing.T) {
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}, Extra: []string{"--opt", "CONFLATE=1"}})
		push := newOurs(t, "PUSH")
		if err := push.Connect(py.Endpoint()); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			ours{push}.send(t, b(strconv.Itoa(i)))
		}
		checkConflated(t, theirs{py}, n)
	})
}

// checkConflated receives until the last of n numbered messages: each must
// be newer than the one before, and far fewer than n must arrive.
func checkConflated(t *testing.T, s side, n int) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let the stream arrive
	last, count := -1, 0
	for last != n-1 {
		m, ok := s.recv(t, wait)
		if !ok {
			t.Fatalf("nothing after %d of %d", last, n)
		}
		v, err := strconv.Atoi(string(m[0]))
		if err != nil || v <= last {
			t.Fatalf("received %q after %d: not newer", m, last)
		}
		last, count = v, count+1
	}
	if count >= n/2 {
		t.Errorf("received %d of %d messages: nothing was conflated", count, n)
	}
	t.Logf("received %d of %d messages, ending with the last", count, n)
}

// Our manual XPUB with a libzmq SUB, and libzmq's manual XPUB with our SUB.
func TestPyXPubManual(t *testing.T) {
	xpub := newOurs(t, "XPUB", socket.WithXPubManual(true))
	ep := ourBind(t, xpub, "tcp://")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"A"}})
	m := recvMsg(t, xpub)
	if string(m.Frames[0]) != "\x01A" {
		t.Fatalf("our XPUB got %q, want \\x01A", m.Frames)
	}
	if st, _ := m.Property("Socket-Type"); st != "SUB" {
		t.Errorf("subscription's Socket-Type %q", st)
	}
	ours{xpub}.send(t, b("A-1"))
	if got, ok := (theirs{py}).recv(t, 300*time.Millisecond); ok {
		t.Fatalf("libzmq SUB got %q before the subscription was applied", got)
	}
	if err := xpub.Subscribe(b("A")); err != nil {
		t.Fatal(err)
	}
	ours{xpub}.send(t, b("A-2"))
	mustRecv(t, theirs{py}, "A-2")
	if err := py.Unsubscribe(b("A")); err != nil {
		t.Fatal(err)
	}
	mustRecv(t, ours{xpub}, "\x00A")

	pyx := testpeer.StartPy(t, testpeer.PyOptions{Type: "XPUB", Bind: []string{"tcp://127.0.0.1:*"}, Extra: []string{"--opt", "XPUB_MANUAL=1"}})
	sub := newOurs(t, "SUB")
	sub.Subscribe(b("B"))
	if err := sub.Connect(pyx.Endpoint()); err != nil {
		t.Fatal(err)
	}
	mustRecv(t, theirs{pyx}, "\x01B")
	if err := pyx.Subscribe(b("B")); err != nil { // ZMQ_SUBSCRIBE on the manual XPUB
		t.Fatal(err)
	}
	theirs{pyx}.send(t, b("B-1"))
	mustRecv(t, ours{sub}, "B-1")
}

// Our XPUB's welcome message reaches libzmq SUBs; libzmq's reaches ours.
func TestPyXPubWelcome(t *testing.T) {
	xpub := newOurs(t, "XPUB", socket.WithXPubWelcome(b("WELCOME")))
	ep := ourBind(t, xpub, "tcp://")
	for i := 0; i < 2; i++ {
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"WEL"}})
		mustRecv(t, theirs{py}, "WELCOME")
	}

	// libzmq 4.3.4 sends its welcome message when its XPUB connects; a
	// bound libzmq XPUB sent none to a connecting SUB in our trials, its
	// own SUBs included, so the XPUB connects here.
	sub := newOurs(t, "SUB")
	sub.Subscribe(b("HEL"))
	sep := ourBind(t, sub, "tcp://")
	testpeer.StartPy(t, testpeer.PyOptions{Type: "XPUB", Connect: []string{sep}, Extra: []string{"--bopt", "XPUB_WELCOME_MSG=HELLO"}})
	mustRecv(t, ours{sub}, "HELLO")
}

// PROBE_ROUTER both ways with libzmq ROUTERs and DEALERs.
func TestPyProbeRouter(t *testing.T) {
	pyr := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}})
	dealer := newOurs(t, "DEALER", socket.WithProbeRouter(true), socket.WithIdentity(b("go-p")))
	if err := dealer.Connect(pyr.Endpoint()); err != nil {
		t.Fatal(err)
	}
	mustRecv(t, theirs{pyr}, "go-p", "") // before we sent anything

	router := newOurs(t, "ROUTER")
	ep := ourBind(t, router, "tcp://")
	testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("py-p"), Extra: []string{"--opt", "PROBE_ROUTER=1"}})
	mustRecv(t, ours{router}, "py-p", "")

	prouter := newOurs(t, "ROUTER", socket.WithProbeRouter(true))
	ep2 := ourBind(t, prouter, "tcp://")
	pyd := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep2}})
	mustRecv(t, theirs{pyd}, "")
}

// CONNECT_ROUTING_ID: ours to a libzmq ROUTER, libzmq's to ours; in both
// directions the connecting ROUTER sends before the connection is up.
func TestPyConnectRoutingID(t *testing.T) {
	pyr := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}, Identity: testpeer.Str("py-srv")})
	router := newOurs(t, "ROUTER", socket.WithIdentity(b("go-r")))
	if err := router.ConnectWithRoutingID(pyr.Endpoint(), b("chosen")); err != nil {
		t.Fatal(err)
	}
	ours{router}.send(t, b("chosen"), b("hi"))
	mustRecv(t, theirs{pyr}, "go-r", "hi")
	theirs{pyr}.send(t, b("go-r"), b("back"))
	mustRecv(t, ours{router}, "chosen", "back")

	srv := newOurs(t, "ROUTER", socket.WithIdentity(b("go-srv")))
	ep := ourBind(t, srv, "tcp://")
	pyc := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Connect: []string{ep}, Identity: testpeer.Str("py-r"),
		Extra: []string{"--bopt", "CONNECT_ROUTING_ID=picked"}})
	theirs{pyc}.send(t, b("picked"), b("x"))
	mustRecv(t, ours{srv}, "py-r", "x")
	ours{srv}.send(t, b("py-r"), b("y"))
	mustRecv(t, theirs{pyc}, "picked", "y")
}

// With the stock ZAP handler and a certificate directory, a libzmq CURVE
// client's messages carry the user id the handler gives (its key in Z85)
// and the metadata of its certificate: "a property an authenticator added".
func TestPyMetadataZAPCertificate(t *testing.T) {
	srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
	dir := t.TempDir()
	cert := &auth.Certificate{Public: cli.pub, Metadata: zmtp.Metadata{{Name: "Email", Value: b("ops@example.org")}}}
	if err := cert.Save(filepath.Join(dir, "client.key")); err != nil {
		t.Fatal(err)
	}
	a := auth.NewAuthenticator()
	if err := a.SetCertificateDir("", dir); err != nil {
		t.Fatal(err)
	}
	router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec), socket.WithZAP(a))
	ep := ourBind(t, router, "tcp://")
	py := startCurvePy(t, append(curveClientArgs("DEALER", ep, srv.pubZ85, cli), "--identity", "py-z")...)
	py.send(t, b("x"))
	m := recvMsg(t, router)
	wantProps(t, "ours of a libzmq CURVE client admitted by ZAP", m.Property, map[string]string{
		"User-Id": cli.pubZ85, "email": "ops@example.org", "Socket-Type": "DEALER", "Identity": "py-z",
	})
}
