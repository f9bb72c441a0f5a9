package socket

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// TestEmptyFrameFloodDisconnects is finding 3 of issue 14 at socket level:
// a peer sending 5,000,000 empty frames with MORE (10 MB on the wire) to a
// PULL with WithMaxMsgSize(1000) took it from 0.9 MiB to 364 MiB, with no
// disconnect and no event. Now the connection is cut after 64 frames, the
// monitor says why (a *zmtp.MessageSizeError) and the heap does not grow
// with the flood; the other peers are served on.
func TestEmptyFrameFloodDisconnects(t *testing.T) {
	pull := newSock(t, Pull, WithMaxMsgSize(1000))
	ep := bindAt(t, pull, "tcp")
	good := newSock(t, Push)
	connectTo(t, good, ep)
	send(t, good, "before")
	expect(t, pull, "before")

	nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	zc, err := zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: "PUSH"})
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapInuse
	const frames = 5_000_000
	chunk := bytes.Repeat(zmtp.AppendFrame(nil, zmtp.FlagMore, nil), 100_000)
	wrote := make(chan int, 1)
	go func() {
		n := 0
		for n < frames {
			if _, err := nc.Write(chunk); err != nil {
				break // cut by the receiver, as it should
			}
			n += 100_000
		}
		wrote <- n
	}()
	e := waitEvent(t, pull, EventDisconnected, 10*time.Second)
	var se *zmtp.MessageSizeError
	if !errors.As(e.Err, &se) || !errors.Is(e.Err, zmtp.ErrMessageTooLarge) {
		t.Fatalf("disconnect reason %v, want a *zmtp.MessageSizeError", e.Err)
	}
	n := <-wrote
	runtime.ReadMemStats(&ms)
	grew := int64(ms.HeapInuse) - int64(before)
	t.Logf("cut after %d frames (peer wrote %d of %d); heap in use grew %d KiB: %v", se.Frames, n, frames, grew>>10, e.Err)
	if se.Frames > 1000/zmtp.FrameCost+2 || grew > 8<<20 {
		t.Fatalf("flood of %d frames: cut at frame %d, heap grew %d bytes", n, se.Frames, grew)
	}
	send(t, good, "after")
	expect(t, pull, "after")
}
