// Package memconn is an in-memory, buffered net.Conn pair for tests: ZMTP
// peers both write their greeting before reading, which net.Pipe's
// unbuffered writes would deadlock.
package memconn

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// DefaultPipeBuffer is the per-direction capacity of a Pipe.
const DefaultPipeBuffer = 256 << 10

// Pipe returns the two ends of an in-memory, full-duplex connection whose
// writes are buffered (up to bufSize bytes per direction, DefaultPipeBuffer if
// <= 0), unlike net.Pipe whose writes wait for a reader. ZMTP needs that: both
// peers send their greeting and READY before reading the other's. Deadlines
// work as on a TCP connection. Tests use it where a TCP connection would add noise.
func Pipe(bufSize int) (net.Conn, net.Conn) {
	if bufSize <= 0 {
		bufSize = DefaultPipeBuffer
	}
	ab := newPipeDir(bufSize)
	ba := newPipeDir(bufSize)
	a := &pipeConn{rd: ba, wr: ab, local: pipeAddr("pipe-a"), remote: pipeAddr("pipe-b")}
	b := &pipeConn{rd: ab, wr: ba, local: pipeAddr("pipe-b"), remote: pipeAddr("pipe-a")}
	return a, b
}

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeDir is one direction: a bounded byte queue with its reader's and
// writer's deadlines. Every state change closes and replaces changed, which
// wakes all waiters so they re-check.
type pipeDir struct {
	mu       sync.Mutex
	buf      []byte
	size     int
	wclosed  bool // writer closed: reader drains then gets io.EOF
	rclosed  bool // reader closed: writer gets io.ErrClosedPipe
	rdl, wdl time.Time
	changed  chan struct{}
}

func newPipeDir(size int) *pipeDir {
	return &pipeDir{size: size, changed: make(chan struct{})}
}

// signal must be called with mu held.
func (d *pipeDir) signal() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// wait releases mu until the state changes or deadline passes, and reports
// whether the deadline passed. Called with mu held; returns with it held.
func (d *pipeDir) wait(deadline time.Time) bool {
	ch := d.changed
	d.mu.Unlock()
	defer d.mu.Lock()
	if deadline.IsZero() {
		<-ch
		return false
	}
	dur := time.Until(deadline)
	if dur <= 0 {
		return true
	}
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ch:
		return false
	case <-t.C:
		return true
	}
}

func expired(dl time.Time) bool { return !dl.IsZero() && !time.Now().Before(dl) }

type pipeConn struct {
	rd, wr        *pipeDir
	local, remote net.Addr
}

func (c *pipeConn) Read(p []byte) (int, error) {
	d := c.rd
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		switch {
		case d.rclosed:
			return 0, net.ErrClosed
		case len(d.buf) > 0:
			if len(p) == 0 {
				return 0, nil
			}
			n := copy(p, d.buf)
			d.buf = d.buf[n:]
			if len(d.buf) == 0 {
				d.buf = nil // let the backing array go
			}
			d.signal()
			return n, nil
		case d.wclosed:
			return 0, io.EOF
		case expired(d.rdl):
			return 0, os.ErrDeadlineExceeded
		}
		if d.wait(d.rdl) && len(d.buf) == 0 && !d.wclosed && !d.rclosed {
			return 0, os.ErrDeadlineExceeded
		}
	}
}

func (c *pipeConn) Write(p []byte) (int, error) {
	d := c.wr
	d.mu.Lock()
	defer d.mu.Unlock()
	written := 0
	for {
		switch {
		case d.wclosed:
			return written, net.ErrClosed
		case d.rclosed:
			return written, io.ErrClosedPipe
		case written == len(p):
			return written, nil
		case len(d.buf) < d.size:
			n := min(d.size-len(d.buf), len(p)-written)
			d.buf = append(d.buf, p[written:written+n]...)
			written += n
			d.signal()
			continue
		case expired(d.wdl):
			return written, os.ErrDeadlineExceeded
		}
		d.wait(d.wdl)
	}
}

func (c *pipeConn) Close() error {
	for _, d := range []*pipeDir{c.rd, c.wr} {
		d.mu.Lock()
		if d == c.rd {
			d.rclosed = true
		} else {
			d.wclosed = true
		}
		d.signal()
		d.mu.Unlock()
	}
	return nil
}

func (c *pipeConn) LocalAddr() net.Addr  { return c.local }
func (c *pipeConn) RemoteAddr() net.Addr { return c.remote }

func (c *pipeConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *pipeConn) SetReadDeadline(t time.Time) error {
	c.rd.mu.Lock()
	c.rd.rdl = t
	c.rd.signal()
	c.rd.mu.Unlock()
	return nil
}

func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	c.wr.mu.Lock()
	c.wr.wdl = t
	c.wr.signal()
	c.wr.mu.Unlock()
	return nil
}
