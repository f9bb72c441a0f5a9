package zmtp

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
)

// A stream that takes part of what TryFlush offers keeps the rest queued in
// order, and the next TryFlush continues where the last one stopped.
func TestFrameWriterTryFlushPartial(t *testing.T) {
	var out bytes.Buffer
	fw := NewFrameWriter(&out, 64)
	for i := byte(0); i < 5; i++ {
		if err := fw.WriteFrame(0, []byte{i, i, i}); err != nil {
			t.Fatal(err)
		}
	}
	want := append([]byte(nil), fw.buf...)
	take := func(k int) func([]byte) (int, error) {
		return func(b []byte) (int, error) { k = min(k, len(b)); out.Write(b[:k]); return k, nil }
	}
	if done, err := fw.tryFlush(take(7)); done || err != nil {
		t.Fatalf("TryFlush taking 7 of %d bytes: done %v, err %v", len(want), done, err)
	}
	if fw.Buffered() != len(want)-7 {
		t.Fatalf("Buffered %d after a partial write, want %d", fw.Buffered(), len(want)-7)
	}
	if done, _ := fw.tryFlush(take(0)); done {
		t.Fatal("TryFlush done though nothing was taken")
	}
	if done, err := fw.tryFlush(take(1 << 20)); !done || err != nil {
		t.Fatalf("TryFlush taking everything: done %v, err %v", done, err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("stream got % x, want % x", out.Bytes(), want)
	}
	failed := errors.New("boom")
	fw.WriteFrame(0, []byte("x"))
	if _, err := fw.tryFlush(func([]byte) (int, error) { return 0, failed }); err != failed {
		t.Fatalf("TryFlush error %v, want the stream's", err)
	}
}

// Conn.TryFlush against a peer that does not read: it returns at once when
// the socket buffers are full, keeps the rest, and a later Flush delivers
// every message whole and in order once the peer reads.
func TestConnTryFlushNeverWaits(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "DEALER"}, Config{SocketType: "DEALER"}, false)
	body := bytes.Repeat([]byte{'z'}, 4000)
	sent := 0
	var pending bool
	deadline := time.Now().Add(10 * time.Second)
	for !pending {
		if time.Now().After(deadline) {
			t.Fatal("the socket never filled up")
		}
		body[0] = byte(sent)
		if err := a.WriteMessage([][]byte{body}); err != nil {
			t.Fatal(err)
		}
		sent++
		start := time.Now()
		done, err := a.tryFlush()
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("TryFlush took %v", d)
		}
		pending = !done
	}
	if a.Buffered() == 0 {
		t.Fatal("TryFlush reported bytes left but none are buffered")
	}
	flushed := make(chan error, 1)
	go func() { flushed <- a.Flush() }()
	for i := 0; i < sent; i++ {
		m, _, err := b.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if len(m) != 1 || len(m[0]) != len(body) || m[0][0] != byte(i) {
			t.Fatalf("message %d arrived wrong (%d frames)", i, len(m))
		}
	}
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if sent < 10 {
		t.Fatalf("socket full after only %d messages", sent)
	}
}

// Without a non-blocking write (net.Pipe is no socket) TryFlush leaves
// everything to Flush.
func TestConnTryFlushWithoutSocket(t *testing.T) {
	x, y := net.Pipe()
	defer x.Close()
	defer y.Close()
	c := newConn(x, Config{})
	c.fw.WriteFrame(0, []byte("hello"))
	if done, err := c.tryFlush(); done || err != nil {
		t.Fatalf("TryFlush on net.Pipe: done %v, err %v; want false, nil", done, err)
	}
	if c.Buffered() == 0 {
		t.Fatal("TryFlush dropped the queued bytes")
	}
}
