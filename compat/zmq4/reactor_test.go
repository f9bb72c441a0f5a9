package zmq4

import (
	"errors"
	"testing"
	"time"
)

func TestReactorSocketsAndChannels(t *testing.T) {
	ep := inproc()
	pull, push := newSock(t, PULL), newSock(t, PUSH)
	pull.Bind(ep)
	push.Connect(ep)
	var got []string
	quit := make(chan interface{}, 1)
	r := NewReactor()
	r.AddSocket(pull, POLLIN, func(State) error {
		m, err := pull.Recv(0)
		got = append(got, m)
		if len(got) == 3 {
			quit <- true
		}
		return err
	})
	errQuit := errors.New("quit")
	r.AddChannel(quit, 1, func(interface{}) error { return errQuit })
	for _, m := range []string{"a", "b", "c"} {
		push.Send(m, 0)
	}
	if err := r.Run(10 * time.Millisecond); err != errQuit {
		t.Fatalf("Run = %v, want the handler's error", err)
	}
	if len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Fatalf("handled %q", got)
	}
	if err := NewReactor().Run(time.Millisecond); err == nil {
		t.Fatal("Run with nothing to do returned nil")
	}
}

func TestProxyRouterDealer(t *testing.T) {
	front, back := inproc(), inproc()
	router, dealer := newSock(t, ROUTER), newSock(t, DEALER)
	router.Bind(front)
	dealer.Bind(back)
	done := make(chan error, 1)
	go func() { done <- Proxy(router, dealer, nil) }()
	req, rep := newSock(t, REQ), newSock(t, REP)
	req.Connect(front)
	rep.Connect(back)
	req.SetRcvtimeo(5 * time.Second)
	rep.SetRcvtimeo(5 * time.Second)
	req.Send("question", 0)
	if m, err := rep.Recv(0); err != nil || m != "question" {
		t.Fatalf("REP got %q %v", m, err)
	}
	rep.Send("answer", 0)
	if m, err := req.Recv(0); err != nil || m != "answer" {
		t.Fatalf("REQ got %q %v", m, err)
	}
	router.Close()
	if err := <-done; err == nil {
		t.Fatal("Proxy returned nil after its socket closed")
	}
}

func TestEndpointErrors(t *testing.T) {
	s := newSock(t, PUB)
	cases := map[string]Errno{
		"pgm://eth0;239.192.1.1:5555": EPROTONOSUPPORT,
		"tcp://in val id:1234":        einval,
		"tcp://localhost:invalid":     einval,
		"nonsense":                    einval,
	}
	for ep, want := range cases {
		if err := s.Connect(ep); AsErrno(err) != want {
			t.Errorf("Connect(%q) = %v, want %v", ep, err, want)
		}
	}
	if err := s.Connect("tcp://localhost:1234"); err != nil {
		t.Errorf("Connect to a name = %v", err)
	}
	b := newSock(t, PAIR)
	if err := b.Bind("tcp://*:0"); err != nil {
		t.Fatal(err)
	}
	if ep, _ := b.GetLastEndpoint(); len(ep) < len("tcp://0.0.0.0:1") || ep[:14] != "tcp://0.0.0.0:" {
		t.Errorf("GetLastEndpoint = %q, want tcp://0.0.0.0:port", ep)
	}
}
