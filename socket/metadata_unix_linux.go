package socket

import (
	"fmt"
	"net"
	"syscall"
)

// unixPeerAddress is libzmq's Peer-Address of an ipc connection on Linux:
// "localhost" (what getnameinfo says of a unix socket) followed by the
// peer process's credentials, ":uid:gid:pid", from SO_PEERCRED.
func unixPeerAddress(uc *net.UnixConn) string {
	rc, err := uc.SyscallConn()
	if err != nil {
		return ""
	}
	var cred *syscall.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return ""
	}
	return fmt.Sprintf("localhost:%d:%d:%d", cred.Uid, cred.Gid, cred.Pid)
}
