package zmtp

import (
	"bytes"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// WriteVec writes all of p and then q, however often the socket's buffer
// fills on the way (the reader here drains it in small pieces), and counts
// both; Write is WriteVec without q.
func TestWaitWriterWriteVec(t *testing.T) {
	a, b := tcpPair(t)
	w := newWaitWriter(a)
	if w == nil {
		t.Fatal("no waitWriter for a TCP connection")
	}
	p, q := make([]byte, 3<<20+5), make([]byte, 5<<20+3)
	for i := range p {
		p[i] = byte(i)
	}
	for i := range q {
		q[i] = byte(i * 7)
	}
	tail := []byte("tail")
	want := cat(p, q, tail)
	got := make(chan []byte, 1)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for len(all) < len(want) {
			n, err := b.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				break
			}
		}
		got <- all
	}()
	if n, err := w.WriteVec(p, q); err != nil || n != len(p)+len(q) {
		t.Fatalf("WriteVec = %d, %v; want %d, nil", n, err, len(p)+len(q))
	}
	if n, err := w.Write(tail); err != nil || n != len(tail) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if n, err := w.WriteVec(nil, nil); err != nil || n != 0 {
		t.Fatalf("WriteVec(nil, nil) = %d, %v", n, err)
	}
	if all := <-got; !bytes.Equal(all, want) {
		t.Fatalf("read %d bytes, not the %d written", len(all), len(want))
	}
}

// A write that cannot finish by the deadline fails like net.Conn's, with
// the count of what went out; one on a closed connection reports
// net.ErrClosed.
func TestWaitWriterErrors(t *testing.T) {
	a, b := tcpPair(t)
	w := newWaitWriter(a)
	_ = a.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	big := make([]byte, 64<<20) // more than both sockets' buffers: nobody reads b
	n, err := w.WriteVec(big[:1<<20], big)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n >= len(big)+1<<20 {
		t.Fatalf("WriteVec past the deadline = %d, %v", n, err)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "write" {
		t.Fatalf("error %v is not a write *net.OpError", err)
	}
	_ = a.SetWriteDeadline(time.Time{})
	_ = b.Close()
	_ = a.Close()
	if _, err := w.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write on a closed connection = %v, want net.ErrClosed", err)
	}
}
