//go:build unix

package zmtp

import (
	"io"
	"net"
	"os"
	"syscall"
)

// waitReader reads a socket the way net.Conn does (Go's non-blocking
// descriptor, parking on the poller when there is nothing to read), but
// calls idle at the moment a read finds nothing, before it parks: the one
// point where handing on what was read so far cannot delay anything that
// is already here. Its fields carry the call's arguments and results so
// that a read allocates nothing (a closure per call would). It is used by
// the single reading goroutine only.
type waitReader struct {
	nc   net.Conn
	rc   syscall.RawConn
	do   func(fd uintptr) bool // r.read, bound once
	idle func()
	// yield, when set, is asked after idle whether to end the read with
	// ErrYield instead of waiting (Conn.setYield).
	yield func() bool
	// park, when set, is shown the slice a read was going to fill when it
	// finds nothing to read; if it returns true, it gave the slice's
	// memory back for the wait, and unpark gives the slice to read into
	// once the socket is readable (lazyReader: an idle connection does
	// not hold its buffer).
	park    func(p []byte) bool
	unpark  func() []byte
	gaveBuf bool
	p       []byte
	vecs    [][]byte   // ReadVecs' slices (p is the first); nil: a plain read into p
	iov     readIovecs // readv's vector, kept here so a read allocates nothing
	n       int
	err     error
}

func newWaitReader(nc net.Conn) *waitReader {
	rc := rawConn(nc)
	if rc == nil {
		return nil
	}
	r := &waitReader{nc: nc, rc: rc}
	r.do = r.read
	return r
}

func (r *waitReader) read(fd uintptr) bool {
	for {
		if r.gaveBuf {
			r.p, r.gaveBuf = r.unpark(), false
		}
		r.n, r.err = r.sysRead(int(fd))
		switch r.err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			if r.idle != nil {
				r.idle()
			}
			if r.yield != nil && r.yield() {
				r.err = ErrYield
				return true
			}
			if r.park != nil && r.park(r.p) {
				r.p, r.gaveBuf = nil, true
			}
			return false // park until readable, then try again
		}
		return true
	}
}

// ReadVecs reads like Read into the slices of v, in order, with one call
// where the system has readv (up to readVecMax slices), and into v[0]
// alone where it has not; n counts them all. v[0] must not be empty.
func (r *waitReader) ReadVecs(v [][]byte) (int, error) {
	r.vecs = v
	n, err := r.Read(v[0])
	r.vecs = nil
	return n, err
}

// Read reads what is there, waiting for something when nothing is. Its
// errors look like net.Conn's: io.EOF at the end of the stream, a
// *net.OpError otherwise (closed connection, deadline, reset).
func (r *waitReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p = p
	err := r.rc.Read(r.do)
	n, rerr := r.n, r.err
	r.p, r.err, r.gaveBuf = nil, nil, false
	if err == nil && rerr != nil {
		err = os.NewSyscallError("read", rerr)
	}
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: r.nc.LocalAddr().Network(),
			Source: r.nc.LocalAddr(), Addr: r.nc.RemoteAddr(), Err: err}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}
