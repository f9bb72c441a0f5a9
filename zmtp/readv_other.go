//go:build unix && !linux

package zmtp

import "syscall"

// iovecs is empty where reads are never vectored.
type iovecs struct{}

// sysRead is one read(2) into r.p; r.q is left alone here (ReadVec then
// reads into p only, which its callers allow).
func (r *waitReader) sysRead(fd int) (int, error) { return syscall.Read(fd, r.p) }
