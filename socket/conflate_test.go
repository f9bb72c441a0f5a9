package socket

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// Over inproc the pipe is shared, so conflation is exact: after many sends
// the receiver finds the last one and nothing else.
func TestConflateInprocKeepsLast(t *testing.T) {
	pull := newSock(t, Pull, WithConflate(true))
	ep := bindAt(t, pull, "inproc")
	push := newSock(t, Push, WithSendHWM(1)) // HWM is ignored when conflating
	connectTo(t, push, ep)
	for i := 0; i < 100; i++ {
		if err := push.TrySend(NewMsgString(strconv.Itoa(i))); err != nil {
			t.Fatalf("TrySend %d: %v (a conflating pipe is never full)", i, err)
		}
	}
	expect(t, pull, "99")
	if m, err := pull.TryRecv(); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TryRecv after the last = %q, %v; want ErrWouldBlock", strs(m), err)
	}
}

// Over tcp the receiving side conflates what its reader takes off the
// connection: a receiver that comes late gets only the newest values, in
// order, ending with the last one sent.
func TestConflateTCPReceiver(t *testing.T) {
	for _, typ := range [][2]Type{{Pull, Push}, {Sub, Pub}, {Dealer, Dealer}} {
		t.Run(typ[0].String(), func(t *testing.T) {
			rcv := newSock(t, typ[0], WithConflate(true))
			if typ[0] == Sub {
				rcv.Subscribe(nil)
			}
			ep := bindAt(t, rcv, "tcp")
			snd := newSock(t, typ[1])
			connectTo(t, snd, ep)
			if typ[1] == Pub {
				syncSub(t, snd, rcv, "")
			}
			const n = 2000
			for i := 0; i < n; i++ {
				send(t, snd, strconv.Itoa(i))
			}
			time.Sleep(100 * time.Millisecond) // let the stream arrive
			last, count := -1, 0
			for last != n-1 {
				got := recv(t, rcv)
				v, err := strconv.Atoi(got[0])
				if err != nil || v <= last {
					t.Fatalf("received %q after %d: not newer", got, last)
				}
				last, count = v, count+1
			}
			if count >= n/2 {
				t.Errorf("received %d of %d messages: nothing was conflated", count, n)
			}
			expectNothing(t, rcv, 50*time.Millisecond)
		})
	}
}

// The sending side conflates its outbound queue: a PUSH to a peer that is
// not connected yet keeps only the last message for it.
func TestConflateSender(t *testing.T) {
	push := newSock(t, Push, WithConflate(true))
	ep := endpointFor(t, "ipc")
	connectTo(t, push, ep)
	for i := 0; i < 50; i++ {
		if err := push.TrySend(NewMsgString(strconv.Itoa(i))); err != nil {
			t.Fatalf("TrySend %d: %v", i, err)
		}
	}
	pull := newSock(t, Pull)
	if err := pull.Bind(ep); err != nil {
		t.Fatal(err)
	}
	expect(t, pull, "49")
	expectNothing(t, pull, 100*time.Millisecond)
}

func TestConflateRefuses(t *testing.T) {
	push := newSock(t, Push, WithConflate(true))
	if err := push.TrySend(NewMsgString("a", "b")); !errors.Is(err, ErrBadMessage) {
		t.Errorf("multipart send on a conflating socket: %v, want ErrBadMessage", err)
	}
	for _, typ := range []Type{Router, Req, Rep, XPub, XSub, Pair} {
		if _, err := New(typ, WithConflate(true)); !errors.Is(err, ErrBadOption) {
			t.Errorf("New(%v, WithConflate): %v, want ErrBadOption", typ, err)
		}
	}
	if _, err := New(Push, WithConflate(true), WithSwap(1<<20, t.TempDir())); !errors.Is(err, ErrBadOption) {
		t.Errorf("conflate with swap: %v, want ErrBadOption", err)
	}
}
