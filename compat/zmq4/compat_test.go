package zmq4

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

var epSeq atomic.Uint64

func inproc() string { return fmt.Sprintf("inproc://compat-test-%d", epSeq.Add(1)) }

func newSock(t *testing.T, typ Type) *Socket {
	t.Helper()
	s, err := NewSocket(typ)
	if err != nil {
		t.Fatalf("NewSocket(%v): %v", typ, err)
	}
	s.SetLinger(0)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestErrnoFromSocketErrors(t *testing.T) {
	cases := []struct {
		err  error
		want Errno
	}{
		{nil, 0},
		{socket.ErrWouldBlock, Errno(syscall.EAGAIN)},
		{socket.ErrState, EFSM},
		{socket.ErrHostUnreachable, EHOSTUNREACH},
		{socket.ErrNotSupported, ENOTSUP},
		{socket.ErrAddrInUse, EADDRINUSE},
		{fmt.Errorf("wrapped: %w", ETERM), ETERM},
		{syscall.EINTR, Errno(syscall.EINTR)},
	}
	for _, c := range cases {
		if got := AsErrno(c.err); got != c.want {
			t.Errorf("AsErrno(%v) = %v (%d), want %v (%d)", c.err, got, got, c.want, c.want)
		}
	}
	if ETERM.Error() != "Context was terminated" || Error(int(EFSM)) == "" {
		t.Errorf("texts: %q %q", ETERM.Error(), Error(int(EFSM)))
	}
}

func TestReqRepMultipart(t *testing.T) {
	ep := inproc()
	rep, req := newSock(t, REP), newSock(t, REQ)
	if err := rep.Bind(ep); err != nil {
		t.Fatal(err)
	}
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	if n, err := req.SendMessage("a", []byte("bc"), []string{"d", "e"}, 7); err != nil || n != 6 {
		t.Fatalf("SendMessage = %d, %v", n, err)
	}
	if _, err := req.Send("again", 0); AsErrno(err) != EFSM {
		t.Fatalf("second send on REQ: %v, want EFSM", err)
	}
	first, err := rep.Recv(0)
	if more, _ := rep.GetRcvmore(); err != nil || first != "a" || !more {
		t.Fatalf("Recv = %q %v more=%v", first, err, more)
	}
	rest, err := rep.RecvMessage(0)
	if err != nil || fmt.Sprint(rest) != "[bc d e 7]" {
		t.Fatalf("RecvMessage = %q %v", rest, err)
	}
	if more, _ := rep.GetRcvmore(); more {
		t.Fatal("GetRcvmore after the last frame")
	}
	if _, err := rep.SendMessage("ok"); err != nil {
		t.Fatal(err)
	}
	if got, err := req.RecvMessage(0); err != nil || len(got) != 1 || got[0] != "ok" {
		t.Fatalf("reply = %q %v", got, err)
	}
}

func TestSendCopiesBytes(t *testing.T) {
	ep := inproc()
	pull, push := newSock(t, PULL), newSock(t, PUSH)
	pull.Bind(ep)
	push.Connect(ep)
	buf := []byte("hello")
	if _, err := push.SendBytes(buf, 0); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX")
	if got, err := pull.Recv(0); err != nil || got != "hello" {
		t.Fatalf("Recv = %q %v: Send did not copy", got, err)
	}
}

// TestOptionsRecordedThenLive: options are recorded before the socket is
// made and applied to it afterwards; only the security mechanism, and the
// identity after the first Bind, can no longer change (ENOTSUP).
func TestOptionsRecordedThenLive(t *testing.T) {
	s := newSock(t, PUSH)
	if err := s.SetSndhwm(7); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetSndhwm(); v != 7 || err != nil {
		t.Fatalf("GetSndhwm = %d %v", v, err)
	}
	if err := s.Bind(inproc()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	hwm := s.s.SendHWM()
	s.mu.Unlock()
	if hwm != 7 {
		t.Fatalf("socket's SNDHWM after Bind = %d, want 7", hwm)
	}
	if err := s.SetSndhwm(9); err != nil {
		t.Fatalf("SetSndhwm after Bind = %v", err)
	}
	if err := s.SetLinger(0); err != nil {
		t.Fatalf("SetLinger after Bind = %v", err)
	}
	s.mu.Lock()
	hwm, linger := s.s.SendHWM(), s.s.Linger()
	s.mu.Unlock()
	if hwm != 9 || linger != 0 {
		t.Fatalf("socket's SNDHWM, LINGER after SetSndhwm(9), SetLinger(0) = %d, %v", hwm, linger)
	}
	if v, _ := s.GetSndhwm(); v != 9 {
		t.Fatalf("GetSndhwm = %d, want 9", v)
	}
	if err := s.SetSndhwm(-1); AsErrno(err) != Errno(syscall.EINVAL) {
		t.Fatalf("SetSndhwm(-1) = %v, want EINVAL", err)
	}
	if err := s.SetRcvtimeo(time.Millisecond); err != nil {
		t.Fatalf("SetRcvtimeo after Bind = %v", err)
	}
	if err := s.SetPlainServer(1); AsErrno(err) != ENOTSUP {
		t.Fatalf("SetPlainServer after Bind = %v, want ENOTSUP", err)
	}
	if m, _ := s.GetMechanism(); m != NULL {
		t.Fatalf("mechanism after a refused SetPlainServer = %v", m)
	}
	if err := s.SetIdentity("late"); AsErrno(err) != ENOTSUP {
		t.Fatalf("SetIdentity after Bind = %v, want ENOTSUP", err)
	}
	if err := s.SetIdentity(""); AsErrno(err) != Errno(syscall.EINVAL) {
		t.Fatalf("empty identity = %v", err)
	}
}

func TestUnsupportedIsAnError(t *testing.T) {
	s := newSock(t, PULL)
	for name, err := range map[string]error{
		"SetGssapiServer":      s.SetGssapiServer(true),
		"SetInvertMatching(1)": s.SetInvertMatching(1),
		"SetTcpMaxrt(1s)":      s.SetTcpMaxrt(time.Second),
	} {
		if AsErrno(err) != ENOTSUP {
			t.Errorf("%s = %v, want ENOTSUP", name, err)
		}
	}
	if err := s.SetConflate(false); err != nil {
		t.Errorf("SetConflate(false) = %v", err)
	}
	if _, err := s.GetFd(); AsErrno(err) != ENOTSUP {
		t.Errorf("GetFd = %v", err)
	}
}

// RecvWithMetadata answers what the message's connection established and
// leaves out what it has not, as pebbe/zmq4 does with zmq_msg_gets.
func TestRecvWithMetadata(t *testing.T) {
	s := newSock(t, PULL)
	ep := inproc()
	s.Bind(ep)
	push := newSock(t, PUSH)
	push.Connect(ep)
	push.Send("m", 0)
	got, md, err := s.RecvWithMetadata(0, "Socket-Type", "Peer-Address")
	if got != "m" || err != nil {
		t.Fatalf("RecvWithMetadata = %q, %v", got, err)
	}
	if md["Socket-Type"] != "PUSH" {
		t.Errorf("Socket-Type = %q, want PUSH", md["Socket-Type"])
	}
	if v, ok := md["Peer-Address"]; ok {
		t.Errorf("Peer-Address = %q over inproc, want none", v)
	}
}

// CONFLATE, XPUB_WELCOME_MSG and CONNECT_ROUTING_ID through the compat
// setters.
func TestExtOptions(t *testing.T) {
	pull := newSock(t, PULL)
	if err := pull.SetConflate(true); err != nil {
		t.Fatal(err)
	}
	ep := inproc()
	pull.Bind(ep)
	push := newSock(t, PUSH)
	push.Connect(ep)
	for _, m := range []string{"1", "2", "3"} {
		push.Send(m, 0)
	}
	if got, err := pull.Recv(0); got != "3" || err != nil {
		t.Fatalf("conflating PULL got %q, %v; want 3", got, err)
	}

	xpub := newSock(t, XPUB)
	if err := xpub.SetXpubWelcomeMsg("hi"); err != nil {
		t.Fatal(err)
	}
	ep2 := inproc()
	xpub.Bind(ep2)
	sub := newSock(t, SUB)
	sub.SetSubscribe("h")
	sub.Connect(ep2)
	sub.SetRcvtimeo(5 * time.Second)
	if got, err := sub.Recv(0); got != "hi" || err != nil {
		t.Fatalf("SUB got %q, %v; want the welcome", got, err)
	}

	srv := newSock(t, ROUTER)
	ep3 := inproc()
	srv.Bind(ep3)
	cli := newSock(t, ROUTER)
	if err := cli.SetConnectRid("srv"); err != nil {
		t.Fatal(err)
	}
	cli.SetIdentity("cli")
	cli.Connect(ep3)
	if _, err := cli.SendMessage("srv", "x"); err != nil {
		t.Fatal(err)
	}
	srv.SetRcvtimeo(5 * time.Second)
	if got, err := srv.RecvMessage(0); err != nil || len(got) != 2 || got[0] != "cli" || got[1] != "x" {
		t.Fatalf("server got %q, %v", got, err)
	}
}

func TestRecvTimeoutIsEAGAIN(t *testing.T) {
	s := newSock(t, PULL)
	s.SetRcvtimeo(20 * time.Millisecond)
	s.Bind(inproc())
	if _, err := s.Recv(0); AsErrno(err) != Errno(syscall.EAGAIN) {
		t.Fatalf("Recv = %v, want EAGAIN", err)
	}
	if _, err := s.Recv(DONTWAIT); AsErrno(err) != Errno(syscall.EAGAIN) {
		t.Fatalf("Recv(DONTWAIT) = %v, want EAGAIN", err)
	}
}

func TestTermEndsBlockedRecv(t *testing.T) {
	ctx, _ := NewContext()
	s, _ := ctx.NewSocket(PULL)
	s.SetLinger(0)
	s.Bind(inproc())
	got := make(chan error, 1)
	go func() {
		_, err := s.Recv(0)
		got <- err
		s.Close()
	}()
	time.Sleep(20 * time.Millisecond)
	if err := ctx.Term(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != ETERM {
		t.Fatalf("blocked Recv = %v, want ETERM", err)
	}
	if _, err := ctx.NewSocket(PUSH); err != ETERM {
		t.Fatalf("NewSocket after Term = %v", err)
	}
}

func TestPollerKeepsOrder(t *testing.T) {
	ep := inproc()
	pull, push := newSock(t, PULL), newSock(t, PUSH)
	pull.Bind(ep)
	push.Connect(ep)
	p := NewPoller()
	p.Add(pull, POLLIN)
	if res, err := p.Poll(10 * time.Millisecond); err != nil || len(res) != 0 {
		t.Fatalf("Poll on empty = %v %v", res, err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		for i := 0; i < 3; i++ {
			push.Send(fmt.Sprint(i), 0)
		}
	}()
	res, err := p.Poll(time.Second)
	if err != nil || len(res) != 1 || res[0].Events != POLLIN {
		t.Fatalf("Poll = %v %v", res, err)
	}
	for i := 0; i < 3; i++ {
		if got, err := pull.Recv(0); err != nil || got != fmt.Sprint(i) {
			t.Fatalf("Recv %d = %q %v", i, got, err)
		}
	}
}

func TestZ85AndKeys(t *testing.T) {
	raw := "\x86\x4f\xd2\x6f\xb5\x59\xf7\x5b"
	if enc := Z85encode(raw); enc != "HelloWorld" || Z85decode(enc) != raw {
		t.Fatalf("Z85: %q", enc)
	}
	pub, sec, err := NewCurveKeypair()
	if err != nil || len(pub) != 40 || len(sec) != 40 {
		t.Fatal(pub, sec, err)
	}
	if derived, err := AuthCurvePublic(sec); err != nil || derived != pub {
		t.Fatalf("AuthCurvePublic = %q %v, want %q", derived, err, pub)
	}
}

func TestAuthenticatorPlain(t *testing.T) {
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	defer AuthStop()
	AuthPlainAdd("dom", "admin", "secret")
	server := newSock(t, PULL)
	server.ServerAuthPlain("dom")
	server.SetRcvtimeo(300 * time.Millisecond)
	if err := server.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := server.GetLastEndpoint()
	for _, c := range []struct {
		pass string
		ok   bool
	}{{"wrong", false}, {"secret", true}} {
		client := newSock(t, PUSH)
		client.ClientAuthPlain("admin", c.pass)
		client.Connect(ep)
		client.Send(c.pass, DONTWAIT)
		got, err := server.Recv(0)
		if c.ok && (err != nil || got != c.pass) {
			t.Errorf("password %q: Recv = %q %v, want admitted", c.pass, got, err)
		}
		if !c.ok && err == nil {
			t.Errorf("password %q: Recv = %q, want refused", c.pass, got)
		}
		client.Close()
	}
}

func TestMonitorEvents(t *testing.T) {
	s := newSock(t, PULL)
	mon := inproc()
	if err := s.Monitor(mon, EVENT_LISTENING|EVENT_CLOSED); err != nil {
		t.Fatal(err)
	}
	r := newSock(t, PAIR)
	r.Connect(mon)
	r.SetRcvtimeo(time.Second)
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := s.GetLastEndpoint()
	ev, addr, _, err := r.RecvEvent(0)
	if err != nil || ev != EVENT_LISTENING || addr != ep {
		t.Fatalf("RecvEvent = %v %q %v, want EVENT_LISTENING %q", ev, addr, err, ep)
	}
	s.Close()
	ev, addr, _, err = r.RecvEvent(0)
	if err != nil || ev != EVENT_CLOSED || addr != ep {
		t.Fatalf("RecvEvent = %v %q %v, want EVENT_CLOSED %q", ev, addr, err, ep)
	}
}

func TestClosedSocket(t *testing.T) {
	s, _ := NewSocket(PAIR)
	s.Close()
	if err := s.Close(); !errors.Is(err, ErrorSocketClosed) {
		t.Fatalf("second Close = %v", err)
	}
	if _, err := s.Send("x", 0); !errors.Is(err, ErrorSocketClosed) {
		t.Fatalf("Send after Close = %v", err)
	}
}
