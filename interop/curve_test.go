package interop

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// CURVE (RFC 26) against libzmq 4.3.4 through pyzmq. The peer is
// interop/peers/pycurve.py: pypeer.py's JSON protocol with CURVE options on
// its socket and the socket's monitor events written to a file.

// curveKeyPair is a long-term key pair, binary and Z85.
type curveKeyPair struct {
	pub, sec       [32]byte
	pubZ85, secZ85 string
}

func newCurveKeyPair(t *testing.T) curveKeyPair {
	t.Helper()
	pub, sec, err := zmtp.GenerateCurveKeypair()
	if err != nil {
		t.Fatal(err)
	}
	return curveKeyPair{pub, sec, zmtp.CurveKeyZ85(pub), zmtp.CurveKeyZ85(sec)}
}

// curvePeer is a running pycurve.py process.
type curvePeer struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr *bytes.Buffer
	events string
	eps    []string
	done   chan struct{}
	mu     sync.Mutex
}

// startCurvePy starts pycurve.py with pypeer.py flags and CURVE flags.
func startCurvePy(t *testing.T, args ...string) *curvePeer {
	t.Helper()
	py := testpeer.Python(t)
	script := filepath.Join(testpeer.RepoRoot(), "interop", "peers", "pycurve.py")
	events := filepath.Join(t.TempDir(), "events")
	p := &curvePeer{t: t, stderr: &bytes.Buffer{}, events: events, done: make(chan struct{})}
	p.cmd = exec.Command(py, append([]string{script, "--events", events}, args...)...)
	p.cmd.Stderr = &lockedWriter{w: p.stderr, mu: &p.mu}
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewReader(stdout)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start pycurve.py: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	var ready struct {
		Ready     bool     `json:"ready"`
		Endpoints []string `json:"endpoints"`
	}
	if err := p.line(&ready, 20*time.Second); err != nil || !ready.Ready {
		t.Fatalf("pycurve.py %v did not start: %v\nstderr: %s", args, err, p.errText())
	}
	p.eps = ready.Endpoints
	return p
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *curvePeer) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *curvePeer) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// line reads one JSON line, killing the process when none comes in time
// (which also ends the reading goroutine).
func (p *curvePeer) line(v any, d time.Duration) error {
	type res struct {
		b   []byte
		err error
	}
	ch := make(chan res, 1)
	go func() {
		b, err := p.out.ReadBytes('\n')
		ch <- res{b, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return r.err
		}
		return json.Unmarshal(r.b, v)
	case <-time.After(d):
		p.kill()
		<-ch
		return fmt.Errorf("no answer within %v", d)
	}
}

type curveReply struct {
	OK     bool               `json:"ok"`
	Error  string             `json:"error"`
	Frames []string           `json:"frames"`
	Props  map[string]*string `json:"props"` // recvmeta
}

func (p *curvePeer) call(req map[string]any) (curveReply, error) {
	p.t.Helper()
	b, _ := json.Marshal(req)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		return curveReply{}, err
	}
	var r curveReply
	if err := p.line(&r, 30*time.Second); err != nil {
		p.t.Fatalf("pycurve.py: %v\nstderr: %s", err, p.errText())
	}
	if !r.OK {
		return r, errors.New(r.Error)
	}
	return r, nil
}

// The side interface of pyzmq_test.go, so its helpers work with CURVE peers.
func (p *curvePeer) send(t *testing.T, frames ...[]byte) {
	t.Helper()
	enc := make([]string, len(frames))
	for i, f := range frames {
		enc[i] = base64.StdEncoding.EncodeToString(f)
	}
	if _, err := p.call(map[string]any{"op": "send", "frames": enc}); err != nil {
		t.Fatalf("libzmq send: %v", err)
	}
}

func (p *curvePeer) trySend(t *testing.T, frames ...[]byte) bool {
	p.send(t, frames...)
	return true
}

func (p *curvePeer) recv(t *testing.T, d time.Duration) ([][]byte, bool) {
	t.Helper()
	r, err := p.call(map[string]any{"op": "recv", "timeout_ms": int(d / time.Millisecond)})
	if err != nil && r.Error == "timeout" {
		return nil, false
	}
	if err != nil {
		t.Fatalf("libzmq recv: %v", err)
	}
	frames := make([][]byte, len(r.Frames))
	for i, f := range r.Frames {
		if frames[i], err = base64.StdEncoding.DecodeString(f); err != nil {
			t.Fatal(err)
		}
	}
	return frames, true
}

func (p *curvePeer) subscribe(t *testing.T, topic string) {
	t.Helper()
	if _, err := p.call(map[string]any{"op": "subscribe", "topic": base64.StdEncoding.EncodeToString([]byte(topic))}); err != nil {
		t.Fatal(err)
	}
}

// awaitPyEvent waits until libzmq reported the monitor event name (e.g.
// "HANDSHAKE_FAILED_AUTH") and returns its value.
func (p *curvePeer) awaitEvent(t *testing.T, name string) int {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, l := range p.eventLines() {
			var n string
			var v int
			if _, err := fmt.Sscan(l, &n, &v); err == nil && n == name {
				return v
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("libzmq never reported %s; events: %q", name, p.eventLines())
	return 0
}

func (p *curvePeer) eventLines() []string {
	b, _ := os.ReadFile(p.events)
	return strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' })
}

// curveSizes are the payloads every CURVE pair carries: empty, both sides of
// the short/long frame boundary (with the 33 bytes MESSAGE adds, both are
// long frames on the wire) and 1 MiB.
func curveSizes() [][][]byte {
	return [][][]byte{
		{{}},
		{bytes.Repeat([]byte{'a'}, 222)}, // 222+33 = 255: the largest short MESSAGE
		{bytes.Repeat([]byte{'b'}, 223)},
		{bytes.Repeat([]byte{'c'}, 255)},
		{bytes.Repeat([]byte{'d'}, 256)},
		{bytes.Repeat([]byte("0123456789abcdef"), 1<<16)},
		{b("multi"), {}, b("part"), bytes.Repeat([]byte{'e'}, 300)},
	}
}

func curveServerArgs(typ, ep string, server curveKeyPair, allow ...string) []string {
	// Key=value: a Z85 key may start with '-', which argparse would take for a flag.
	a := []string{"--type", typ, "--bind", ep, "--curve-server=" + server.secZ85}
	for _, k := range allow {
		a = append(a, "--curve-allow="+k)
	}
	return a
}

func curveClientArgs(typ, ep string, serverPub string, client curveKeyPair) []string {
	return []string{"--type", typ, "--connect", ep, "--curve-serverkey=" + serverPub,
		"--curve-public=" + client.pubZ85, "--curve-secret=" + client.secZ85}
}

// libzmq DEALER (CURVE client) to our ROUTER (CURVE server).
func TestCurvePyDealerToOurRouter(t *testing.T) {
	srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
	var mu sync.Mutex
	var seen []string
	router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec),
		socket.WithCurveAuth(func(key string) (string, error) {
			mu.Lock()
			seen = append(seen, key)
			mu.Unlock()
			return "", nil
		}))
	ep := ourBind(t, router, "tcp://127.0.0.1:*")
	py := startCurvePy(t, append(curveClientArgs("DEALER", ep, srv.pubZ85, cli), "--identity", "py-dealer")...)
	for _, m := range curveSizes() {
		py.send(t, m...)
		got, ok := ours{router}.recv(t, wait)
		if !ok || string(got[0]) != "py-dealer" || !slices.EqualFunc(got[1:], m, bytes.Equal) {
			t.Fatalf("our ROUTER got %d frames, want py-dealer + %d", len(got), len(m))
		}
		ours{router}.send(t, got...)
		back, ok := py.recv(t, wait)
		if !ok || !slices.EqualFunc(back, m, bytes.Equal) {
			t.Fatalf("libzmq got %d frames back, want %d", len(back), len(m))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != cli.pubZ85 {
		t.Fatalf("auth saw %q, want [%s]", seen, cli.pubZ85)
	}
	py.awaitEvent(t, "HANDSHAKE_SUCCEEDED")
}

// Our DEALER (CURVE client) to a libzmq ROUTER (CURVE server, ZAP admitting
// our key).
func TestCurveOurDealerToPyRouter(t *testing.T) {
	srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
	py := startCurvePy(t, curveServerArgs("ROUTER", "tcp://127.0.0.1:*", srv, cli.pubZ85)...)
	dealer := newOurs(t, "DEALER", socket.WithCurveClient(srv.pub, cli.pub, cli.sec), socket.WithIdentity(b("go-dealer")))
	if err := dealer.Connect(py.eps[0]); err != nil {
		t.Fatal(err)
	}
	for _, m := range curveSizes() {
		ours{dealer}.send(t, m...)
		got, ok := py.recv(t, wait)
		if !ok || string(got[0]) != "go-dealer" || !slices.EqualFunc(got[1:], m, bytes.Equal) {
			t.Fatalf("libzmq ROUTER got %d frames, want go-dealer + %d; events %q; stderr %s", len(got), len(m), py.eventLines(), py.errText())
		}
		py.send(t, got...)
		back, ok := ours{dealer}.recv(t, wait)
		if !ok || !slices.EqualFunc(back, m, bytes.Equal) {
			t.Fatalf("we got %d frames back, want %d", len(back), len(m))
		}
	}
}

// PUB/SUB both ways: subscriptions travel inside MESSAGE (as SUBSCRIBE
// commands with the COMMAND flag, or as \x01topic messages) and the
// publisher filters on them.
func TestCurvePubSub(t *testing.T) {
	t.Run("ours=PUB", func(t *testing.T) {
		srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
		pub := newOurs(t, "PUB", socket.WithCurveServer(srv.sec))
		ep := ourBind(t, pub, "tcp://127.0.0.1:*")
		py := startCurvePy(t, append(curveClientArgs("SUB", ep, srv.pubZ85, cli), "--subscribe=t")...)
		syncSub(t, ours{pub}, py, "t")
		ours{pub}.send(t, b("other"))
		ours{pub}.send(t, b("t1"), bytes.Repeat([]byte{'x'}, 256))
		mustRecv(t, py, "t1", strings.Repeat("x", 256))
	})
	t.Run("ours=SUB", func(t *testing.T) {
		srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
		py := startCurvePy(t, curveServerArgs("PUB", "tcp://127.0.0.1:*", srv)...)
		sub := newOurs(t, "SUB", socket.WithCurveClient(srv.pub, [32]byte{}, cli.sec))
		if err := sub.Connect(py.eps[0]); err != nil {
			t.Fatal(err)
		}
		ours{sub}.subscribe(t, "t")
		syncSub(t, py, ours{sub}, "t")
		py.send(t, b("other"))
		py.send(t, b("t1"), b("data"))
		mustRecv(t, ours{sub}, "t1", "data")
	})
}

// A client with the wrong server key fails the handshake on both sides, at
// once and without hanging.
func TestCurveWrongServerKey(t *testing.T) {
	t.Run("libzmq client", func(t *testing.T) {
		srv, wrong, cli := newCurveKeyPair(t), newCurveKeyPair(t), newCurveKeyPair(t)
		router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec))
		ep := ourBind(t, router, "tcp://127.0.0.1:*")
		py := startCurvePy(t, curveClientArgs("DEALER", ep, wrong.pubZ85, cli)...)
		e := awaitEvent(t, router, socket.EventHandshakeFailed)
		if !errors.Is(e.Err, zmtp.ErrCurveBox) {
			t.Fatalf("our server: %v", e.Err)
		}
		py.send(t, b("never"))
		if m, ok := (ours{router}).recv(t, 300*time.Millisecond); ok {
			t.Fatalf("received %q through a failed handshake", m)
		}
		for _, l := range py.eventLines() {
			if strings.HasPrefix(l, "HANDSHAKE_SUCCEEDED") {
				t.Fatalf("libzmq reports success: %q", py.eventLines())
			}
		}
	})
	t.Run("our client", func(t *testing.T) {
		srv, wrong, cli := newCurveKeyPair(t), newCurveKeyPair(t), newCurveKeyPair(t)
		py := startCurvePy(t, curveServerArgs("ROUTER", "tcp://127.0.0.1:*", srv)...)
		dealer := newOurs(t, "DEALER", socket.WithCurveClient(wrong.pub, cli.pub, cli.sec))
		if err := dealer.Connect(py.eps[0]); err != nil {
			t.Fatal(err)
		}
		e := awaitEvent(t, dealer, socket.EventHandshakeFailed)
		if e.Err == nil {
			t.Fatal("handshake failure without a reason")
		}
		// libzmq: ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC (0x11000001).
		if v := py.awaitEvent(t, "HANDSHAKE_FAILED_PROTOCOL"); v != 0x11000001 {
			t.Fatalf("libzmq protocol error %#x", v)
		}
	})
}

// Our server's auth callback refuses a key: libzmq reports the ZAP status
// 400 as an authentication failure; a second, admitted key gets through.
func TestCurveOurAuthRefuses(t *testing.T) {
	srv, good, bad := newCurveKeyPair(t), newCurveKeyPair(t), newCurveKeyPair(t)
	router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec),
		socket.WithCurveAuth(func(key string) (string, error) {
			if key != good.pubZ85 {
				return "", errors.New("unknown key")
			}
			return "good-user", nil
		}))
	ep := ourBind(t, router, "tcp://127.0.0.1:*")
	refused := startCurvePy(t, curveClientArgs("DEALER", ep, srv.pubZ85, bad)...)
	if v := refused.awaitEvent(t, "HANDSHAKE_FAILED_AUTH"); v != 400 {
		t.Fatalf("libzmq status %d, want 400", v)
	}
	e := awaitEvent(t, router, socket.EventHandshakeFailed)
	if !errors.Is(e.Err, zmtp.ErrAuthFailed) {
		t.Fatalf("our server: %v", e.Err)
	}
	admitted := startCurvePy(t, append(curveClientArgs("DEALER", ep, srv.pubZ85, good), "--identity", "ok")...)
	admitted.send(t, b("hi"))
	mustRecv(t, ours{router}, "ok", "hi")
}

// A libzmq server whose ZAP handler does not know our key refuses us with an
// ERROR we report as a *zmtp.PeerError.
func TestCurvePyAuthRefusesUs(t *testing.T) {
	srv, other, cli := newCurveKeyPair(t), newCurveKeyPair(t), newCurveKeyPair(t)
	py := startCurvePy(t, curveServerArgs("ROUTER", "tcp://127.0.0.1:*", srv, other.pubZ85)...)
	dealer := newOurs(t, "DEALER", socket.WithCurveClient(srv.pub, cli.pub, cli.sec))
	if err := dealer.Connect(py.eps[0]); err != nil {
		t.Fatal(err)
	}
	e := awaitEvent(t, dealer, socket.EventHandshakeFailed)
	var pe *zmtp.PeerError
	if !errors.As(e.Err, &pe) || pe.Reason != "400" {
		t.Fatalf("our client: %v", e.Err)
	}
}

// Retention keyed by the CURVE user: a libzmq SUB that never sends an
// identity gets its backlog when it comes back with the same key.
func TestCurveRetainedSubByKey(t *testing.T) {
	srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
	pub := newOurs(t, "PUB", socket.WithCurveServer(srv.sec),
		socket.WithRetention(socket.Retention{KeyBy: socket.KeyUser}))
	ep := ourBind(t, pub, "tcp://127.0.0.1:*")
	args := append(curveClientArgs("SUB", ep, srv.pubZ85, cli), "--subscribe=")
	py := startCurvePy(t, args...)
	syncSub(t, ours{pub}, py, "t")
	py.kill()
	if e := awaitEvent(t, pub, socket.EventRetained); e.Peer != cli.pubZ85 {
		t.Fatalf("retained under %q, want the client key %s", e.Peer, cli.pubZ85)
	}
	for i := 0; i < 5; i++ {
		ours{pub}.send(t, b(fmt.Sprint("update ", i)))
	}
	py2 := startCurvePy(t, args...)
	for i := 0; i < 5; i++ {
		mustRecv(t, py2, fmt.Sprint("update ", i))
	}
}

// Our sockets on both ends, and the options' errors.
func TestCurveOurSockets(t *testing.T) {
	srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
	router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec))
	ep := ourBind(t, router, "tcp://127.0.0.1:*")
	dealer := newOurs(t, "DEALER", socket.WithCurveClient(srv.pub, cli.pub, cli.sec), socket.WithIdentity(b("d")))
	if err := dealer.Connect(ep); err != nil {
		t.Fatal(err)
	}
	for _, m := range curveSizes() {
		ours{dealer}.send(t, m...)
		got, ok := ours{router}.recv(t, wait)
		if !ok || string(got[0]) != "d" || !slices.EqualFunc(got[1:], m, bytes.Equal) {
			t.Fatalf("got %d frames", len(got))
		}
	}
	var zero [32]byte
	bad := [][]socket.Option{
		{socket.WithCurveServer(zero)},
		{socket.WithCurveClient(zero, cli.pub, cli.sec)},
		{socket.WithCurveClient(srv.pub, srv.pub, cli.sec)}, // not the secret's public key
		{socket.WithCurveServer(srv.sec), socket.WithCurveClient(srv.pub, cli.pub, cli.sec)},
		{socket.WithPlainClient("u", "p"), socket.WithCurveServer(srv.sec)},
		{socket.WithCurveServer(srv.sec), socket.WithPlainClient("u", "p")},
		{socket.WithCurveClient(srv.pub, cli.pub, cli.sec), socket.WithPlainServer(func(u, p string) (string, error) { return u, nil })},
		{socket.WithCurveAuth(nil)},
	}
	for i, opts := range bad {
		s, err := socket.New(socket.Dealer, opts...)
		var oe *socket.OptionError
		if !errors.As(err, &oe) {
			if s != nil {
				s.Close()
			}
			t.Errorf("%d: %v", i, err)
		}
	}
}

// Heartbeats over CURVE: libzmq's PINGs reach us inside MESSAGE and our PONGs
// must go back boxed, or libzmq drops the connection; our PINGs likewise.
func TestCurveHeartbeats(t *testing.T) {
	hb := []string{"--opt", "HEARTBEAT_IVL=50", "--opt", "HEARTBEAT_TIMEOUT=400"}
	noDisconnect := func(t *testing.T, py *curvePeer) {
		t.Helper()
		for _, l := range py.eventLines() {
			if strings.HasPrefix(l, "DISCONNECTED") || strings.HasPrefix(l, "HANDSHAKE_FAILED") {
				t.Fatalf("libzmq dropped the connection: %q", py.eventLines())
			}
		}
	}
	t.Run("libzmq pings", func(t *testing.T) {
		srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
		router := newOurs(t, "ROUTER", socket.WithCurveServer(srv.sec))
		ep := ourBind(t, router, "tcp://127.0.0.1:*")
		py := startCurvePy(t, append(append(curveClientArgs("DEALER", ep, srv.pubZ85, cli), "--identity", "hb"), hb...)...)
		py.send(t, b("first"))
		mustRecv(t, ours{router}, "hb", "first")
		time.Sleep(time.Second) // 20 PINGs, each answered
		noDisconnect(t, py)
		ours{router}.send(t, b("hb"), b("still there"))
		mustRecv(t, py, "still there")
	})
	t.Run("we ping", func(t *testing.T) {
		srv, cli := newCurveKeyPair(t), newCurveKeyPair(t)
		py := startCurvePy(t, curveServerArgs("ROUTER", "tcp://127.0.0.1:*", srv)...)
		dealer := newOurs(t, "DEALER", socket.WithCurveClient(srv.pub, cli.pub, cli.sec), socket.WithIdentity(b("d")),
			socket.WithHeartbeat(50*time.Millisecond, time.Second, 400*time.Millisecond))
		if err := dealer.Connect(py.eps[0]); err != nil {
			t.Fatal(err)
		}
		ours{dealer}.send(t, b("first"))
		mustRecv(t, py, "d", "first")
		time.Sleep(time.Second)
		noDisconnect(t, py)
		py.send(t, b("d"), b("still there"))
		mustRecv(t, ours{dealer}, "still there")
		select {
		case e := <-dealer.Monitor():
			for ; ; e = <-dealer.Monitor() {
				if e.Kind == socket.EventDisconnected {
					t.Fatalf("we dropped the connection: %v", e)
				}
				if len(dealer.Monitor()) == 0 {
					break
				}
			}
		default:
		}
	})
}
