package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

const wait = 5 * time.Second

// side is one end of a conversation: our socket or a pyzmq process.
type side interface {
	send(t *testing.T, frames ...[]byte)
	// trySend reports false when a ROUTER with mandatory routing cannot
	// reach the peer yet.
	trySend(t *testing.T, frames ...[]byte) bool
	recv(t *testing.T, d time.Duration) ([][]byte, bool)
	subscribe(t *testing.T, topic string)
}

type ours struct{ s *socket.Socket }

func (o ours) send(t *testing.T, frames ...[]byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := o.s.Send(ctx, socket.NewMsg(frames...)); err != nil {
		t.Fatalf("our %v Send: %v", o.s.Type(), err)
	}
}

func (o ours) trySend(t *testing.T, frames ...[]byte) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := o.s.Send(ctx, socket.NewMsg(frames...))
	if errors.Is(err, socket.ErrHostUnreachable) {
		return false
	}
	if err != nil {
		t.Fatalf("our %v Send: %v", o.s.Type(), err)
	}
	return true
}

func (o ours) recv(t *testing.T, d time.Duration) ([][]byte, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	m, err := o.s.Recv(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("our %v Recv: %v", o.s.Type(), err)
	}
	return m.Frames, true
}

func (o ours) subscribe(t *testing.T, topic string) {
	t.Helper()
	if o.s.Type() == socket.XSub {
		o.send(t, []byte("\x01"+topic))
		return
	}
	if err := o.s.Subscribe([]byte(topic)); err != nil {
		t.Fatal(err)
	}
}

type theirs struct{ p *testpeer.Py }

func (p theirs) send(t *testing.T, frames ...[]byte) {
	t.Helper()
	if err := p.p.Send(frames...); err != nil {
		t.Fatalf("libzmq send: %v", err)
	}
}

func (p theirs) trySend(t *testing.T, frames ...[]byte) bool {
	t.Helper()
	err := p.p.Send(frames...)
	if err != nil && strings.Contains(err.Error(), "unreachable") {
		// pyzmq reports EHOSTUNREACH only as text through the driver.
		return false
	}
	if err != nil {
		t.Fatalf("libzmq send: %v", err)
	}
	return true
}

func (p theirs) recv(t *testing.T, d time.Duration) ([][]byte, bool) {
	t.Helper()
	m, err := p.p.Recv(d)
	if errors.Is(err, testpeer.ErrTimeout) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("libzmq recv: %v", err)
	}
	return m, true
}

func (p theirs) subscribe(t *testing.T, topic string) {
	t.Helper()
	if err := p.p.Subscribe([]byte(topic)); err != nil {
		// An XSUB subscribes by sending.
		p.send(t, []byte("\x01"+topic))
	}
}

func b(s string) []byte { return []byte(s) }

func mustRecv(t *testing.T, s side, want ...string) {
	t.Helper()
	got, ok := s.recv(t, wait)
	if !ok {
		t.Fatalf("nothing received, want %q", want)
	}
	if !sameFrames(got, want) {
		t.Fatalf("received %q, want %q", got, want)
	}
}

func sameFrames(got [][]byte, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if string(got[i]) != want[i] {
			return false
		}
	}
	return true
}

// syncSub publishes topic+"-sync" until the subscriber receives one, then
// drains the extra sync copies: subscriptions travel asynchronously.
func syncSub(t *testing.T, pub, sub side, topic string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		pub.send(t, b(topic+"-sync"))
		if m, ok := sub.recv(t, 50*time.Millisecond); ok {
			if !strings.HasSuffix(string(m[0]), "-sync") {
				t.Fatalf("sync received %q", m)
			}
			for {
				if _, ok := sub.recv(t, 30*time.Millisecond); !ok {
					return
				}
			}
		}
	}
	t.Fatal("subscription never reached the publisher")
}

// awaitSubscription waits for an XPUB to receive want from a subscriber.
// A bound libzmq socket attaches an incoming connection's pipe only when its
// application thread next calls into it (libzmq processes commands lazily),
// and sends its subscriptions only then; a short receive on the subscriber
// is that call.
func awaitSubscription(t *testing.T, xpub, sub side, want string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if m, ok := xpub.recv(t, 50*time.Millisecond); ok {
			if !sameFrames(m, []string{want}) {
				t.Fatalf("XPUB received %q, want %q", m, want)
			}
			return
		}
		if m, ok := sub.recv(t, 5*time.Millisecond); ok {
			t.Fatalf("subscriber received %q before anything was published", m)
		}
	}
	t.Fatalf("XPUB never received %q", want)
}

// sendRouted retries a ROUTER send until the peer's identity is known.
func sendRouted(t *testing.T, s side, frames ...[]byte) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !s.trySend(t, frames...) {
		if time.Now().After(deadline) {
			t.Fatalf("peer %q never became routable", frames[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// conversation runs one exchange between a (the first type of the pair)
// and b.
type conversation func(t *testing.T, a, b side)

var matrix = []struct {
	a, b         string
	aID, bID     string // identities (ROUTER-ROUTER, DEALER towards ROUTER)
	aMand, bMand bool   // ROUTER_MANDATORY, so sends can wait for the peer
	run          conversation
}{
	{a: "PAIR", b: "PAIR", run: func(t *testing.T, x, y side) {
		x.send(t, b("ping"), b(""))
		mustRecv(t, y, "ping", "")
		y.send(t, b("pong"))
		mustRecv(t, x, "pong")
	}},
	{a: "PUB", b: "SUB", run: func(t *testing.T, x, y side) {
		y.subscribe(t, "t")
		syncSub(t, x, y, "t")
		x.send(t, b("u-ignored"))
		x.send(t, b("t1"), b("body"))
		mustRecv(t, y, "t1", "body")
	}},
	{a: "PUB", b: "XSUB", run: func(t *testing.T, x, y side) {
		y.send(t, b("\x01t"))
		syncSub(t, x, y, "t")
		x.send(t, b("u-ignored"))
		x.send(t, b("t1"))
		mustRecv(t, y, "t1")
	}},
	{a: "XPUB", b: "SUB", run: func(t *testing.T, x, y side) {
		y.subscribe(t, "t")
		awaitSubscription(t, x, y, "\x01t")
		x.send(t, b("u-ignored"))
		x.send(t, b("t1"))
		mustRecv(t, y, "t1")
	}},
	{a: "XPUB", b: "XSUB", run: func(t *testing.T, x, y side) {
		y.send(t, b("\x01t"))
		awaitSubscription(t, x, y, "\x01t")
		x.send(t, b("u-ignored"))
		x.send(t, b("t1"))
		mustRecv(t, y, "t1")
		y.send(t, b("\x00t"))
		mustRecv(t, x, "\x00t")
	}},
	{a: "PUSH", b: "PULL", run: func(t *testing.T, x, y side) {
		x.send(t, b("job"), b(""), b("x"))
		x.send(t, b("job2"))
		mustRecv(t, y, "job", "", "x")
		mustRecv(t, y, "job2")
	}},
	{a: "REQ", b: "REP", run: func(t *testing.T, x, y side) {
		for i := 0; i < 2; i++ {
			x.send(t, b("q"), b("more"))
			mustRecv(t, y, "q", "more")
			y.send(t, b("r"))
			mustRecv(t, x, "r")
		}
	}},
	{a: "REQ", b: "ROUTER", aID: "req", run: func(t *testing.T, x, y side) {
		x.send(t, b("q"))
		mustRecv(t, y, "req", "", "q")
		y.send(t, b("req"), b(""), b("r"))
		mustRecv(t, x, "r")
	}},
	{a: "DEALER", b: "REP", run: func(t *testing.T, x, y side) {
		x.send(t, b(""), b("q"))
		mustRecv(t, y, "q")
		y.send(t, b("r"))
		mustRecv(t, x, "", "r")
	}},
	{a: "DEALER", b: "ROUTER", aID: "dealer", run: func(t *testing.T, x, y side) {
		x.send(t, b("q"), b(""))
		mustRecv(t, y, "dealer", "q", "")
		y.send(t, b("dealer"), b("r"))
		mustRecv(t, x, "r")
	}},
	{a: "DEALER", b: "DEALER", run: func(t *testing.T, x, y side) {
		x.send(t, b("x"))
		mustRecv(t, y, "x")
		y.send(t, b("y"), b("z"))
		mustRecv(t, x, "y", "z")
	}},
	{a: "ROUTER", b: "ROUTER", aID: "ra", bID: "rb", aMand: true, bMand: true, run: func(t *testing.T, x, y side) {
		sendRouted(t, x, b("rb"), b("hello"))
		mustRecv(t, y, "ra", "hello")
		sendRouted(t, y, b("ra"), b("back"))
		mustRecv(t, x, "rb", "back")
	}},
}

func ourOptions(id string, mandatory bool) []socket.Option {
	var o []socket.Option
	if id != "" {
		o = append(o, socket.WithIdentity([]byte(id)))
	}
	if mandatory {
		o = append(o, socket.WithRouterMandatory(true))
	}
	return o
}

func pyOptions(typ, id string, mandatory bool) testpeer.PyOptions {
	o := testpeer.PyOptions{Type: typ}
	if id != "" {
		o.Identity = testpeer.Str(id)
	}
	if mandatory {
		o.Extra = append(o.Extra, "--router-mandatory")
	}
	return o
}

var ipcSeq atomic.Uint64

func bindEndpoint(t *testing.T, transport string) string {
	if transport == "ipc" {
		return fmt.Sprintf("ipc://%s/m%d.sock", t.TempDir(), ipcSeq.Add(1))
	}
	return "tcp://127.0.0.1:*"
}

func newOurs(t *testing.T, typ string, opts ...socket.Option) *socket.Socket {
	t.Helper()
	st, err := socket.ParseType(typ)
	if err != nil {
		t.Fatal(err)
	}
	s, err := socket.New(st, append([]socket.Option{socket.WithLinger(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ourBind(t *testing.T, s *socket.Socket, ep string) string {
	t.Helper()
	if strings.HasPrefix(ep, "tcp://") {
		ep = "tcp://127.0.0.1:0"
	}
	if err := s.Bind(ep); err != nil {
		t.Fatal(err)
	}
	eps := s.Endpoints()
	return eps[len(eps)-1]
}

// TestPyMatrix runs every compatible classic socket pair of RFC 37 against
// libzmq (pyzmq), with our socket on either side, either side binding, over
// tcp and ipc: TestPyMatrix/PAIR-PAIR/ours=PAIR/bind=libzmq/tcp and so on.
func TestPyMatrix(t *testing.T) {
	testpeer.Python(t)
	for _, pr := range matrix {
		t.Run(pr.a+"-"+pr.b, func(t *testing.T) {
			roles := []bool{true, false} // ours is a
			if pr.a == pr.b {
				roles = roles[:1]
			}
			for _, oursIsA := range roles {
				oursType := pr.b
				if oursIsA {
					oursType = pr.a
				}
				for _, bindOurs := range []bool{false, true} {
					for _, tr := range []string{"tcp", "ipc"} {
						bindName := "libzmq"
						if bindOurs {
							bindName = "ours"
						}
						name := "ours=" + oursType + "/bind=" + bindName + "/" + tr
						t.Run(name, func(t *testing.T) {
							t.Parallel()
							runPair(t, pr.a, pr.b, pr.aID, pr.bID, pr.aMand, pr.bMand, oursIsA, bindOurs, tr, pr.run)
						})
					}
				}
			}
		})
	}
}

func runPair(t *testing.T, aType, bType, aID, bID string, aMand, bMand, oursIsA, bindOurs bool, tr string, run conversation) {
	ourType, pyType, ourID, pyID, ourMand, pyMand := aType, bType, aID, bID, aMand, bMand
	if !oursIsA {
		ourType, pyType, ourID, pyID, ourMand, pyMand = bType, aType, bID, aID, bMand, aMand
	}
	s := newOurs(t, ourType, ourOptions(ourID, ourMand)...)
	po := pyOptions(pyType, pyID, pyMand)
	var py *testpeer.Py
	if bindOurs {
		ep := ourBind(t, s, bindEndpoint(t, tr))
		po.Connect = []string{ep}
		py = testpeer.StartPy(t, po)
	} else {
		po.Bind = []string{bindEndpoint(t, tr)}
		py = testpeer.StartPy(t, po)
		if err := s.Connect(py.Endpoint()); err != nil {
			t.Fatal(err)
		}
	}
	var x, y side = ours{s}, theirs{py}
	if !oursIsA {
		x, y = y, x
	}
	run(t, x, y)
}

// TestPyMultipartSizes sends multipart messages with empty frames, empty
// messages and 1 MiB messages both ways.
func TestPyMultipartSizes(t *testing.T) {
	testpeer.Python(t)
	s := newOurs(t, "DEALER")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Bind: []string{"tcp://127.0.0.1:*"}})
	if err := s.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	cases := [][][]byte{
		{{}},
		{{}, {}, {}},
		{b("a"), {}, b("b"), {}},
		{big},
		{big, {}, big},
	}
	o, p := ours{s}, theirs{py}
	for i, c := range cases {
		o.send(t, c...)
		got, ok := p.recv(t, wait)
		if !ok || !slices.EqualFunc(got, c, bytes.Equal) {
			t.Fatalf("case %d ours->libzmq: got %d frames", i, len(got))
		}
		p.send(t, c...)
		got, ok = o.recv(t, wait)
		if !ok || !slices.EqualFunc(got, c, bytes.Equal) {
			t.Fatalf("case %d libzmq->ours: got %d frames", i, len(got))
		}
	}
}

// TestPyIdentities: a libzmq DEALER's identity as seen by our ROUTER, ours
// as seen by a libzmq ROUTER, and generated ids for anonymous peers.
func TestPyIdentities(t *testing.T) {
	testpeer.Python(t)
	t.Run("libzmq-dealer-to-our-router", func(t *testing.T) {
		t.Parallel()
		r := newOurs(t, "ROUTER")
		ep := ourBind(t, r, "tcp://")
		named := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("py-dealer")})
		anon := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}})
		theirs{named}.send(t, b("hi"))
		mustRecv(t, ours{r}, "py-dealer", "hi")
		theirs{anon}.send(t, b("anon"))
		m, ok := ours{r}.recv(t, wait)
		if !ok || len(m) != 2 || len(m[0]) != 5 || m[0][0] != 0 {
			t.Fatalf("anonymous peer's id: %q", m)
		}
		ours{r}.send(t, m[0], b("to-anon"))
		mustRecv(t, theirs{anon}, "to-anon")
		ours{r}.send(t, b("py-dealer"), b("to-named"))
		mustRecv(t, theirs{named}, "to-named")
	})
	t.Run("our-dealer-to-libzmq-router", func(t *testing.T) {
		t.Parallel()
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}})
		d := newOurs(t, "DEALER", socket.WithIdentity(b("go-dealer")))
		if err := d.Connect(py.Endpoint()); err != nil {
			t.Fatal(err)
		}
		ours{d}.send(t, b("hi"))
		mustRecv(t, theirs{py}, "go-dealer", "hi")
		theirs{py}.send(t, b("go-dealer"), b("back"))
		mustRecv(t, ours{d}, "back")
	})
}

// startPyProxy runs zmq.proxy in a pyzmq process: frontend and backend are
// bound on tcp and their endpoints returned.
func startPyProxy(t *testing.T, front, back string) (string, string) {
	t.Helper()
	py := testpeer.Python(t)
	script := fmt.Sprintf(`
import json, sys, zmq
ctx = zmq.Context()
f = ctx.socket(zmq.%s); f.setsockopt(zmq.LINGER, 0); f.bind("tcp://127.0.0.1:*")
b = ctx.socket(zmq.%s); b.setsockopt(zmq.LINGER, 0); b.bind("tcp://127.0.0.1:*")
print(json.dumps([f.getsockopt(zmq.LAST_ENDPOINT).decode(), b.getsockopt(zmq.LAST_ENDPOINT).decode()]), flush=True)
zmq.proxy(f, b)
`, front, back)
	cmd := exec.Command(py, "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var eps []string
	dec := json.NewDecoder(out)
	done := make(chan error, 1)
	go func() { done <- dec.Decode(&eps) }()
	select {
	case err := <-done:
		if err != nil || len(eps) != 2 {
			t.Fatalf("pyzmq proxy did not start: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("pyzmq proxy did not start")
	}
	return eps[0], eps[1]
}

// TestPyBroker runs REQ/REP conversations through a ROUTER/DEALER broker
// built from the other implementation: ours through libzmq's zmq.proxy, and
// libzmq's through our socket.Proxy.
func TestPyBroker(t *testing.T) {
	testpeer.Python(t)
	t.Run("our-req-rep-via-libzmq-broker", func(t *testing.T) {
		t.Parallel()
		front, back := startPyProxy(t, "ROUTER", "DEALER")
		rep := newOurs(t, "REP")
		if err := rep.Connect(back); err != nil {
			t.Fatal(err)
		}
		req := newOurs(t, "REQ")
		if err := req.Connect(front); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			q := fmt.Sprintf("q%d", i)
			ours{req}.send(t, b(q))
			mustRecv(t, ours{rep}, q)
			ours{rep}.send(t, b("re-"+q))
			mustRecv(t, ours{req}, "re-"+q)
		}
	})
	t.Run("libzmq-req-rep-via-our-broker", func(t *testing.T) {
		t.Parallel()
		front := newOurs(t, "ROUTER")
		back := newOurs(t, "DEALER")
		fep := ourBind(t, front, "tcp://")
		bep := ourBind(t, back, "tcp://")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- socket.Proxy(ctx, front, back) }()
		defer func() { cancel(); <-done }()
		rep := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Connect: []string{bep}})
		req := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{fep}})
		for i := 0; i < 3; i++ {
			q := fmt.Sprintf("q%d", i)
			theirs{req}.send(t, b(q))
			mustRecv(t, theirs{rep}, q)
			theirs{rep}.send(t, b("re-"+q))
			mustRecv(t, theirs{req}, "re-"+q)
		}
	})
}

// TestPyXPubXSubProxy puts our XSUB/XPUB relay between libzmq publishers and
// libzmq subscribers: subscriptions flow up through it, messages down.
func TestPyXPubXSubProxy(t *testing.T) {
	testpeer.Python(t)
	pub1 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
	pub2 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
	xsub := newOurs(t, "XSUB")
	for _, p := range []*testpeer.Py{pub1, pub2} {
		if err := xsub.Connect(p.Endpoint()); err != nil {
			t.Fatal(err)
		}
	}
	xpub := newOurs(t, "XPUB")
	ep := ourBind(t, xpub, "tcp://")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- socket.Proxy(ctx, xsub, xpub) }()
	defer func() { cancel(); <-done }()
	subA := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"a"}})
	subB := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"b"}})
	syncSub(t, theirs{pub1}, theirs{subA}, "a")
	syncSub(t, theirs{pub2}, theirs{subB}, "b")
	theirs{pub1}.send(t, b("b-from-1"))
	theirs{pub2}.send(t, b("a-from-2"))
	theirs{pub1}.send(t, b("c-nobody"))
	mustRecv(t, theirs{subB}, "b-from-1")
	mustRecv(t, theirs{subA}, "a-from-2")
	if m, ok := (theirs{subA}).recv(t, 100*time.Millisecond); ok {
		t.Fatalf("subscriber a got %q", m)
	}
}

// TestPyPrefixFiltering checks prefix subscriptions both ways.
func TestPyPrefixFiltering(t *testing.T) {
	testpeer.Python(t)
	check := func(t *testing.T, pub, sub side) {
		sub.subscribe(t, "ab")
		syncSub(t, pub, sub, "ab")
		for _, m := range []string{"a", "ab1", "b", "xab", "ab", ""} {
			pub.send(t, b(m))
		}
		mustRecv(t, sub, "ab1")
		mustRecv(t, sub, "ab")
		if m, ok := sub.recv(t, 100*time.Millisecond); ok {
			t.Fatalf("unsubscribed message %q arrived", m)
		}
	}
	t.Run("libzmq-pub-our-sub", func(t *testing.T) {
		t.Parallel()
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
		s := newOurs(t, "SUB")
		s.Connect(py.Endpoint())
		check(t, theirs{py}, ours{s})
	})
	t.Run("our-pub-libzmq-sub", func(t *testing.T) {
		t.Parallel()
		s := newOurs(t, "PUB")
		ep := ourBind(t, s, "tcp://")
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}})
		check(t, ours{s}, theirs{py})
		// The filtering happened on our side: nothing unmatched was sent.
		if st := s.Stats(); st.Dropped != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "tcp://" + ln.Addr().String()
}

// TestPyReconnect restarts the libzmq peer on the same endpoint: messages
// flow again and our SUB is resubscribed.
func TestPyReconnect(t *testing.T) {
	testpeer.Python(t)
	t.Run("push-to-restarted-pull", func(t *testing.T) {
		t.Parallel()
		ep := freePort(t)
		push := newOurs(t, "PUSH", socket.WithReconnectInterval(20*time.Millisecond))
		py1 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{ep}})
		push.Connect(ep)
		ours{push}.send(t, b("one"))
		mustRecv(t, theirs{py1}, "one")
		py1.Kill()
		waitDisconnected(t, push)
		py2 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{ep}})
		ours{push}.send(t, b("two"))
		mustRecv(t, theirs{py2}, "two")
	})
	t.Run("sub-resubscribes-to-restarted-pub", func(t *testing.T) {
		t.Parallel()
		ep := freePort(t)
		sub := newOurs(t, "SUB", socket.WithReconnectInterval(20*time.Millisecond))
		sub.Subscribe(b("t"))
		py1 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{ep}})
		sub.Connect(ep)
		syncSub(t, theirs{py1}, ours{sub}, "t")
		py1.Kill()
		waitDisconnected(t, sub)
		py2 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{ep}})
		syncSub(t, theirs{py2}, ours{sub}, "t")
		theirs{py2}.send(t, b("u"))
		theirs{py2}.send(t, b("t2"))
		mustRecv(t, ours{sub}, "t2")
	})
}

func waitDisconnected(t *testing.T, s *socket.Socket) {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e := <-s.Monitor():
			if e.Kind == socket.EventDisconnected {
				return
			}
		case <-timer.C:
			t.Fatal("no disconnect event")
		}
	}
}
