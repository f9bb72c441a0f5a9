//go:build unix && !linux

package zmtp

import "syscall"

// sysWrite is the non-blocking write of nbWriter; raw on Linux
// (rawwrite_linux.go).
func sysWrite(fd int, p []byte) (int, error) { return syscall.Write(fd, p) }
