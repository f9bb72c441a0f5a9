//go:build unix

package zmtp

import (
	"net"
	"os"
	"syscall"
)

// waitWriter writes to a socket through Go's non-blocking descriptor with
// raw system calls (sysWrite), parking on the poller when the socket is
// full, as net.Conn's Write does but without the runtime's entersyscall
// and exitsyscall around each write. A large write copies into the kernel
// for tens of microseconds; inside entersyscall that is long enough for
// sysmon to take the P away (a futex wake of another thread, and on
// return a hand-back), and every syscall entered keeps sysmon polling at
// its fastest. Streaming 1 MiB messages over ipc, the sender spent a fifth
// of its samples in sysmon's nanosleeps and futex waits (perf record -g).
// The descriptor is non-blocking, so a write never waits inside the
// kernel: there is no P worth handing over.
//
// Its fields carry the call's arguments and results so that a write
// allocates nothing (a closure passed to RawConn.Write would). It is used
// under Conn.wmu only.
type waitWriter struct {
	nc  net.Conn
	rc  syscall.RawConn
	do  func(fd uintptr) bool // w.write, bound once
	try bool                  // return at EAGAIN instead of parking
	p   []byte
	q   []byte // written after p, with the same call where there is writev
	iov iovecs
	n   int // bytes written by this call so far
	err error
}

func newWaitWriter(nc net.Conn) *waitWriter {
	rc := rawConn(nc)
	if rc == nil {
		return nil
	}
	w := &waitWriter{nc: nc, rc: rc}
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

// write writes p and q until both are out, the socket is full or an
// error comes. Like net.Conn's Write it retries after a partial write
// until the kernel says EAGAIN, so that parking always follows a write
// the poller will report the end of.
func (w *waitWriter) write(fd uintptr) bool {
	for {
		n, err := w.sysWrite(int(fd))
		switch err {
		case nil:
			w.n += n
			w.advance(n)
			if len(w.p) == 0 {
				return true
			}
		case syscall.EINTR:
		case syscall.EAGAIN:
			return w.try
		default:
			w.err = err
			return true
		}
	}
}

// advance drops the first n written bytes of p and q.
func (w *waitWriter) advance(n int) {
	if n < len(w.p) {
		w.p = w.p[n:]
		return
	}
	w.p, w.q = w.q[n-len(w.p):], nil
}

// Write writes all of b, waiting for room when the socket is full. Its
// errors look like net.Conn's (a *net.OpError).
func (w *waitWriter) Write(b []byte) (int, error) { return w.WriteVec(b, nil) }

// WriteVec writes all of p and then q, with one system call each time
// where the system has writev; n counts both.
func (w *waitWriter) WriteVec(p, q []byte) (int, error) {
	if len(p) == 0 {
		p, q = q, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	w.p, w.q, w.try = p, q, false
	return w.run()
}

// TryWrite writes what the socket takes now of b, without waiting.
func (w *waitWriter) TryWrite(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	w.p, w.q, w.try = b, nil, true
	return w.run()
}

func (w *waitWriter) run() (int, error) {
	err := w.rc.Write(w.do)
	n, werr := w.n, w.err
	w.p, w.q, w.n, w.err = nil, nil, 0, nil
	if err == nil && werr != nil {
		err = os.NewSyscallError("write", werr)
	}
	if err != nil {
		return n, &net.OpError{Op: "write", Net: w.nc.LocalAddr().Network(),
			Source: w.nc.LocalAddr(), Addr: w.nc.RemoteAddr(), Err: err}
	}
	return n, nil
}
