//go:build unix && !linux

package zmtp

import "syscall"

// iovecs is empty where writes are never vectored.
type iovecs struct{}

// readIovecs is empty where reads are never vectored.
type readIovecs struct{}

// readVecMax: reads fill one slice here, so nothing is guessed ahead.
const readVecMax = 1

// sysRead is one read(2) into r.p; the other slices of r.vecs are left
// alone here (ReadVecs then reads into the first only, which its callers
// allow).
func (r *waitReader) sysRead(fd int) (int, error) { return syscall.Read(fd, r.p) }
