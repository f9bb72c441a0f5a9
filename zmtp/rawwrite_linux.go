package zmtp

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// Writes to the network as raw system calls.
//
// A write through net.Conn enters the runtime's syscall state
// (entersyscall), and entering it is what wakes an idle process's sysmon
// thread from its deep sleep back into polling every 20 us: in request/reply
// every round trip leaves the process idle, so each request's write woke
// sysmon (a futex) and sysmon then slept and woke again in nanosleeps
// while the reply travelled, on the CPUs the peer needed. REQ over tcp
// against libzmq's REP, 16 B, 5000 round trips (perf record -e
// sched:sched_waking -g): 3678 of 12065 wake-ups came from the request's
// write waking sysmon, second only to the reader handing the reply to Recv.
// The descriptor is non-blocking, so the call never waits and there is no
// P to hand over; a write that would wait returns EAGAIN and the writer
// parks on the poller like net.Conn's does. The reads are raw for the same
// reason (readv_linux.go).

// rawWrite is write(2) as a raw system call.
func rawWrite(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// sysWrite is the non-blocking write of nbWriter (nbwrite_unix.go).
func sysWrite(fd int, p []byte) (int, error) { return rawWrite(fd, p) }

// maxWrite bounds one system call, as the net package does: Linux takes
// a little under 2 GiB per write.
const maxWrite = 1 << 30

// waitWriter writes everything it is given, the way net.Conn does (Go's
// non-blocking descriptor, parking on the poller while the socket's buffer
// is full, honouring write deadlines), with raw system calls, and writes
// two slices with one writev. Its fields carry the call's arguments and
// results so that a write allocates nothing. It is used under Conn.wmu only.
type waitWriter struct {
	nc   net.Conn
	rc   syscall.RawConn
	do   func(fd uintptr) bool // w.write, bound once
	p, q []byte                // what is left to write: p, then q
	iov  iovecs
	n    int
	err  error
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

// write is RawConn.Write's callback: it writes until nothing is left
// (true), an error (true, w.err set) or a full socket buffer (false: the
// poller waits until the socket is writable and calls it again).
func (w *waitWriter) write(fd uintptr) bool {
	for len(w.p)+len(w.q) > 0 {
		n, err := w.sysWrite(int(fd))
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil:
			w.err = err
			return true
		case n == 0:
			w.err = io.ErrUnexpectedEOF
			return true
		}
		w.n += n
		if n < len(w.p) {
			w.p = w.p[n:]
			continue
		}
		w.q = w.q[n-len(w.p):]
		w.p, w.q = w.q, nil
	}
	return true
}

// sysWrite is one write(2) of p, or one writev(2) of p and q when both
// have bytes.
func (w *waitWriter) sysWrite(fd int) (int, error) {
	if len(w.q) == 0 || len(w.p) == 0 {
		p := w.p
		if len(p) == 0 {
			p = w.q
		}
		return rawWrite(fd, p[:min(len(p), maxWrite)])
	}
	q := w.q[:min(len(w.q), maxWrite)]
	w.iov[0].Base, w.iov[1].Base = &w.p[0], &q[0]
	w.iov[0].SetLen(len(w.p))
	w.iov[1].SetLen(len(q))
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&w.iov[0])), uintptr(len(w.iov)))
	w.iov = iovecs{} // keep neither buffer alive
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// Write writes all of p.
func (w *waitWriter) Write(p []byte) (int, error) { return w.WriteVec(p, nil) }

// WriteVec writes all of p and then all of q; n counts both. Its errors
// look like net.Conn's: a *net.OpError.
func (w *waitWriter) WriteVec(p, q []byte) (int, error) {
	if len(p)+len(q) == 0 {
		return 0, nil
	}
	w.p, w.q, w.n = p, q, 0
	err := w.rc.Write(w.do)
	n, werr := w.n, w.err
	w.p, w.q, w.err = nil, nil, nil
	if err == nil && werr != nil {
		err = os.NewSyscallError("write", werr)
	}
	if err != nil {
		return n, &net.OpError{Op: "write", Net: w.nc.LocalAddr().Network(),
			Source: w.nc.LocalAddr(), Addr: w.nc.RemoteAddr(), Err: err}
	}
	return n, nil
}
