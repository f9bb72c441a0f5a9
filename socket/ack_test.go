package socket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

func TestAckedDeliveryOption(t *testing.T) {
	for _, typ := range []Type{Req, Rep, XPub, XSub, Stream} {
		if s, err := New(typ, WithAckedDelivery(true)); !errors.Is(err, ErrBadOption) {
			t.Errorf("%v: %v, want ErrBadOption", typ, err)
			s.Close()
		}
	}
	if _, err := New(Push, WithAckedDelivery(true), WithConflate(true)); !errors.Is(err, ErrBadOption) {
		t.Errorf("with Conflate: %v", err)
	}
}

// TestAckedNegotiation: the extension is on only when both peers ask for
// it; a pair where one side does not works as plain ZMTP.
func TestAckedNegotiation(t *testing.T) {
	for _, c := range []struct{ push, pull, on bool }{{true, true, true}, {true, false, false}, {false, true, false}} {
		t.Run(fmt.Sprintf("push=%v/pull=%v", c.push, c.pull), func(t *testing.T) {
			pull := newSock(t, Pull, WithAckedDelivery(c.pull))
			ep := bindAt(t, pull, "tcp")
			push := newSock(t, Push, WithAckedDelivery(c.push))
			connectTo(t, push, ep)
			for i := 0; i < 100; i++ {
				send(t, push, fmt.Sprint(i))
			}
			for i := 0; i < 100; i++ {
				expect(t, pull, fmt.Sprint(i))
			}
			want := uint64(0)
			if c.on {
				want = 1
				waitFor(t, 5*time.Second, "the last acknowledgement", func() bool { return push.Stats().Unacked == 0 })
			}
			if a, b := push.Stats().AckConnections, pull.Stats().AckConnections; a != want || b != want {
				t.Fatalf("AckConnections push %d pull %d, want %d", a, b, want)
			}
			if u := push.Stats().Unacked; u != 0 {
				t.Fatalf("Unacked %d", u)
			}
		})
	}
}

// fakeAckedPull is a hand-driven PULL peer that negotiates acknowledged
// delivery; the test decides what it acknowledges.
func fakeAckedPull(t *testing.T) (ep string, conn func() *zmtp.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan *zmtp.Conn, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		zc, err := zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: "PULL",
			Properties: map[string]string{zmtp.PropAck: zmtp.AckVersion}})
		if err != nil {
			nc.Close()
			return
		}
		ch <- zc
	}()
	return "tcp://" + ln.Addr().String(), func() *zmtp.Conn {
		select {
		case zc := <-ch:
			t.Cleanup(func() { zc.Close() })
			return zc
		case <-time.After(5 * time.Second):
			t.Fatal("no connection")
			return nil
		}
	}
}

// readCmd reads until a command called name arrives, returning its body.
func readCmd(t *testing.T, zc *zmtp.Conn, name string) []byte {
	t.Helper()
	for {
		m, cmd, err := zc.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", name, err)
		}
		if m == nil && cmd.Name == name {
			return append([]byte(nil), cmd.Body...)
		}
	}
}

func writeCmd(t *testing.T, zc *zmtp.Conn, name string, body []byte) {
	t.Helper()
	if err := zc.WriteCommand(name, body); err != nil {
		t.Fatal(err)
	}
	if err := zc.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestAckedUnackedCountsAgainstHWM: what awaits acknowledgement counts
// against the send HWM, and an acknowledgement makes room.
func TestAckedUnackedCountsAgainstHWM(t *testing.T) {
	ep, conn := fakeAckedPull(t)
	push := newSock(t, Push, WithAckedDelivery(true), WithSendHWM(10))
	connectTo(t, push, ep)
	zc := conn()
	_, next, win, err := zmtp.ParseAckStream(readCmd(t, zc, zmtp.CmdAckStream))
	if err != nil || next != 1 || win != 10 {
		t.Fatalf("PZSTREAM: next %d window %d err %v", next, win, err)
	}
	writeCmd(t, zc, zmtp.CmdAck, zmtp.AppendAck(nil, 0)) // our position: nothing yet
	for i := 0; i < 10; i++ {
		send(t, push, fmt.Sprint(i))
	}
	for i := 0; i < 10; i++ {
		m, _, err := zc.ReadMessage()
		if err != nil || string(m[0]) != fmt.Sprint(i) {
			t.Fatalf("message %d: %q %v", i, m, err)
		}
	}
	waitFor(t, 5*time.Second, "10 unacknowledged", func() bool { return push.Stats().Unacked == 10 })
	if err := push.TrySend(NewMsg([]byte("11th"))); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("the 11th message with 10 unacknowledged: %v, want ErrWouldBlock", err)
	}
	writeCmd(t, zc, zmtp.CmdAck, zmtp.AppendAck(nil, 4))
	waitFor(t, 5*time.Second, "room after the acknowledgement", func() bool { return push.Stats().Unacked == 6 })
	for i := 10; i < 14; i++ {
		send(t, push, fmt.Sprint(i))
	}
	if st := push.Stats(); st.Unacked+st.Queued != 10 {
		t.Fatalf("unacked %d + queued %d, want 10", st.Unacked, st.Queued)
	}
}

// TestAckedMalformedClosesConnection: a malformed or impossible
// acknowledgement closes that one connection with a reason naming the
// protocol error; the socket keeps its other peers.
func TestAckedMalformedClosesConnection(t *testing.T) {
	cases := []struct {
		name string
		cmd  string
		body []byte
		is   error
	}{
		{"short-ack", zmtp.CmdAck, []byte{0, 1, 2}, zmtp.ErrMalformedAck},
		{"long-ack", zmtp.CmdAck, make([]byte, 9), zmtp.ErrMalformedAck},
		{"ack-beyond-sent", zmtp.CmdAck, zmtp.AppendAck(nil, 5), ErrAckProtocol},
		{"short-stream", zmtp.CmdAckStream, make([]byte, 20), zmtp.ErrMalformedAck},
		{"stream-from-0", zmtp.CmdAckStream, make([]byte, 28), zmtp.ErrMalformedAck},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep, conn := fakeAckedPull(t)
			push := newSock(t, Push, WithAckedDelivery(true))
			connectTo(t, push, ep)
			zc := conn()
			readCmd(t, zc, zmtp.CmdAckStream)
			writeCmd(t, zc, tc.cmd, tc.body)
			e := waitEvent(t, push, EventDisconnected, 5*time.Second)
			if !errors.Is(e.Err, tc.is) || !errors.Is(e.Err, ErrAckProtocol) {
				t.Fatalf("disconnect reason %v, want %v and ErrAckProtocol", e.Err, tc.is)
			}
		})
	}
	t.Run("message-before-stream", func(t *testing.T) {
		pull := newSock(t, Pull, WithAckedDelivery(true))
		ep := bindAt(t, pull, "tcp")
		good := newSock(t, Push, WithAckedDelivery(true))
		connectTo(t, good, ep)
		send(t, good, "before")
		expect(t, pull, "before")
		nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
		if err != nil {
			t.Fatal(err)
		}
		zc, err := zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: "PUSH",
			Properties: map[string]string{zmtp.PropAck: zmtp.AckVersion}})
		if err != nil {
			t.Fatal(err)
		}
		defer zc.Close()
		if err := zc.WriteMessage([][]byte{[]byte("unnumbered")}); err != nil {
			t.Fatal(err)
		}
		zc.Flush()
		e := waitEvent(t, pull, EventDisconnected, 5*time.Second)
		if !errors.Is(e.Err, ErrAckProtocol) {
			t.Fatalf("disconnect reason %v", e.Err)
		}
		send(t, good, "after")
		expect(t, pull, "after")
		expectNothing(t, pull, 50*time.Millisecond)
	})
}

// TestAckedSilentPeer: a peer that negotiated the extension but never
// answers our PZSTREAM gets nothing and is cut after the handshake
// interval, the messages staying queued for the next connection.
func TestAckedSilentPeer(t *testing.T) {
	ep, conn := fakeAckedPull(t)
	push := newSock(t, Push, WithAckedDelivery(true), WithHandshakeInterval(200*time.Millisecond))
	connectTo(t, push, ep)
	zc := conn()
	readCmd(t, zc, zmtp.CmdAckStream)
	send(t, push, "kept")
	e := waitEvent(t, push, EventDisconnected, 5*time.Second)
	if !errors.Is(e.Err, ErrAckProtocol) {
		t.Fatalf("disconnect reason %v", e.Err)
	}
	if st := push.Stats(); st.Queued != 1 || st.Unacked != 0 {
		t.Fatalf("queued %d unacked %d, want 1 and 0", st.Queued, st.Unacked)
	}
}
