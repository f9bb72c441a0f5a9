//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly && !windows

package socket

import (
	"fmt"
	"runtime"
)

const bindToDeviceSupported = false

// setTCPSockopts: this platform's socket options are not wired up; a socket
// that asks for them fails to bind or connect rather than silently running
// without them.
func setTCPSockopts(_ uintptr, _ string, t *tcpOptions) error {
	if t.sndbuf > 0 || t.rcvbuf > 0 || t.tos != 0 {
		return fmt.Errorf("%w: TCP buffer sizes and TOS on %s", ErrNotSupported, runtime.GOOS)
	}
	return nil
}
