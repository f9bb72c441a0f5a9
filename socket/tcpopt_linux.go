package socket

import "golang.org/x/sys/unix"

const bindToDeviceSupported = true

// setTCPSockopts sets the descriptor-level TCP options on a new socket of
// network "tcp4" or "tcp6", before bind or connect.
func setTCPSockopts(fd uintptr, network string, t *tcpOptions) error {
	s := int(fd)
	if t.device != "" {
		// Before bind, so a listener takes only the device's traffic.
		if err := unix.BindToDevice(s, t.device); err != nil {
			return sockoptError("SO_BINDTODEVICE "+t.device, err)
		}
	}
	if err := setBuffersUnix(s, t); err != nil {
		return err
	}
	return setTOSUnix(s, network, t.tos)
}
