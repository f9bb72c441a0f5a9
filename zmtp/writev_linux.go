package zmtp

import (
	"syscall"
	"unsafe"
)

// sysWrite is one write(2) of w.p, or one writev(2) of w.p and w.q when q
// is set, as raw system calls (see waitWriter).
func (w *waitWriter) sysWrite(fd int) (int, error) {
	if len(w.q) == 0 {
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(w.p))), uintptr(len(w.p)))
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
	w.iov[0].Base, w.iov[1].Base = &w.p[0], &w.q[0]
	w.iov[0].SetLen(len(w.p))
	w.iov[1].SetLen(len(w.q))
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&w.iov[0])), uintptr(len(w.iov)))
	w.iov = iovecs{} // keep neither buffer alive
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
