//go:build unix

package zmtp

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// The idle hook runs when a read finds nothing and is about to wait, not
// while data is there to be read.
func TestWaitReaderIdle(t *testing.T) {
	a, b := tcpPair(t)
	r := newWaitReader(b)
	if r == nil {
		t.Fatal("no waitReader for a TCP connection")
	}
	idle := 0
	r.idle = func() { idle++ }
	if _, err := a.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	// Wait until the bytes are there, so the reads below need not wait.
	deadline := time.Now().Add(5 * time.Second)
	got := 0
	for got < 1000 && time.Now().Before(deadline) {
		n, err := r.Read(make([]byte, 10))
		if err != nil {
			t.Fatal(err)
		}
		got += n
		if got == 10 && idle > 0 {
			// The first read may have come before the data: start over.
			idle = 0
		}
	}
	if idle != 0 {
		t.Fatalf("idle called %d times while data was waiting", idle)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		a.Write([]byte("late"))
	}()
	buf := make([]byte, 10)
	n, err := r.Read(buf)
	if err != nil || string(buf[:n]) != "late" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if idle != 1 {
		t.Fatalf("idle called %d times for one wait, want 1", idle)
	}
}

// Errors look like net.Conn's: io.EOF at the end, a timeout for a
// deadline, net.ErrClosed after Close.
func TestWaitReaderErrors(t *testing.T) {
	a, b := tcpPair(t)
	r := newWaitReader(b)
	a.Close()
	if _, err := r.Read(make([]byte, 4)); err != io.EOF {
		t.Fatalf("after the peer closed: %v, want io.EOF", err)
	}

	a, b = tcpPair(t)
	r = newWaitReader(b)
	b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := r.Read(make([]byte, 4))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("past the deadline: %v, want a timeout", err)
	}
	b.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		b.Close()
	}()
	if _, err := r.Read(make([]byte, 4)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("after Close: %v, want net.ErrClosed", err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Fatalf("empty read: %d, %v", n, err)
	}
	_ = a
}
