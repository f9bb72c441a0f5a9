package zmq4

import (
	"testing"
	"time"
)

// BenchmarkPollReady: one Poll over two sockets, one of them readable
// (the message stays queued: a poll takes nothing off).
func BenchmarkPollReady(b *testing.B) {
	ep := inproc()
	pull, push, idle := benchSock(b, PULL), benchSock(b, PUSH), benchSock(b, PULL)
	pull.Bind(ep)
	push.Connect(ep)
	idle.Bind(inproc())
	push.Send("x", 0)
	p := NewPoller()
	p.Add(idle, POLLIN)
	p.Add(pull, POLLIN)
	b.ReportAllocs()
	for b.Loop() {
		if r, err := p.Poll(time.Second); err != nil || len(r) != 1 {
			b.Fatalf("Poll = %v %v", r, err)
		}
	}
}

// BenchmarkPollWakeup: a Poll that blocks until a message arrives from
// another goroutine, then the message is read.
func BenchmarkPollWakeup(b *testing.B) {
	ep := inproc()
	pull, push := benchSock(b, PULL), benchSock(b, PUSH)
	pull.Bind(ep)
	push.Connect(ep)
	p := NewPoller()
	p.Add(pull, POLLIN)
	next := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range next {
			push.Send("x", 0)
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		next <- struct{}{}
		if r, err := p.Poll(time.Second); err != nil || len(r) != 1 {
			b.Fatalf("Poll = %v %v", r, err)
		}
		pull.Recv(0)
	}
	close(next)
	<-done
}

func benchSock(b *testing.B, typ Type) *Socket {
	s, err := NewSocket(typ)
	if err != nil {
		b.Fatal(err)
	}
	s.SetLinger(0)
	b.Cleanup(func() { s.Close() })
	return s
}
