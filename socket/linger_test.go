package socket

import (
	"errors"
	"testing"
	"time"
)

// A slow consumer and a backlog longer than linger can flush: Close says
// how many messages it discarded, in its error, in Stats and on the
// monitor, and every message sent is either received or counted.
func TestLingerDiscardReported(t *testing.T) {
	pull := newSock(t, Pull, WithRecvHWM(1))
	ep := bindAt(t, pull, "tcp")
	push, err := New(Push, WithSendHWM(0), WithLinger(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	connectTo(t, push, ep)
	const sent = 500
	body := make([]byte, 64<<10)
	for i := 0; i < sent; i++ {
		if err := push.Send(ctxT(t, 5*time.Second), NewMsg(body)); err != nil {
			t.Fatal(err)
		}
	}
	// The consumer takes one message every two milliseconds or so.
	received := make(chan int)
	go func() {
		n := 0
		for {
			if _, err := pull.Recv(ctxT(t, time.Second)); err != nil {
				received <- n
				return
			}
			n++
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	err = push.Close()
	var le *LingerError
	if !errors.As(err, &le) || !errors.Is(err, ErrLingerDiscard) {
		t.Fatalf("Close: %v, want a LingerError", err)
	}
	if le.Discarded == 0 || le.Linger != 200*time.Millisecond {
		t.Fatalf("LingerError %+v", le)
	}
	if st := push.Stats(); st.LingerDropped != le.Discarded {
		t.Fatalf("Stats.LingerDropped %d, Close said %d", st.LingerDropped, le.Discarded)
	}
	var ev *Event
	for e := range push.Monitor() {
		if e.Kind == EventLingerDiscarded {
			e := e
			ev = &e
		}
	}
	if ev == nil || !errors.Is(ev.Err, ErrLingerDiscard) {
		t.Fatalf("no LINGER_DISCARDED event (%v)", ev)
	}
	got := <-received
	t.Logf("sent %d, received %d, discarded %d (%v)", sent, got, le.Discarded, err)
	// Every message is received or counted. One may be both: the write
	// that failed may have carried the last bytes of the message before
	// it, which then arrived whole.
	if total := uint64(got) + le.Discarded; total < sent || total > sent+1 {
		t.Fatalf("received %d + discarded %d = %d, want %d (or one more)", got, le.Discarded, total, sent)
	}
	if got >= sent {
		t.Fatalf("the slow consumer received everything (%d): nothing to discard", got)
	}
}

// Close returns nil when linger delivered everything.
func TestLingerNothingDiscarded(t *testing.T) {
	pull := newSock(t, Pull)
	push := newSock(t, Push)
	connectTo(t, push, bindAt(t, pull, "tcp"))
	send(t, push, "one")
	expect(t, pull, "one")
	send(t, push, "two")
	if err := push.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	expect(t, pull, "two")
	if n := push.Stats().LingerDropped; n != 0 {
		t.Fatalf("LingerDropped = %d", n)
	}
}
