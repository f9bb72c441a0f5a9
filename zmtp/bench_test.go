package zmtp

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

var benchSizes = []int{16, 256, 64 << 10}

// loopReader serves the same encoded stream over and over, without allocating.
type loopReader struct {
	data []byte
	off  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}

// memConn is an in-memory net.Conn: reads come from a loopReader, writes are
// discarded. It measures the codec and buffering, not the kernel.
type memConn struct {
	r io.Reader
}

func (c *memConn) Read(p []byte) (int, error) {
	if c.r == nil {
		return 0, io.EOF
	}
	return c.r.Read(p)
}
func (c *memConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

func BenchmarkFrameWrite(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			body := make([]byte, size)
			fw := NewFrameWriter(io.Discard, 0)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := fw.WriteFrame(0, body); err != nil {
					b.Fatal(err)
				}
			}
			fw.Flush()
		})
	}
}

func BenchmarkFrameRead(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			var stream []byte
			for range 64 {
				stream = AppendFrame(stream, 0, make([]byte, size))
			}
			fr := NewFrameReader(&loopReader{data: stream}, 0)
			buf := make([]byte, 0, size)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				_, body, err := fr.ReadFrame(buf)
				if err != nil {
					b.Fatal(err)
				}
				buf = body
			}
		})
	}
}

// benchConn builds a Conn over memConn as if the handshake had happened.
func benchConn(r io.Reader) *Conn {
	c := newConn(&memConn{r: r}, Config{SocketType: "DEALER"})
	c.mech, _ = NewNull(nil, nil)
	c.peer = Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}
	return c
}

func BenchmarkConnWriteMessageFlush(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c := benchConn(nil)
			msg := [][]byte{make([]byte, size)}
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := c.WriteMessage(msg); err != nil {
					b.Fatal(err)
				}
				if err := c.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkConnWriteMessageBatched(b *testing.B) {
	// The socket layer's writer drains a queue and flushes once per batch.
	for _, size := range benchSizes[:2] {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c := benchConn(nil)
			msg := [][]byte{make([]byte, size)}
			b.ReportAllocs()
			b.SetBytes(int64(size))
			i := 0
			for b.Loop() {
				c.WriteMessage(msg)
				if i++; i%64 == 0 {
					c.Flush()
				}
			}
			c.Flush()
		})
	}
}

func BenchmarkConnReadMessage(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			var stream []byte
			for range 64 {
				stream = AppendFrame(stream, 0, make([]byte, size))
			}
			c := benchConn(&loopReader{data: stream})
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, _, err := c.ReadMessage(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseFrameHeader(b *testing.B) {
	h := AppendFrameHeader(nil, FlagMore, 1<<20)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseFrameHeader(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandshakeNULL(b *testing.B) {
	// Over loopback TCP, both sides: dominated by the round trips.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	b.ReportAllocs()
	for b.Loop() {
		done := make(chan error, 1)
		go func() {
			nc, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			c, err := Handshake(b.Context(), nc, Config{SocketType: "ROUTER"})
			if err == nil {
				c.Close()
			}
			done <- err
		}()
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		c, err := Handshake(b.Context(), nc, Config{SocketType: "DEALER"})
		if err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkConnTCP is end to end over loopback TCP: one goroutine writes
// (flushing every 64 messages, like a batching writer), this one reads.
func BenchmarkConnTCP(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			ch := make(chan *Conn, 1)
			go func() {
				nc, err := ln.Accept()
				if err != nil {
					ch <- nil
					return
				}
				c, _ := Handshake(b.Context(), nc, Config{SocketType: "PULL"})
				ch <- c
			}()
			nc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			w, err := Handshake(b.Context(), nc, Config{SocketType: "PUSH"})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			r := <-ch
			if r == nil {
				b.Fatal("accept side failed")
			}
			defer r.Close()
			msg := [][]byte{make([]byte, size)}
			b.ReportAllocs()
			b.SetBytes(int64(size))
			b.ResetTimer()
			done := make(chan error, 1)
			go func() {
				for i := 0; i < b.N; i++ {
					if err := w.WriteMessage(msg); err != nil {
						done <- err
						return
					}
					if i%64 == 63 {
						w.Flush()
					}
				}
				done <- w.Flush()
			}()
			for i := 0; i < b.N; i++ {
				if _, _, err := r.ReadMessage(); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
