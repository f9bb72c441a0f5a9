package zmq4

import (
	"fmt"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// Programs written against pebbe/zmq4's API, on this package, talking to
// libzmq peers (pyzmq) in both roles. Missing pyzmq skips locally and fails
// under PUREZMQ_INTEROP=required.

// TestPyReqToLibzmqRep: our REQ (connect) against a libzmq REP (bind).
func TestPyReqToLibzmqRep(t *testing.T) {
	testpeer.Python(t)
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"}})
	echoed := make(chan error, 1)
	go func() { echoed <- py.Echo(3, 10*time.Second) }()
	req := newSock(t, REQ)
	req.SetRcvtimeo(10 * time.Second)
	if err := req.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		want := []string{fmt.Sprint("hello ", i), "", "world"}
		if _, err := req.SendMessage(want); err != nil {
			t.Fatal(err)
		}
		got, err := req.RecvMessage(0)
		if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("round %d: RecvMessage = %q %v, want %q", i, got, err, want)
		}
	}
	if err := <-echoed; err != nil {
		t.Fatal("pyzmq echo:", err)
	}
}

// TestPyLibzmqReqToRep: a libzmq REQ (connect) against our REP (bind), read
// through a Poller and answered frame by frame with SNDMORE.
func TestPyLibzmqReqToRep(t *testing.T) {
	testpeer.Python(t)
	rep := newSock(t, REP)
	if err := rep.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := rep.GetLastEndpoint()
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}})
	if err := py.Send([]byte("ping"), []byte("two")); err != nil {
		t.Fatal(err)
	}
	p := NewPoller()
	p.Add(rep, POLLIN)
	if res, err := p.Poll(10 * time.Second); err != nil || len(res) != 1 || res[0].Events&POLLIN == 0 {
		t.Fatalf("Poll = %v %v", res, err)
	}
	got, err := rep.RecvMessage(0)
	if err != nil || len(got) != 2 || got[0] != "ping" || got[1] != "two" {
		t.Fatalf("RecvMessage = %q %v", got, err)
	}
	if ev, _ := rep.GetEvents(); ev&POLLOUT == 0 {
		t.Fatalf("REP with a request: GetEvents = %v, want POLLOUT", ev)
	}
	rep.Send("pong", SNDMORE)
	rep.Send("2", 0)
	reply, err := py.Recv(10 * time.Second)
	if err != nil || len(reply) != 2 || string(reply[0]) != "pong" || string(reply[1]) != "2" {
		t.Fatalf("libzmq REQ got %q %v", reply, err)
	}
}

// TestPyRelaxedCorrelatedReqToLibzmqRep: our REQ with REQ_RELAXED and
// REQ_CORRELATE sends a second request without waiting for the first
// reply; the libzmq REP answers both in turn, and only the reply to the
// second reaches the program (the request id libzmq's REP echoes is how).
func TestPyRelaxedCorrelatedReqToLibzmqRep(t *testing.T) {
	testpeer.Python(t)
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"}})
	echoed := make(chan error, 1)
	go func() { echoed <- py.Echo(2, 10*time.Second) }()
	req := newSock(t, REQ)
	req.SetReqRelaxed(1)
	req.SetReqCorrelate(1)
	req.SetRcvtimeo(10 * time.Second)
	if err := req.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"abandoned", "latest"} {
		if _, err := req.Send(body, 0); err != nil {
			t.Fatalf("Send %q: %v", body, err)
		}
	}
	p := NewPoller()
	p.Add(req, POLLIN)
	if res, err := p.Poll(10 * time.Second); err != nil || len(res) != 1 {
		t.Fatalf("Poll = %v %v", res, err)
	}
	if got, err := req.RecvMessage(0); err != nil || len(got) != 1 || got[0] != "latest" {
		t.Fatalf("RecvMessage = %q %v, want [latest]", got, err)
	}
	if err := <-echoed; err != nil {
		t.Fatal("pyzmq echo:", err)
	}
}

// TestPyPlainClientToLibzmqServer: our PLAIN client against a libzmq PLAIN
// server whose ZAP handler (pyzmq's) checks the password.
func TestPyPlainClientToLibzmqServer(t *testing.T) {
	testpeer.Python(t)
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"},
		PlainServer: true, PlainUsers: map[string]string{"admin": "secret"}})
	push := newSock(t, PUSH)
	push.ClientAuthPlain("admin", "secret")
	if err := push.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	if _, err := push.SendMessage("over", "plain"); err != nil {
		t.Fatal(err)
	}
	got, err := py.Recv(10 * time.Second)
	if err != nil || len(got) != 2 || string(got[0]) != "over" {
		t.Fatalf("libzmq PULL got %q %v", got, err)
	}
}

// TestPyLibzmqPlainClientToOurServer: a libzmq PLAIN client against our
// PLAIN server with AuthStart's authenticator: right password in, wrong out.
func TestPyLibzmqPlainClientToOurServer(t *testing.T) {
	testpeer.Python(t)
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	defer AuthStop()
	AuthPlainAdd("*", "admin", "secret")
	pull := newSock(t, PULL)
	pull.ServerAuthPlain("global")
	pull.SetRcvtimeo(2 * time.Second)
	if err := pull.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := pull.GetLastEndpoint()
	bad := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}, PlainUser: "admin", PlainPass: "nope"})
	bad.Send([]byte("intruder"))
	if got, err := pull.Recv(0); err == nil {
		t.Fatalf("wrong password admitted: %q", got)
	}
	good := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}, PlainUser: "admin", PlainPass: "secret"})
	good.Send([]byte("friend"))
	if got, err := pull.Recv(0); err != nil || got != "friend" {
		t.Fatalf("Recv = %q %v", got, err)
	}
}
