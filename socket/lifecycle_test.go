package socket

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// freeTCPEndpoint binds port 0 and returns the endpoint after releasing it,
// for tests that must rebind the same port.
func freeTCPEndpoint(t *testing.T) string {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + ln.Addr().String()
	ln.Close()
	return ep
}

func TestReconnectAfterPeerRestart(t *testing.T) {
	ep := freeTCPEndpoint(t)
	push := newSock(t, Push, WithReconnectInterval(20*time.Millisecond))
	connectTo(t, push, ep)
	pull1 := newSock(t, Pull)
	if err := pull1.Bind(ep); err != nil {
		t.Fatal(err)
	}
	send(t, push, "one")
	expect(t, pull1, "one")
	pull1.Close()
	waitEvent(t, push, EventDisconnected, 5*time.Second)

	pull2 := newSock(t, Pull)
	if err := pull2.Bind(ep); err != nil {
		t.Fatal(err)
	}
	send(t, push, "two")
	expect(t, pull2, "two")
}

func TestSubResubscribesOnReconnect(t *testing.T) {
	ep := freeTCPEndpoint(t)
	sub := newSock(t, Sub, WithReconnectInterval(20*time.Millisecond))
	connectTo(t, sub, ep)
	sub.Subscribe([]byte("t"))
	pub1 := newSock(t, Pub)
	if err := pub1.Bind(ep); err != nil {
		t.Fatal(err)
	}
	syncSub(t, pub1, sub, "t-1")
	pub1.Close()
	waitEvent(t, sub, EventDisconnected, 5*time.Second)

	pub2 := newSock(t, Pub)
	if err := pub2.Bind(ep); err != nil {
		t.Fatal(err)
	}
	syncSub(t, pub2, sub, "t-2") // only arrives if sub resubscribed
	send(t, pub2, "x-unsubscribed")
	send(t, pub2, "t-3")
	expect(t, sub, "t-3")
}

func TestReconnectBackoff(t *testing.T) {
	ep := freeTCPEndpoint(t) // nobody listens
	push := newSock(t, Push, WithReconnectInterval(10*time.Millisecond), WithReconnectIntervalMax(80*time.Millisecond))
	connectTo(t, push, ep)
	var times []time.Time
	for len(times) < 6 {
		e := waitEvent(t, push, EventConnectDelayed, 5*time.Second)
		times = append(times, e.Time)
	}
	first := times[1].Sub(times[0])
	last := times[5].Sub(times[4])
	if last < 3*first || last < 60*time.Millisecond {
		t.Fatalf("no exponential backoff: first gap %v, last gap %v", first, last)
	}
}

func TestQueueBeforeConnect(t *testing.T) {
	for _, tr := range []string{"tcp", "inproc"} {
		t.Run(tr, func(t *testing.T) {
			var ep string
			if tr == "tcp" {
				ep = freeTCPEndpoint(t)
			} else {
				ep = endpointFor(t, "inproc")
			}
			push := newSock(t, Push, WithReconnectInterval(10*time.Millisecond))
			connectTo(t, push, ep) // the peer does not exist yet
			for _, m := range []string{"1", "2", "3"} {
				if err := push.TrySend(NewMsg([]byte(m))); err != nil {
					t.Fatalf("queueing for a connecting peer: %v", err)
				}
			}
			pull := newSock(t, Pull)
			if err := pull.Bind(ep); err != nil {
				t.Fatal(err)
			}
			expect(t, pull, "1")
			expect(t, pull, "2")
			expect(t, pull, "3")
		})
	}
}

func TestImmediateDoesNotQueue(t *testing.T) {
	push := newSock(t, Push, WithImmediate(true))
	connectTo(t, push, freeTCPEndpoint(t))
	if err := push.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("Immediate PUSH without a connection: %v, want ErrWouldBlock", err)
	}
}

func TestInprocConnectBeforeBindAndHWM(t *testing.T) {
	ep := endpointFor(t, "inproc")
	req := newSock(t, Req)
	connectTo(t, req, ep)
	done := make(chan error, 1)
	go func() { done <- req.Send(context.Background(), NewMsg([]byte("early"))) }()
	rep := newSock(t, Rep)
	if err := rep.Bind(ep); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	expect(t, rep, "early")
	send(t, rep, "answer")
	expect(t, req, "answer")

	// Bound first: the pipe's HWM is the sum of both sides' settings.
	ep2 := endpointFor(t, "inproc")
	pull := newSock(t, Pull, WithRecvHWM(3))
	if err := pull.Bind(ep2); err != nil {
		t.Fatal(err)
	}
	push := newSock(t, Push, WithSendHWM(2))
	connectTo(t, push, ep2)
	n := 0
	for push.TrySend(NewMsg([]byte("x"))) == nil {
		n++
	}
	if n != 5 {
		t.Fatalf("inproc pipe took %d messages, want 2+3", n)
	}
	// Unlimited if either side is.
	ep3 := endpointFor(t, "inproc")
	pull3 := newSock(t, Pull, WithRecvHWM(0))
	pull3.Bind(ep3)
	push3 := newSock(t, Push, WithSendHWM(1))
	connectTo(t, push3, ep3)
	for i := 0; i < 5000; i++ {
		if err := push3.TrySend(NewMsg([]byte("x"))); err != nil {
			t.Fatalf("unlimited inproc pipe refused message %d: %v", i, err)
		}
	}
}

func TestInprocIncompatibleTypes(t *testing.T) {
	ep := endpointFor(t, "inproc")
	pub := newSock(t, Pub)
	pub.Bind(ep)
	push := newSock(t, Push)
	connectTo(t, push, ep)
	e := waitEvent(t, push, EventHandshakeFailed, time.Second)
	if !errors.Is(e.Err, zmtp.ErrIncompatibleSocketType) {
		t.Fatalf("event err %v", e.Err)
	}
	if pub.Stats().Peers != 0 {
		t.Fatal("incompatible peer attached")
	}
}

func TestLingerFlushesOnClose(t *testing.T) {
	pull := newSock(t, Pull)
	ep := bindAt(t, pull, "tcp")
	push, err := New(Push, WithLinger(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	connectTo(t, push, ep)
	big := bytes.Repeat([]byte("z"), 100<<10)
	for i := 0; i < 50; i++ {
		if err := push.Send(ctxT(t, 5*time.Second), NewMsg(big)); err != nil {
			t.Fatal(err)
		}
	}
	push.Close()
	for i := 0; i < 50; i++ {
		m, err := pull.Recv(ctxT(t, 5*time.Second))
		if err != nil || len(m.Frames[0]) != len(big) {
			t.Fatalf("message %d after Close: %v", i, err)
		}
	}
}

func TestLingerZeroDoesNotWaitForSlowPeer(t *testing.T) {
	// A peer that handshakes and then never reads: with linger 0 Close
	// must return at once even with a big backlog.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stuck := make(chan struct{})
	defer close(stuck)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: "PULL"})
		<-stuck
	}()
	push, _ := New(Push, WithLinger(0), WithSendHWM(0))
	connectTo(t, push, "tcp://"+ln.Addr().String())
	big := bytes.Repeat([]byte("z"), 1<<20)
	for i := 0; i < 64; i++ {
		push.Send(context.Background(), NewMsg(big))
	}
	start := time.Now()
	push.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close with linger 0 took %v", d)
	}
}

func TestDisconnectAndUnbind(t *testing.T) {
	pull := newSock(t, Pull)
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push)
	connectTo(t, push, ep)
	send(t, push, "a")
	expect(t, pull, "a")
	if err := push.Disconnect(ep); err != nil {
		t.Fatal(err)
	}
	if err := push.Disconnect(ep); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("second Disconnect: %v", err)
	}
	if err := push.TrySend(NewMsg([]byte("x"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("Send after Disconnect: %v", err)
	}
	if err := pull.Unbind(ep); err != nil {
		t.Fatal(err)
	}
	if len(pull.Endpoints()) != 0 {
		t.Fatal("endpoint still listed")
	}
	if err := pull.Unbind(ep); !errors.Is(err, ErrNotBound) {
		t.Fatalf("second Unbind: %v", err)
	}
	// The port is free again.
	other := newSock(t, Pull)
	if err := other.Bind(ep); err != nil {
		t.Fatalf("rebind after Unbind: %v", err)
	}
}

func TestBadEndpoints(t *testing.T) {
	s := newSock(t, Pair)
	for _, ep := range []string{
		"", "tcp", "tcp://", "tcp://localhost", "tcp://:5555", "tcp://127.0.0.1:99999",
		"tcp://127.0.0.1:port", "udp://127.0.0.1:5", "ipc://", "inproc://", "tcp://a;b:1",
	} {
		err := s.Bind(ep)
		var ee *EndpointError
		if !errors.Is(err, ErrBadEndpoint) || !errors.As(err, &ee) {
			t.Errorf("Bind(%q) = %v, want ErrBadEndpoint", ep, err)
		}
		if err := s.Connect(ep); !errors.Is(err, ErrBadEndpoint) {
			t.Errorf("Connect(%q) = %v, want ErrBadEndpoint", ep, err)
		}
	}
	for _, ep := range []string{"tcp://*:5555", "tcp://127.0.0.1:0", "tcp://127.0.0.1:*", "ipc://*"} {
		if err := s.Connect(ep); !errors.Is(err, ErrBadEndpoint) {
			t.Errorf("Connect(%q) = %v, want ErrBadEndpoint", ep, err)
		}
	}
	e := waitEvent(t, s, EventBindFailed, time.Second)
	if !errors.Is(e.Err, ErrBadEndpoint) {
		t.Fatalf("event %v", e)
	}
	// In use.
	ep := bindAt(t, s, "tcp")
	if err := newSock(t, Pair).Bind(ep); !errors.Is(err, ErrAddrInUse) {
		t.Errorf("binding a used port: %v", err)
	}
	iep := endpointFor(t, "inproc")
	s.Bind(iep)
	if err := newSock(t, Pair).Bind(iep); !errors.Is(err, ErrAddrInUse) {
		t.Errorf("binding a used inproc name: %v", err)
	}
}

func TestEndpointsResolved(t *testing.T) {
	s := newSock(t, Pull)
	if err := s.Bind("tcp://*:*"); err != nil {
		t.Fatal(err)
	}
	eps := s.Endpoints()
	if len(eps) != 1 || !strings.HasPrefix(eps[0], "tcp://0.0.0.0:") || strings.HasSuffix(eps[0], ":0") {
		t.Fatalf("endpoints %v", eps)
	}
	if err := s.Bind("tcp://[::1]:0"); err == nil {
		ep6 := s.Endpoints()[1]
		if !strings.HasPrefix(ep6, "tcp://[::1]:") {
			t.Fatalf("ipv6 endpoint %q", ep6)
		}
		push := newSock(t, Push)
		connectTo(t, push, ep6)
		send(t, push, "v6")
		expect(t, s, "v6")
	} else if !strings.Contains(err.Error(), "address") {
		t.Fatalf("bind [::1]: %v", err)
	}
	if err := s.Bind("ipc://*"); err != nil {
		t.Fatal(err)
	}
	ipc := s.Endpoints()[len(s.Endpoints())-1]
	push := newSock(t, Push)
	connectTo(t, push, ipc)
	send(t, push, "ipc")
	expect(t, s, "ipc")
	dir := filepath.Dir(strings.TrimPrefix(ipc, "ipc://"))
	if err := s.Unbind(ipc); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("generated ipc directory left behind: %v", err)
	}
}

func TestIPCStaleAndLiveSocketFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	// A stale file: a listener closed without unlinking, as a killed
	// process leaves it.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal("stale socket file missing")
	}
	a := newSock(t, Pull)
	if err := a.Bind("ipc://" + path); err != nil {
		t.Fatalf("bind over a stale socket file: %v", err)
	}
	b := newSock(t, Pull)
	if err := b.Bind("ipc://" + path); !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("bind over a live socket: %v", err)
	}
	plain := filepath.Join(t.TempDir(), "file")
	os.WriteFile(plain, []byte("x"), 0o600)
	if err := b.Bind("ipc://" + plain); err == nil {
		t.Fatal("bind over a regular file succeeded")
	}
	if _, err := os.Stat(plain); err != nil {
		t.Fatal("regular file was removed")
	}
}

func TestAbstractIPC(t *testing.T) {
	if _, err := parseEndpoint("ipc://@x", true); err != nil {
		t.Skipf("abstract ipc unsupported here: %v", err)
	}
	pull := newSock(t, Pull)
	ep := "ipc://@purezmq-test-" + strings.ReplaceAll(t.Name(), "/", "-")
	if err := pull.Bind(ep); err != nil {
		t.Fatal(err)
	}
	push := newSock(t, Push)
	connectTo(t, push, ep)
	send(t, push, "abstract")
	expect(t, pull, "abstract")
}

func TestBadOptions(t *testing.T) {
	cases := []Option{
		WithIdentity(nil), WithIdentity([]byte{0, 1}), WithIdentity(make([]byte, 256)),
		WithSendHWM(-1), WithRecvHWM(-1), WithReconnectInterval(0), WithReconnectIntervalMax(-1),
		WithHandshakeInterval(0), WithMaxMsgSize(-2), WithHeartbeat(-1, 0, 0), WithLogger(nil),
	}
	for i, o := range cases {
		_, err := New(Pair, o)
		var oe *OptionError
		if !errors.Is(err, ErrBadOption) || !errors.As(err, &oe) {
			t.Errorf("case %d: %v, want ErrBadOption", i, err)
		}
	}
	if _, err := New(Pair, WithPlainClient("u", "p"), WithPlainServer(func(u, p string) (string, error) { return u, nil })); !errors.Is(err, ErrBadOption) {
		t.Errorf("client and server: %v", err)
	}
	if _, err := New(Type(99)); !errors.Is(err, ErrBadType) {
		t.Errorf("bad type: %v", err)
	}
	if _, err := New(Pub, WithRetention(Retention{TTL: -time.Hour})); !errors.Is(err, ErrBadOption) {
		t.Errorf("retention: %v", err)
	}
	if _, err := New(Pub, WithSwap(1<<20, "/nonexistent/purezmq-swap")); !errors.Is(err, ErrBadOption) {
		t.Errorf("swap dir: %v", err)
	}
	if _, err := New(Pub, WithSwap(0, t.TempDir())); !errors.Is(err, ErrBadOption) {
		t.Errorf("swap budget: %v", err)
	}
	if _, err := ParseType("bogus"); !errors.Is(err, ErrBadType) {
		t.Errorf("ParseType: %v", err)
	}
	for i := Pair; i <= Router; i++ {
		if got, err := ParseType(strings.ToLower(i.String())); err != nil || got != i {
			t.Errorf("ParseType(%s) = %v, %v", i, got, err)
		}
	}
}
