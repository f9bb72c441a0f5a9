package zmtp

import (
	"syscall"
	"unsafe"
)

// iovecs is the vector of a two-slice readv.
type iovecs [2]syscall.Iovec

// sysRead is one read(2) into r.p, or one readv(2) into r.p and r.q when
// q is set: a large body's remainder and the bytes behind it in a single
// system call (FrameReader.readDirect).
func (r *waitReader) sysRead(fd int) (int, error) {
	if len(r.q) == 0 || len(r.p) == 0 {
		return syscall.Read(fd, r.p)
	}
	r.iov[0].Base, r.iov[1].Base = &r.p[0], &r.q[0]
	r.iov[0].SetLen(len(r.p))
	r.iov[1].SetLen(len(r.q))
	n, _, e := syscall.Syscall(syscall.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(&r.iov[0])), uintptr(len(r.iov)))
	r.iov = iovecs{} // keep neither buffer alive
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
