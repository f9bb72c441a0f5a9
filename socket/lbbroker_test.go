package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestLoadBalancingBroker is the Guide's lbbroker: clients (REQ) talk to
// a frontend ROUTER, workers (REQ) announce themselves on a backend
// ROUTER, and the broker polls the frontend only while a worker is free.
// Requests that arrive while no worker is free stay queued in the
// frontend, not taken off it, until one is.
func TestLoadBalancingBroker(t *testing.T) {
	frontend := newSock(t, Router)
	backend := newSock(t, Router)
	fe := bindAt(t, frontend, "tcp")
	be := bindAt(t, backend, "inproc")

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()

	idle := make(chan int, 1) // the broker reports each loop where no worker was free
	wg.Add(1)
	go func() { // the broker
		defer wg.Done()
		p := NewPoller()
		defer p.Close()
		p.Add(backend, PollIn)
		p.Add(frontend, 0) // no worker yet: the frontend is not read
		var free [][]byte
		for {
			r, err := p.Wait(ctx)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					t.Error(err)
				}
				return
			}
			for _, it := range r {
				switch it.Socket {
				case backend: // [worker, "", "READY"] or [worker, "", client, "", reply]
					m, err := backend.TryRecv()
					if err != nil {
						t.Error(err)
						return
					}
					free = append(free, m.Frames[0])
					if len(m.Frames) == 5 {
						if err := frontend.Send(ctx, NewMsg(m.Frames[2], nil, m.Frames[4])); err != nil {
							t.Error(err)
							return
						}
					}
				case frontend: // [client, "", request]: to the first free worker
					m, err := frontend.TryRecv()
					if err != nil {
						t.Error(err)
						return
					}
					w := free[0]
					free = free[1:]
					if err := backend.Send(ctx, NewMsg(w, nil, m.Frames[0], nil, m.Frames[2])); err != nil {
						t.Error(err)
						return
					}
				}
			}
			if len(free) == 0 {
				p.Modify(frontend, 0)
				select {
				case idle <- len(free):
				default:
				}
			} else {
				p.Modify(frontend, PollIn)
			}
		}
	}()

	const clients = 4
	reqs := make([]*Socket, clients)
	for i := range reqs {
		reqs[i] = newSock(t, Req)
		connectTo(t, reqs[i], fe)
		send(t, reqs[i], fmt.Sprintf("job-%d", i))
	}
	// No worker: the requests reach the frontend and stay there.
	waitFor(t, 5*time.Second, "requests queued in the frontend", func() bool {
		return frontend.Stats().InQueued == clients
	})
	time.Sleep(50 * time.Millisecond) // give the broker every chance to misbehave
	if st := frontend.Stats(); st.Received != 0 || st.InQueued != clients {
		t.Fatalf("with no worker free the broker took %d requests (%d still queued)", st.Received, st.InQueued)
	}
	if frontend.Events()&PollIn == 0 {
		t.Fatal("frontend with queued requests is not readable")
	}

	// One worker serves them all, one at a time.
	wg.Add(1)
	go func() {
		defer wg.Done()
		w, err := New(Req, WithIdentity([]byte("w1")))
		if err != nil {
			t.Error(err)
			return
		}
		defer w.Close()
		if err := w.Connect(be); err != nil {
			t.Error(err)
			return
		}
		m := NewMsg([]byte("READY"))
		for {
			if err := w.Send(ctx, m); err != nil {
				return
			}
			req, err := w.Recv(ctx) // [client, "", request]
			if err != nil {
				return
			}
			// While this worker is busy the broker must not read the frontend.
			m = NewMsg(req.Frames[0], nil, append([]byte("done-"), req.Frames[2]...))
		}
	}()
	for i, r := range reqs {
		if got := recv(t, r); got[0] != fmt.Sprintf("done-job-%d", i) {
			t.Fatalf("client %d got %q", i, got)
		}
	}
	if st := frontend.Stats(); st.Received != clients || st.InQueued != 0 {
		t.Fatalf("frontend received %d, %d queued", st.Received, st.InQueued)
	}
}

// While the only worker is busy, a second request waits in the frontend.
func TestBrokerHoldsFrontendWhileWorkerBusy(t *testing.T) {
	frontend := newSock(t, Router)
	fe := bindAt(t, frontend, "inproc")
	p := NewPoller()
	defer p.Close()
	p.Add(frontend, PollIn)
	a := newSock(t, Req)
	b := newSock(t, Req)
	connectTo(t, a, fe)
	connectTo(t, b, fe)
	send(t, a, "first")
	if _, err := p.Wait(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	first := recv(t, frontend)
	p.Modify(frontend, 0) // the worker is busy now
	send(t, b, "second")
	waitFor(t, 5*time.Second, "second request queued", func() bool { return frontend.Stats().InQueued == 1 })
	if r, _ := p.WaitTimeout(30 * time.Millisecond); len(r) != 0 {
		t.Fatalf("frontend polled while no worker was free: %v", r)
	}
	if st := frontend.Stats(); st.Received != 1 {
		t.Fatalf("frontend received %d, want 1", st.Received)
	}
	send(t, frontend, first[0], "", "ok")
	expect(t, a, "ok")
	p.Modify(frontend, PollIn) // free again
	if r, err := p.Wait(ctxT(t, 5*time.Second)); err != nil || len(r) != 1 {
		t.Fatalf("%v %v", r, err)
	}
	if got := recv(t, frontend); got[2] != "second" {
		t.Fatalf("got %q", got)
	}
}
