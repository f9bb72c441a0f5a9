package zmq4

import (
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPollerTakesNothing: a poll reports POLLIN without taking the message
// off the socket (polling twice says the same, and the socket's own
// readiness still holds), and a blocked poll runs no goroutine of its own.
func TestPollerTakesNothing(t *testing.T) {
	ep := inproc()
	pull, push := newSock(t, PULL), newSock(t, PUSH)
	pull.Bind(ep)
	push.Connect(ep)
	p := NewPoller()
	p.Add(pull, POLLIN)

	before := runtime.NumGoroutine()
	done := make(chan []Polled, 1)
	go func() { r, _ := p.Poll(5 * time.Second); done <- r }()
	time.Sleep(50 * time.Millisecond)
	if n := runtime.NumGoroutine(); n > before+1 {
		t.Errorf("goroutines while one poll waits: %d, want at most %d (the poller's caller only)", n, before+1)
	}
	push.Send("one", 0)
	if r := <-done; len(r) != 1 || r[0].Events != POLLIN {
		t.Fatalf("Poll = %v", r)
	}
	for i := 0; i < 2; i++ {
		if r, err := p.Poll(0); err != nil || len(r) != 1 || r[0].Events != POLLIN {
			t.Fatalf("Poll %d = %v %v", i, r, err)
		}
	}
	if st, err := pull.GetEvents(); err != nil || st&POLLIN == 0 {
		t.Fatalf("GetEvents = %v %v", st, err)
	}
	if got, err := pull.Recv(0); got != "one" || err != nil {
		t.Fatalf("Recv = %q %v", got, err)
	}
	if r, err := p.Poll(0); err != nil || len(r) != 0 {
		t.Fatalf("Poll after the only message was read = %v %v", r, err)
	}
}

// TestPollerRestOfMessage: after reading the first frame of a two-frame
// message, the rest is POLLIN though nothing is left on the socket.
func TestPollerRestOfMessage(t *testing.T) {
	ep := inproc()
	pull, push := newSock(t, PULL), newSock(t, PUSH)
	pull.Bind(ep)
	push.Connect(ep)
	push.SendMessage("a", "b")
	p := NewPoller()
	p.Add(pull, POLLIN)
	if r, err := p.Poll(time.Second); err != nil || len(r) != 1 {
		t.Fatalf("Poll = %v %v", r, err)
	}
	pull.Recv(0)
	if r, err := p.PollAll(0); err != nil || len(r) != 1 || r[0].Events != POLLIN {
		t.Fatalf("PollAll with a frame left = %v %v", r, err)
	}
	if f, err := pull.Recv(0); f != "b" || err != nil {
		t.Fatalf("second frame %q %v", f, err)
	}
}

// TestPollerTermIsETERM: Term ends a poll that waits without limit.
func TestPollerTermIsETERM(t *testing.T) {
	ctx, _ := NewContext()
	s, _ := ctx.NewSocket(PULL)
	s.SetLinger(0)
	s.Bind(inproc())
	p := NewPoller()
	p.Add(s, POLLIN)
	got := make(chan error, 1)
	go func() {
		_, err := p.Poll(-1)
		got <- err
		s.Close()
	}()
	time.Sleep(20 * time.Millisecond)
	ctx.Term()
	if err := <-got; err != ETERM {
		t.Fatalf("Poll during Term = %v, want ETERM", err)
	}
}

// TestLazyPirateReqRelaxedCorrelate: a REQ with REQ_RELAXED and
// REQ_CORRELATE polls for the reply with a timeout, gives up on a request
// the server ignores, sends again on the same socket, and takes only the
// reply to its latest request (a late reply to the first is dropped).
func TestLazyPirateReqRelaxedCorrelate(t *testing.T) {
	ep := inproc()
	router, req := newSock(t, ROUTER), newSock(t, REQ)
	router.Bind(ep)
	for _, set := range []error{req.SetReqRelaxed(1), req.SetReqCorrelate(1)} {
		if set != nil {
			t.Fatal(set)
		}
	}
	req.Connect(ep)
	req.Send("first", 0)
	first, err := router.RecvMessageBytes(0) // id, request id, "", "first"
	if err != nil || len(first) != 4 || string(first[3]) != "first" {
		t.Fatalf("router got %q %v", first, err)
	}
	p := NewPoller()
	p.Add(req, POLLIN)
	if r, err := p.Poll(30 * time.Millisecond); err != nil || len(r) != 0 {
		t.Fatalf("Poll with no reply = %v %v", r, err)
	}
	if _, err := req.Send("second", 0); err != nil {
		t.Fatalf("second Send on a relaxed REQ = %v", err)
	}
	second, err := router.RecvMessageBytes(0)
	if err != nil || len(second) != 4 || string(second[3]) != "second" {
		t.Fatalf("router got %q %v", second, err)
	}
	router.SendMessage(first[:3], "late reply to first")
	router.SendMessage(second[:3], "reply to second")
	if r, err := p.Poll(time.Second); err != nil || len(r) != 1 {
		t.Fatalf("Poll = %v %v", r, err)
	}
	if got, err := req.Recv(0); got != "reply to second" || err != nil {
		t.Fatalf("REQ got %q %v", got, err)
	}

	strict := newSock(t, REQ)
	strict.Connect(ep)
	strict.Send("x", 0)
	if _, err := strict.Send("y", 0); err != EFSM {
		t.Fatalf("second Send on a strict REQ = %v, want EFSM", err)
	}
}

// TestTCPOptions: the TCP options are taken, reported back, checked, and a
// connection made with them carries messages.
func TestTCPOptions(t *testing.T) {
	srv, cli := newSock(t, PULL), newSock(t, PUSH)
	for _, s := range []*Socket{srv, cli} {
		for name, err := range map[string]error{
			"SetTcpKeepalive": s.SetTcpKeepalive(1), "SetTcpKeepaliveIdle": s.SetTcpKeepaliveIdle(30),
			"SetTcpKeepaliveIntvl": s.SetTcpKeepaliveIntvl(5), "SetTcpKeepaliveCnt": s.SetTcpKeepaliveCnt(4),
			"SetTos": s.SetTos(0x10), "SetSndbuf": s.SetSndbuf(1 << 16), "SetRcvbuf": s.SetRcvbuf(1 << 16),
		} {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	for name, got := range map[string]func() (int, error){
		"keepalive": srv.GetTcpKeepalive, "idle": srv.GetTcpKeepaliveIdle, "intvl": srv.GetTcpKeepaliveIntvl,
		"cnt": srv.GetTcpKeepaliveCnt, "tos": srv.GetTos, "sndbuf": srv.GetSndbuf, "rcvbuf": srv.GetRcvbuf,
	} {
		want := map[string]int{"keepalive": 1, "idle": 30, "intvl": 5, "cnt": 4, "tos": 0x10, "sndbuf": 1 << 16, "rcvbuf": 1 << 16}[name]
		if v, err := got(); v != want || err != nil {
			t.Errorf("Get %s = %d %v, want %d", name, v, err, want)
		}
	}
	einval := Errno(syscall.EINVAL)
	for name, err := range map[string]error{
		"SetTcpKeepalive(2)": cli.SetTcpKeepalive(2), "SetTos(256)": cli.SetTos(256),
		"SetSndbuf(-2)": cli.SetSndbuf(-2), "SetTcpKeepaliveCnt(128)": cli.SetTcpKeepaliveCnt(128),
	} {
		if err != einval {
			t.Errorf("%s = %v, want EINVAL", name, err)
		}
	}
	srv.SetRcvtimeo(5 * time.Second)
	if err := srv.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := srv.GetLastEndpoint()
	if err := cli.Connect(ep); err != nil {
		t.Fatal(err)
	}
	cli.Send("over tcp", 0)
	if got, err := srv.Recv(0); got != "over tcp" || err != nil {
		t.Fatalf("Recv = %q %v", got, err)
	}
}

// TestIpv6DualStack: with IPV6 set, tcp://* is reached over ::1 and
// 127.0.0.1 alike.
func TestIpv6DualStack(t *testing.T) {
	srv := newSock(t, PULL)
	if err := srv.SetIpv6(true); err != nil {
		t.Fatal(err)
	}
	srv.SetRcvtimeo(5 * time.Second)
	if err := srv.Bind("tcp://*:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := srv.GetLastEndpoint()
	port := ep[strings.LastIndexByte(ep, ':')+1:]
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		cli := newSock(t, PUSH)
		if err := cli.Connect(fmt.Sprintf("tcp://%s:%s", host, port)); err != nil {
			t.Fatal(err)
		}
		cli.Send("via "+host, 0)
		if got, err := srv.Recv(0); got != "via "+host || err != nil {
			t.Fatalf("Recv via %s = %q %v", host, got, err)
		}
	}
}

// TestTimeoutsChangeLive: RCVTIMEO set after the socket is made bounds the
// next Recv; 0 makes it return at once.
func TestTimeoutsChangeLive(t *testing.T) {
	s := newSock(t, PULL)
	if err := s.Bind(inproc()); err != nil {
		t.Fatal(err)
	}
	eagain := Errno(syscall.EAGAIN)
	s.SetRcvtimeo(30 * time.Millisecond)
	start := time.Now()
	if _, err := s.Recv(0); err != eagain {
		t.Fatalf("Recv = %v, want EAGAIN", err)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Fatalf("Recv returned after %v, before its 30ms RCVTIMEO", waited)
	}
	s.SetRcvtimeo(0)
	if _, err := s.Recv(0); err != eagain {
		t.Fatalf("Recv with RCVTIMEO 0 = %v, want EAGAIN", err)
	}
	push := newSock(t, PUSH)
	push.SetSndtimeo(0)
	if _, err := push.Send("nobody", 0); err != eagain {
		t.Fatalf("Send with no peer and SNDTIMEO 0 = %v, want EAGAIN", err)
	}
}
