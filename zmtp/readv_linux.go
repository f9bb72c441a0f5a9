package zmtp

import (
	"syscall"
	"unsafe"
)

// iovecs is the vector of a two-slice writev.
type iovecs [2]syscall.Iovec

// readVecMax is the most slices one read fills: the body being read, a
// header and a body for each frame guessed ahead (see readahead.go), and
// the read buffer's free part.
const readVecMax = 2 + 2*maxGuesses

// readIovecs is the vector of a readv.
type readIovecs [readVecMax]syscall.Iovec

// sysRead is one read(2) into r.p, or one readv(2) into r.p and then the
// slices of r.vecs after the first (FrameReader.readDirect): a large
// body's remainder and the bytes behind it in a single system call.
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
	if len(r.vecs) < 2 || len(r.p) == 0 {
		return rawRead(fd, r.p)
	}
	r.iov[0].Base = &r.p[0]
	r.iov[0].SetLen(len(r.p))
	k := 1
	for _, v := range r.vecs[1:min(len(r.vecs), readVecMax)] {
		if len(v) > 0 {
			r.iov[k].Base = &v[0]
			r.iov[k].SetLen(len(v))
			k++
		}
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(&r.iov[0])), uintptr(k))
	clear(r.iov[:k]) // keep no buffer alive
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
