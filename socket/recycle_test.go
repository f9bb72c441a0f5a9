package socket

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"
	"unsafe"
)

// body makes a message body of n bytes whose content depends on seq, so a
// buffer recycled too early (while still being written) shows up as a
// corrupted reply.
func body(seq, n int) []byte {
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], uint64(seq)<<32|uint64(i))
	}
	return b
}

// forward sends m from src, receives it at via and sends what arrived on
// from dst without a copy (SendOwned).
func forward(t *testing.T, src, via, dst *Socket, m Msg) {
	t.Helper()
	if err := src.Send(ctxT(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	r, err := via.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.SendOwned(ctxT(t, 5*time.Second), r); err != nil {
		t.Fatal(err)
	}
}

// A received message sent on with SendOwned by a socket with one
// destination keeps its pool mark: the writer recycles its buffers once
// written. Echoing many
// large messages of different sizes, some of them in flight at once (so
// writes batch and cut bodies at page boundaries), must return each one
// intact, and every echo must have been recycled.
func TestSendRecyclesReceived(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			router := newSock(t, Router)
			dealer := newSock(t, Dealer)
			connectTo(t, dealer, bindAt(t, router, tr))
			sizes := []int{4 << 10, 16 << 10, 40 << 10, 64 << 10, 100003, 1 << 20}
			const n, window = 120, 8
			echoed := make(chan error, 1)
			go func() {
				for i := 0; i < n; i++ {
					m, err := router.Recv(ctxT(t, 10*time.Second))
					if err == nil {
						err = router.SendOwned(ctxT(t, 10*time.Second), m)
					}
					if err != nil {
						echoed <- err
						return
					}
				}
				echoed <- nil
			}()
			next := 0
			for got := 0; got < n; got++ {
				for ; next < n && next < got+window; next++ {
					m := Msg{Frames: [][]byte{body(next, sizes[next%len(sizes)])}}
					if err := dealer.Send(ctxT(t, 10*time.Second), m); err != nil {
						t.Fatal(err)
					}
				}
				m, err := dealer.Recv(ctxT(t, 10*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Frames) != 1 || !bytes.Equal(m.Frames[0], body(got, sizes[got%len(sizes)])) {
					t.Fatalf("echo %d corrupted (%d frames)", got, len(m.Frames))
				}
				m.Release()
			}
			if err := <-echoed; err != nil {
				t.Fatal(err)
			}
			// Echoes of 4 KiB and more come from the pool; all of them were
			// given back after their write.
			waitFor(t, 5*time.Second, "recycled echoes", func() bool { return router.recycled.Load() == n })
		})
	}
}

// A REP sends the reply with the request's envelope in front and still
// recycles the received body.
func TestRepRecyclesEcho(t *testing.T) {
	rep := newSock(t, Rep)
	req := newSock(t, Req)
	connectTo(t, req, bindAt(t, rep, "tcp"))
	const n = 50
	for i := 0; i < n; i++ {
		want := body(i, 64<<10+i)
		forward(t, req, rep, rep, NewMsg(want))
		r, err := req.Recv(ctxT(t, 5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.Frames[0], want) {
			t.Fatalf("reply %d corrupted", i)
		}
	}
	waitFor(t, 5*time.Second, "recycled replies", func() bool { return rep.recycled.Load() == n })
}

// A publisher shares one message among its subscribers: a received message
// it forwards with SendOwned is disowned, never recycled, and reaches every subscriber
// intact.
func TestPubDoesNotRecycle(t *testing.T) {
	pull := newSock(t, Pull)
	push := newSock(t, Push)
	connectTo(t, push, bindAt(t, pull, "tcp"))
	pub := newSock(t, Pub)
	ep := bindAt(t, pub, "tcp")
	var subs []*Socket
	for i := 0; i < 3; i++ {
		s := newSock(t, Sub)
		if err := s.Subscribe(nil); err != nil {
			t.Fatal(err)
		}
		connectTo(t, s, ep)
		subs = append(subs, s)
	}
	for _, s := range subs {
		syncSub(t, pub, s, "sync")
	}
	// The sync messages above went to one subscriber at a time and may be
	// recycled legitimately; only what happens to the shared ones counts.
	base := pub.recycled.Load()
	const n = 20
	for i := 0; i < n; i++ {
		forward(t, push, pull, pub, NewMsg(body(i, 64<<10)))
	}
	for k, s := range subs {
		for i := 0; i < n; i++ {
			m, err := s.Recv(ctxT(t, 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if string(m.Frames[0]) == "sync" { // another subscriber's sync
				i--
				continue
			}
			if !bytes.Equal(m.Frames[0], body(i, 64<<10)) {
				t.Fatalf("subscriber %d: message %d corrupted", k, i)
			}
		}
	}
	if got := pub.recycled.Load() - base; got != 0 {
		t.Fatalf("PUB recycled %d shared messages", got)
	}
}

// A ROUTER's stream peers get their routing id put in front of each message
// by the connection's reader, from its slabs: receiving allocates nothing
// per message in steady state (before, two allocations: the id's copy and
// a new frame list).
func TestRouterRecvAllocs(t *testing.T) {
	router := newSock(t, Router, WithRecvHWM(0))
	dealer := newSock(t, Dealer, WithSendHWM(0))
	connectTo(t, dealer, bindAt(t, router, "tcp"))
	const n = 2000
	m := NewMsg([]byte("0123456789abcdef"))
	// AllocsPerRun runs the function once to warm up, then once measured.
	for i := 0; i < 2*n+1; i++ {
		if err := dealer.Send(ctxT(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	first, err := router.Recv(ctxT(t, 5*time.Second))
	if err != nil || len(first.Frames) != 2 {
		t.Fatalf("Recv: %q, %v", first.Frames, err)
	}
	id := string(first.Frames[0])
	waitFor(t, 5*time.Second, "the messages to arrive", func() bool { return routerQueued(router) == 2*n })
	ctx := ctxT(t, 10*time.Second)
	allocs := testing.AllocsPerRun(1, func() {
		for i := 0; i < n; i++ {
			r, err := router.Recv(ctx)
			if err != nil || len(r.Frames) != 2 || string(r.Frames[0]) != id {
				t.Fatalf("Recv: %q, %v", r.Frames, err)
			}
		}
	})
	if perMsg := allocs / n; perMsg > 0.05 {
		t.Fatalf("%.0f allocations for %d messages received", allocs, n)
	}
}

// routerQueued counts the messages waiting in a ROUTER's inbound queues.
func routerQueued(s *Socket) int {
	h := s.h.(*routerSocket)
	h.mu.RLock()
	defer h.mu.RUnlock()
	q := 0
	for _, p := range h.byID {
		q += p.in.Len()
	}
	return q
}

// A REP keeps the request's envelope until it replies, while the
// application may already have released the request, whose frames lie in
// the reader's recycled slab: the envelope REP keeps must be its own copy,
// not the slab bytes carved just before the body. A raw peer pipelines
// thousands of requests, each with its own routing frame, released before
// the reply, so slabs turn over; every reply must carry its request's
// envelope.
func TestRepEnvelopeOutlivesReleasedRequest(t *testing.T) {
	rep, _ := New(Rep)
	defer rep.Close()
	zc := rawPeer(t, bindAt(t, rep, "tcp"), "DEALER")
	defer zc.Close()
	const n = 3000
	werr := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			id := []byte(fmt.Sprintf("route-%06d", i))
			if err := zc.WriteMessage([][]byte{id, {}, body(i, 24)}); err != nil {
				werr <- err
				return
			}
		}
		werr <- zc.Flush()
	}()
	ctx := ctxT(t, 20*time.Second)
	rerr := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			m, _, err := zc.ReadMessage()
			if err != nil {
				rerr <- err
				return
			}
			want := fmt.Sprintf("route-%06d", i)
			if len(m) != 3 || string(m[0]) != want || len(m[1]) != 0 || !bytes.Equal(m[2], body(i, 24)) {
				rerr <- fmt.Errorf("reply %d: %q, want envelope %s", i, m, want)
				return
			}
		}
		rerr <- nil
	}()
	h := rep.h.(*repSocket)
	for i := 0; i < n; i++ {
		req, err := rep.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		h.mu.Lock()
		env := h.envelope
		h.mu.Unlock()
		// The routing frame was carved 12 bytes before the body: found
		// there, the envelope is the slab's, not REP's.
		if len(env) != 2 || sliceAddr(env[0]) < sliceAddr(req.Frames[0]) && sliceAddr(req.Frames[0])-sliceAddr(env[0]) < 256 {
			t.Fatalf("request %d: REP keeps the envelope in the received message's slab", i)
		}
		reply := NewMsg(append([]byte(nil), req.Frames[0]...))
		req.Release()
		if err := rep.Send(ctx, reply); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
	if err := <-rerr; err != nil {
		t.Fatal(err)
	}
}

func sliceAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
