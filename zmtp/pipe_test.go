package zmtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/memconn"
)

func TestPipeHandshake(t *testing.T) {
	for _, oneByte := range []bool{false, true} {
		a, b := memconn.Pipe(0)
		if oneByte {
			a, b = newOneByteConn(a), newOneByteConn(b)
		}
		ra, rb := handshakeBoth(t, a, b,
			Config{SocketType: "PAIR", Security: Security{Mechanism: "PLAIN", Username: "u", Password: "p"}},
			Config{SocketType: "PAIR", Security: Security{Mechanism: "PLAIN", Server: true, Authenticate: plainUsers(map[string]string{"u": "p"})}})
		if ra.err != nil || rb.err != nil {
			t.Fatal(ra.err, rb.err)
		}
		// Larger than the pipe: the writer blocks, then drains.
		big := bytes.Repeat([]byte("q"), memconn.DefaultPipeBuffer+memconn.DefaultPipeBuffer/4)
		go func() {
			ra.c.WriteMessage([][]byte{[]byte("a"), big})
			ra.c.Flush()
		}()
		if got := recv(t, rb.c); len(got) != 2 || !bytes.Equal(got[1], big) {
			t.Fatal("message differs")
		}
	}
}

func TestPipeSemantics(t *testing.T) {
	a, b := memconn.Pipe(4)
	defer a.Close()
	if n, err := a.Write([]byte("abc")); n != 3 || err != nil {
		t.Fatal(n, err)
	}
	// A full pipe blocks the writer until its deadline.
	a.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	if n, err := a.Write([]byte("defg")); n != 1 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(n, err)
	}
	buf := make([]byte, 10)
	if n, err := b.Read(buf); n != 4 || err != nil || string(buf[:n]) != "abcd" {
		t.Fatal(n, err)
	}
	b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := b.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(err)
	}
	b.SetReadDeadline(time.Time{})
	// A deadline set while blocked wakes the reader.
	time.AfterFunc(20*time.Millisecond, func() { b.SetReadDeadline(time.Now()) })
	if _, err := b.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(err)
	}
	b.SetReadDeadline(time.Time{})
	a.Write([]byte("z"))
	a.Close()
	if n, _ := b.Read(buf); n != 1 {
		t.Fatal("data written before Close lost")
	}
	if _, err := b.Read(buf); err != io.EOF {
		t.Fatal(err)
	}
	if _, err := b.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatal(err)
	}
	b.Close()
	if _, err := b.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	if a.LocalAddr().String() != b.RemoteAddr().String() {
		t.Fatal("addresses")
	}
}

func TestPipeHandshakeTimeout(t *testing.T) {
	a, b := memconn.Pipe(0)
	defer b.Close()
	_, err := Handshake(context.Background(), a, Config{SocketType: "DEALER", HandshakeTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrHandshakeTimeout) {
		t.Fatal(err)
	}
}

// net.Pipe does not buffer: a write waits for the other side's read. The
// handshake must still work, since both peers write before reading.
func TestNetPipeHandshake(t *testing.T) {
	auth := plainUsers(map[string]string{"u": "p"})
	cases := []struct {
		name   string
		ca, cb Config
		ok     bool
	}{
		{"NULL", Config{SocketType: "REQ"}, Config{SocketType: "REP"}, true},
		{"PLAIN", Config{SocketType: "REQ", Security: Security{Mechanism: "PLAIN", Username: "u", Password: "p"}},
			Config{SocketType: "ROUTER", Security: Security{Mechanism: "PLAIN", Server: true, Authenticate: auth}}, true},
		{"PLAIN refused", Config{SocketType: "REQ", Security: Security{Mechanism: "PLAIN", Username: "u", Password: "x"}},
			Config{SocketType: "ROUTER", Security: Security{Mechanism: "PLAIN", Server: true, Authenticate: auth}}, false},
		{"incompatible", Config{SocketType: "REQ"}, Config{SocketType: "PULL"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			start := time.Now()
			ra, rb := handshakeBoth(t, a, b, tc.ca, tc.cb)
			if time.Since(start) > 5*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
			if !tc.ok {
				if ra.err == nil || rb.err == nil {
					t.Fatalf("accepted: %v / %v", ra.err, rb.err)
				}
				if tc.name == "PLAIN refused" {
					var pe *PeerError
					if !errors.As(ra.err, &pe) || !errors.Is(rb.err, ErrAuthFailed) {
						t.Fatalf("%v / %v", ra.err, rb.err)
					}
				}
				return
			}
			if ra.err != nil || rb.err != nil {
				t.Fatal(ra.err, rb.err)
			}
			done := make(chan error, 1)
			go func() { done <- ra.c.WriteMessage([][]byte{[]byte("hi")}); ra.c.Flush() }()
			if got := recv(t, rb.c); string(got[0]) != "hi" {
				t.Fatal(got)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
