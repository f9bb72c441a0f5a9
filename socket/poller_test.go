package socket

import (
	"context"
	"errors"
	"testing"
	"time"
)

// pushPull makes a PUSH connected to a PULL over transport.
func pushPull(t *testing.T, transport string, opts ...Option) (push, pull *Socket) {
	t.Helper()
	pull = newSock(t, Pull, opts...)
	push = newSock(t, Push, opts...)
	connectTo(t, push, bindAt(t, pull, transport))
	return push, pull
}

// A poller reports a PULL readable without taking the message: it stays
// queued (Events still says PollIn, Received is 0) until Recv.
func TestPollerReadableTakesNothing(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			push, pull := pushPull(t, tr)
			p := NewPoller()
			defer p.Close()
			if err := p.Add(pull, PollIn); err != nil {
				t.Fatal(err)
			}
			if r, err := p.WaitTimeout(0); err != nil || len(r) != 0 {
				t.Fatalf("empty PULL: ready %v, %v", r, err)
			}
			send(t, push, "job")
			r, err := p.Wait(ctxT(t, 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if len(r) != 1 || r[0].Socket != pull || r[0].Events != PollIn {
				t.Fatalf("ready %v", r)
			}
			for i := 0; i < 3; i++ { // asking again changes nothing
				if r, _ := p.WaitTimeout(0); len(r) != 1 {
					t.Fatalf("second look: ready %v", r)
				}
			}
			if st := pull.Stats(); st.Received != 0 || st.InQueued != 1 {
				t.Fatalf("after polling: received %d, queued %d; want 0, 1", st.Received, st.InQueued)
			}
			if ev := pull.Events(); ev != PollIn {
				t.Fatalf("Events %v, want in", ev)
			}
			expect(t, pull, "job")
			if ev := pull.Events(); ev != 0 {
				t.Fatalf("Events after Recv %v, want none", ev)
			}
		})
	}
}

// A PUSH whose pipe is at its HWM is not writable; it becomes writable
// when the PULL takes a message, and the blocked Wait wakes for it.
func TestPollerWritablePushHWM(t *testing.T) {
	push, pull := pushPull(t, "inproc", WithSendHWM(2), WithRecvHWM(2))
	if ev := pull.Events(); ev != 0 {
		t.Fatalf("PULL Events %v", ev)
	}
	n := 0
	for ; n < 100; n++ {
		if err := push.TrySend(NewMsg([]byte("x"))); errors.Is(err, ErrWouldBlock) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 || n == 100 {
		t.Fatalf("queued %d before the HWM", n)
	}
	if ev := push.Events(); ev&PollOut != 0 {
		t.Fatalf("full PUSH Events %v, want not out", ev)
	}
	p := NewPoller()
	defer p.Close()
	p.Add(push, PollOut)
	if r, err := p.WaitTimeout(30 * time.Millisecond); err != nil || len(r) != 0 {
		t.Fatalf("full PUSH: ready %v, %v", r, err)
	}
	got := make(chan []PollItem, 1)
	go func() {
		r, err := p.Wait(ctxT(t, 5*time.Second))
		if err != nil {
			t.Error(err)
		}
		got <- append([]PollItem(nil), r...)
	}()
	time.Sleep(20 * time.Millisecond) // let the Wait block (it works either way)
	expect(t, pull, "x")
	r := <-got
	if len(r) != 1 || r[0].Socket != push || r[0].Events != PollOut {
		t.Fatalf("ready %v", r)
	}
	if err := push.TrySend(NewMsg([]byte("y"))); err != nil {
		t.Fatalf("TrySend after PollOut: %v", err)
	}
}

// One Wait over several sockets reports every ready one, in the order
// they were added, and only for the events asked.
func TestPollerMultipleSockets(t *testing.T) {
	var pushes, pulls [3]*Socket
	for i := range pulls {
		pushes[i], pulls[i] = pushPull(t, "inproc")
	}
	p := NewPoller()
	defer p.Close()
	for _, s := range pulls {
		if err := p.Add(s, PollIn|PollOut); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Add(pulls[0], PollIn); err == nil {
		t.Fatal("adding a socket twice: no error")
	}
	send(t, pushes[2], "c")
	send(t, pushes[1], "b")
	r, err := p.Wait(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 2 || r[0].Socket != pulls[1] || r[1].Socket != pulls[2] || r[0].Events != PollIn {
		t.Fatalf("ready %v", r)
	}
	if err := p.Modify(pulls[1], 0); err != nil {
		t.Fatal(err)
	}
	if r, _ := p.WaitTimeout(0); len(r) != 1 || r[0].Socket != pulls[2] {
		t.Fatalf("after Modify: ready %v", r)
	}
	if err := p.Remove(pulls[2]); err != nil {
		t.Fatal(err)
	}
	if r, _ := p.WaitTimeout(0); len(r) != 0 || p.Len() != 2 {
		t.Fatalf("after Remove: ready %v, len %d", r, p.Len())
	}
	// A blocked Wait wakes for the socket that becomes ready.
	go func() {
		time.Sleep(20 * time.Millisecond)
		send(t, pushes[0], "a")
	}()
	r, err = p.Wait(ctxT(t, 5*time.Second))
	if err != nil || len(r) != 1 || r[0].Socket != pulls[0] {
		t.Fatalf("ready %v, %v", r, err)
	}
}

// Wait ends with the context's error; WaitTimeout with nothing.
func TestPollerContext(t *testing.T) {
	_, pull := pushPull(t, "inproc")
	p := NewPoller()
	defer p.Close()
	p.Add(pull, PollIn)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait after cancel: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait past deadline: %v", err)
	}
	if r, err := p.WaitTimeout(20 * time.Millisecond); err != nil || len(r) != 0 {
		t.Fatalf("WaitTimeout: %v, %v", r, err)
	}
}

// Closing a watched socket wakes a blocked Wait with ErrClosed; a closed
// socket cannot be added, is ready for nothing, and Poll reports it.
func TestPollerClosedSocket(t *testing.T) {
	pull := newSock(t, Pull)
	other := newSock(t, Pull)
	p := NewPoller()
	defer p.Close()
	p.Add(other, PollIn)
	p.Add(pull, PollIn)
	time.AfterFunc(20*time.Millisecond, func() { pull.Close() })
	if _, err := p.Wait(ctxT(t, 5*time.Second)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Wait on a closed socket: %v", err)
	}
	if err := NewPoller().Add(pull, PollIn); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add closed: %v", err)
	}
	if ev := pull.Events(); ev != 0 {
		t.Fatalf("closed Events %v", ev)
	}
	if _, err := pull.Poll(context.Background(), PollIn); !errors.Is(err, ErrClosed) {
		t.Fatalf("Poll closed: %v", err)
	}
	p.Remove(pull)
	if r, err := p.WaitTimeout(0); err != nil || len(r) != 0 {
		t.Fatalf("after removing the closed socket: %v, %v", r, err)
	}
}

// REQ and REP report their turns: REQ writable only when it may send,
// readable once the reply is in; REP readable when a request waits,
// writable while it owes a reply.
func TestPollerReqRepTurns(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			rep := newSock(t, Rep)
			req := newSock(t, Req)
			connectTo(t, req, bindAt(t, rep, tr))
			if ev, err := req.Poll(ctxT(t, 5*time.Second), PollIn|PollOut); err != nil || ev != PollOut {
				t.Fatalf("fresh REQ: %v, %v", ev, err)
			}
			if ev := rep.Events(); ev != 0 {
				t.Fatalf("idle REP Events %v", ev)
			}
			send(t, req, "q")
			if ev := req.Events(); ev != 0 {
				t.Fatalf("REQ awaiting its reply: Events %v, want none", ev)
			}
			if ev, err := rep.Poll(ctxT(t, 5*time.Second), PollIn|PollOut); err != nil || ev != PollIn {
				t.Fatalf("REP with a request: %v, %v", ev, err)
			}
			expect(t, rep, "q")
			if ev := rep.Events(); ev != PollOut {
				t.Fatalf("REP owing a reply: Events %v, want out", ev)
			}
			send(t, rep, "a")
			if ev, err := req.Poll(ctxT(t, 5*time.Second), PollIn); err != nil || ev != PollIn {
				t.Fatalf("REQ with its reply: %v, %v", ev, err)
			}
			if ev := req.Events(); ev != PollIn {
				t.Fatalf("REQ with its reply: Events %v, want in only", ev)
			}
			expect(t, req, "a")
			if ev := req.Events(); ev != PollOut {
				t.Fatalf("REQ after the reply: Events %v", ev)
			}
		})
	}
}

// A SUB is readable only for a message it subscribed to: the others are
// dropped, as Recv would drop them, and do not wake the poller.
func TestPollerSubFilter(t *testing.T) {
	pub := newSock(t, Pub)
	sub := newSock(t, Sub)
	connectTo(t, sub, bindAt(t, pub, "tcp"))
	sub.Subscribe([]byte("a"))
	syncSub(t, pub, sub, "a-sync")
	// A second subscription makes the SUB filter (not "everything").
	sub.Subscribe([]byte("b"))
	syncSub(t, pub, sub, "b-sync")
	sub.Unsubscribe([]byte("b"))
	send(t, pub, "b-late")   // may still arrive: cancelled in flight
	send(t, pub, "a-marker") // after it, in order
	if ev, err := sub.Poll(ctxT(t, 5*time.Second), PollIn); err != nil || ev != PollIn {
		t.Fatalf("SUB: %v, %v", ev, err)
	}
	expect(t, sub, "a-marker")
}

// Messages iterates over received messages and ends with the error that
// stopped it.
func TestMessagesIterator(t *testing.T) {
	push, pull := pushPull(t, "inproc")
	for _, s := range []string{"1", "2", "3"} {
		send(t, push, s)
	}
	var got []string
	for m, err := range pull.Messages(ctxT(t, 5*time.Second)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m.Frames[0]))
		if len(got) == 3 {
			break
		}
	}
	if len(got) != 3 || got[0] != "1" || got[2] != "3" {
		t.Fatalf("got %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	n := 0
	for _, err := range pull.Messages(ctx) {
		n++
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("iteration past the deadline: %v", err)
		}
	}
	if n != 1 {
		t.Fatalf("%d steps after the deadline, want 1", n)
	}
}

// A Wait that finds a socket ready allocates nothing, nor does one that
// blocks until its timeout (the poller's channel and timer are reused).
func TestPollerWaitNoAllocs(t *testing.T) {
	var pulls [4]*Socket
	var push *Socket
	for i := range pulls {
		push, pulls[i] = pushPull(t, "inproc")
	}
	send(t, push, "x")
	p := NewPoller()
	defer p.Close()
	for _, s := range pulls {
		p.Add(s, PollIn)
	}
	ctx := context.Background()
	if a := testing.AllocsPerRun(100, func() {
		if r, err := p.Wait(ctx); err != nil || len(r) != 1 {
			t.Fatalf("%v %v", r, err)
		}
	}); a != 0 {
		t.Fatalf("Wait (ready) allocates %.1f per call", a)
	}
	// Blocking until the timeout: the reused timer and wake channel.
	idle := NewPoller()
	defer idle.Close()
	for _, s := range pulls[:3] {
		idle.Add(s, PollIn)
	}
	idle.WaitTimeout(time.Microsecond) // the first call makes the timer
	if a := testing.AllocsPerRun(20, func() {
		if r, err := idle.WaitTimeout(time.Microsecond); err != nil || len(r) != 0 {
			t.Fatalf("%v %v", r, err)
		}
	}); a != 0 {
		t.Fatalf("WaitTimeout (blocking) allocates %.1f per call", a)
	}
}
