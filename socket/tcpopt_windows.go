package socket

import "syscall"

const bindToDeviceSupported = false

// setTCPSockopts sets the buffer sizes; Windows ignores IP_TOS set by
// ordinary programs (QoS goes through its own API), so WithTOS does nothing.
func setTCPSockopts(fd uintptr, _ string, t *tcpOptions) error {
	h := syscall.Handle(fd)
	if t.sndbuf > 0 {
		if err := syscall.SetsockoptInt(h, syscall.SOL_SOCKET, syscall.SO_SNDBUF, t.sndbuf); err != nil {
			return sockoptError("SO_SNDBUF", err)
		}
	}
	if t.rcvbuf > 0 {
		if err := syscall.SetsockoptInt(h, syscall.SOL_SOCKET, syscall.SO_RCVBUF, t.rcvbuf); err != nil {
			return sockoptError("SO_RCVBUF", err)
		}
	}
	return nil
}
