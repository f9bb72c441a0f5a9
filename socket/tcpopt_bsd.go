//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package socket

// SO_BINDTODEVICE is Linux's; WithBindToDevice fails in New elsewhere.
const bindToDeviceSupported = false

func setTCPSockopts(fd uintptr, network string, t *tcpOptions) error {
	if err := setBuffersUnix(int(fd), t); err != nil {
		return err
	}
	return setTOSUnix(int(fd), network, t.tos)
}
