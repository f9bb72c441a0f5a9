//go:build unix

package zmtp

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"testing"
)

// unixPair returns the two ends of a Unix stream connection.
func unixPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	return listenPair(t, "unix", filepath.Join(t.TempDir(), "s"))
}

// WriteVec writes all of p and then q, however often the socket fills
// and the writer parks, over TCP and Unix sockets alike.
func TestWaitWriterWriteVec(t *testing.T) {
	for _, tc := range []struct {
		name string
		pair func(*testing.T) (net.Conn, net.Conn)
	}{{"tcp", tcpPair}, {"unix", unixPair}} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.pair(t)
			w := newWaitWriter(a)
			if w == nil {
				t.Fatal("no waitWriter for a socket")
			}
			p, q := make([]byte, 1000), make([]byte, 6<<20) // well past any socket buffer
			for i := range p {
				p[i] = byte(i)
			}
			for i := range q {
				q[i] = byte(i * 7)
			}
			got := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(io.LimitReader(b, int64(len(p)+len(q))))
				got <- b
			}()
			n, err := w.WriteVec(p, q)
			if err != nil || n != len(p)+len(q) {
				t.Fatalf("WriteVec: %d, %v; want %d, nil", n, err, len(p)+len(q))
			}
			if !bytes.Equal(<-got, append(p, q...)) {
				t.Fatal("the peer read other bytes than were written")
			}
		})
	}
}

// TryWrite takes what the socket holds now and returns, without waiting
// for the peer; a write on a closed connection fails.
func TestWaitWriterTry(t *testing.T) {
	a, _ := unixPair(t)
	w := newWaitWriter(a)
	big := make([]byte, 64<<20)
	n, err := w.TryWrite(big)
	if err != nil || n <= 0 || n >= len(big) {
		t.Fatalf("TryWrite into an unread socket: %d, %v; want part of %d", n, err, len(big))
	}
	if n, err := w.TryWrite(big); n != 0 || err != nil {
		t.Fatalf("TryWrite into a full socket: %d, %v; want 0, nil", n, err)
	}
	a.Close()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("Write on a closed connection succeeded")
	}
}
