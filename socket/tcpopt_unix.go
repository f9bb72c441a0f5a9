//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package socket

import "golang.org/x/sys/unix"

func setBuffersUnix(s int, t *tcpOptions) error {
	if t.sndbuf > 0 {
		if err := unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_SNDBUF, t.sndbuf); err != nil {
			return sockoptError("SO_SNDBUF", err)
		}
	}
	if t.rcvbuf > 0 {
		if err := unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUF, t.rcvbuf); err != nil {
			return sockoptError("SO_RCVBUF", err)
		}
	}
	return nil
}

// setTOSUnix sets IP_TOS, and on an IPv6 socket IPV6_TCLASS as well: a
// dual-stack socket sends IPv4 packets with IP_TOS and IPv6 ones with the
// traffic class, and some systems refuse IP_TOS on IPv6 sockets, which
// matters only for IPv4-mapped peers there.
func setTOSUnix(s int, network string, tos int) error {
	if tos == 0 {
		return nil
	}
	if network == "tcp6" {
		if err := unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos); err != nil {
			return sockoptError("IPV6_TCLASS", err)
		}
		_ = unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_TOS, tos)
		return nil
	}
	return sockoptError("IP_TOS", unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_TOS, tos))
}
