//go:build unix

package zmtp

import (
	"net"
	"syscall"
)

// nbWriter writes to a socket without waiting: one write(2) on the
// non-blocking descriptor Go keeps for every net.Conn, EAGAIN reported as
// nothing written. Its fields carry the call's arguments and results so
// that a write allocates nothing (a closure passed to RawConn.Write would).
// It is used under Conn.wmu only.
type nbWriter struct {
	rc  syscall.RawConn
	do  func(fd uintptr) bool // w.write, bound once
	b   []byte
	n   int
	err error
}

func newNBWriter(nc net.Conn) *nbWriter {
	rc := rawConn(nc)
	if rc == nil {
		return nil
	}
	w := &nbWriter{rc: rc}
	w.do = w.write
	return w
}

// rawConn returns nc's descriptor access, or nil when nc is not a socket
// (net.Pipe, a TLS wrapper).
func rawConn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

func (w *nbWriter) write(fd uintptr) bool {
	for {
		w.n, w.err = sysWrite(int(fd), w.b)
		if w.err != syscall.EINTR {
			return true // done either way: never wait for writability
		}
	}
}

// Write writes what the socket takes now of b.
func (w *nbWriter) Write(b []byte) (int, error) {
	w.b = b
	err := w.rc.Write(w.do)
	n, werr := w.n, w.err
	w.b, w.err = nil, nil
	switch {
	case err != nil:
		return 0, err
	case werr == syscall.EAGAIN:
		return 0, nil
	case werr != nil:
		return 0, werr
	}
	return n, nil
}
