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
//
// Both are raw system calls, without the runtime's entersyscall and
// exitsyscall: the descriptor is non-blocking, so the call never waits and
// there is no P to hand over. Entering a syscall is also what wakes an
// idle process's sysmon thread from its deep sleep, back to polling every
// 20 us; a subscriber that sleeps between bursts paid that wake-up (a
// futex, then a run of nanosleeps) on every burst. Fan-out to 10 SUB
// processes, 16 B: SUB voluntary context switches 34-37 k -> 18-23 k per
// run (libzmq's SUBs 18-20 k), 2.2-2.4 -> 2.9-3.3 M msg/s.
func (r *waitReader) sysRead(fd int) (int, error) {
	if len(r.q) == 0 || len(r.p) == 0 {
		return rawRead(fd, r.p)
	}
	r.iov[0].Base, r.iov[1].Base = &r.p[0], &r.q[0]
	r.iov[0].SetLen(len(r.p))
	r.iov[1].SetLen(len(r.q))
	n, _, e := syscall.RawSyscall(syscall.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(&r.iov[0])), uintptr(len(r.iov)))
	r.iov = iovecs{} // keep neither buffer alive
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// rawRead is read(2) as a raw system call (see sysRead).
func rawRead(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
