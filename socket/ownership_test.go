package socket

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// The ownership rules a user porting ZeroMQ programs relies on (libzmq and
// pyzmq copy on send): after Send returns, the caller's buffer is the
// caller's again, and a received message stays the receiver's until it
// releases it, even after sending it on.

var ownershipTransports = []string{"tcp", "ipc", "inproc"}

// One buffer reused for every Send never changes what is delivered, for
// small messages (copied into the writer's buffer) and large ones (written
// from the socket's own copy), PUSH to PULL and PUB to SUB.
func TestSendReusedBufferDelivered(t *testing.T) {
	for _, tr := range ownershipTransports {
		for _, size := range []int{0, 20 << 10} {
			t.Run(fmt.Sprintf("%s/pad%d", tr, size), func(t *testing.T) {
				pull := newSock(t, Pull, WithRecvHWM(0))
				push := newSock(t, Push, WithSendHWM(0))
				connectTo(t, push, bindAt(t, pull, tr))
				checkReusedBuffer(t, push, pull, size, 500)
			})
		}
		t.Run(tr+"/pubsub", func(t *testing.T) {
			pub := newSock(t, Pub, WithSendHWM(0))
			sub := newSock(t, Sub, WithRecvHWM(0))
			if err := sub.Subscribe(nil); err != nil {
				t.Fatal(err)
			}
			connectTo(t, sub, bindAt(t, pub, tr))
			syncSub(t, pub, sub, "sync")
			checkReusedBuffer(t, pub, sub, 0, 500)
		})
	}
}

// checkReusedBuffer sends n messages "msg %04d" (padded by pad bytes of the
// same digit) from one reused buffer, all before receiving any, then checks
// each one received.
func checkReusedBuffer(t *testing.T, from, to *Socket, pad, n int) {
	t.Helper()
	ctx := ctxT(t, 20*time.Second)
	var b []byte
	for i := range n {
		b = fmt.Appendf(b[:0], "msg %04d", i)
		b = append(b, bytes.Repeat([]byte{byte('0' + i%10)}, pad)...)
		if err := from.Send(ctx, NewMsg(b)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		m, err := to.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Frames[0]) == "sync" {
			i--
			continue
		}
		want := fmt.Appendf(nil, "msg %04d", i)
		want = append(want, bytes.Repeat([]byte{byte('0' + i%10)}, pad)...)
		if len(m.Frames) != 1 || !bytes.Equal(m.Frames[0], want) {
			t.Fatalf("message %d: got %.12q (%d bytes), want %.12q", i, m.Frames[0], len(m.Frames[0]), want)
		}
		m.Release()
	}
}

// A ROUTER that keeps a received body and sends the message on (back to
// its DEALER) still sees the kept body unchanged after many more messages
// went through, released and recycled, for small and pooled sizes.
func TestKeptFrameAfterSendUnchanged(t *testing.T) {
	for _, tr := range ownershipTransports {
		for _, size := range []int{16, 8 << 10, 64 << 10} {
			t.Run(fmt.Sprintf("%s/%d", tr, size), func(t *testing.T) {
				router := newSock(t, Router)
				dealer := newSock(t, Dealer)
				connectTo(t, dealer, bindAt(t, router, tr))
				ctx := ctxT(t, 20*time.Second)
				const n = 40
				var kept [][]byte
				for i := range n {
					if err := dealer.Send(ctx, NewMsg(body(i, size))); err != nil {
						t.Fatal(err)
					}
					m, err := router.Recv(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if i%2 == 0 {
						kept = append(kept, m.Frames[1]) // kept, never released
					}
					if err := router.Send(ctx, m); err != nil {
						t.Fatal(err)
					}
					if i%2 == 1 {
						m.Release() // mine to release after Send
					}
					echo, err := dealer.Recv(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(echo.Frames[0], body(i, size)) {
						t.Fatalf("echo %d corrupted", i)
					}
					echo.Release()
				}
				for k, f := range kept {
					if !bytes.Equal(f, body(2*k, size)) {
						t.Fatalf("kept body of message %d changed after it was sent on", 2*k)
					}
				}
			})
		}
	}
}

// A received message forwarded with Send is still the receiver's: writing
// over it and releasing it once Send returned changes nothing the socket
// still writes.
func TestSendThenReleaseReceived(t *testing.T) {
	for _, tr := range ownershipTransports {
		t.Run(tr, func(t *testing.T) {
			pull := newSock(t, Pull)
			push := newSock(t, Push)
			connectTo(t, push, bindAt(t, pull, tr))
			fwdIn := newSock(t, Pull)
			fwdOut := newSock(t, Push)
			connectTo(t, fwdOut, bindAt(t, fwdIn, tr))
			ctx := ctxT(t, 20*time.Second)
			const n = 30
			for i := range n {
				if err := push.Send(ctx, NewMsg(body(i, 16<<10))); err != nil {
					t.Fatal(err)
				}
				m, err := pull.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := fwdOut.Send(ctx, m); err != nil {
					t.Fatal(err)
				}
				// Overwritten and released at once, as a pooled buffer's
				// next user would: the forwarded copy must not change.
				for j := range m.Frames[0] {
					m.Frames[0][j] = 0xEE
				}
				m.Release()
			}
			for i := range n {
				m, err := fwdIn.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(m.Frames[0], body(i, 16<<10)) {
					t.Fatalf("forwarded message %d changed after the sender released its original", i)
				}
			}
		})
	}
}
