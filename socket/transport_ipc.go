package socket

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// listenIPC binds a Unix domain socket. A socket file left by a dead process
// is removed first (nobody answers on it); a live one is ErrAddrInUse; any
// other existing file is left alone and the bind fails.
func listenIPC(ep endpoint, t *tcpOptions) (net.Listener, string, error) {
	path := ep.addr
	if path == "*" {
		dir, err := os.MkdirTemp("", "purezmq-ipc-")
		if err != nil {
			return nil, "", err
		}
		path = filepath.Join(dir, "socket")
	}
	if !strings.HasPrefix(path, "@") {
		if err := removeStaleSocket(path); err != nil {
			return nil, "", err
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", err
	}
	return ipcListener{ln, ipcSendBuffer(t)}, "ipc://" + path, nil
}

func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil // nothing there (or unreadable: let Listen report it)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%w: %s exists and is not a socket", ErrAddrInUse, path)
	}
	c, err := net.DialTimeout("unix", path, 500*time.Millisecond)
	if err == nil {
		c.Close()
		return fmt.Errorf("%w: %s has a live listener", ErrAddrInUse, path)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

func dialIPC(ctx context.Context, ep endpoint, t *tcpOptions) (net.Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", ep.addr)
	if err != nil {
		return nil, err
	}
	setIPCSendBuffer(nc, ipcSendBuffer(t))
	return nc, nil
}

// defaultIPCSendBuffer is the send buffer (SO_SNDBUF) an ipc connection
// asks for unless WithSendBuffer sets one; Linux doubles it (to 512 KiB,
// against the system's default of about 208 KiB). A Unix socket's writer
// may have that much in the peer's queue; with the default, a 1 MiB body
// crossed in five or six writes, each waiting for the reader to drain most
// of the queue and wake it. REQ/REP ipc 1 MiB one-way, medians of 5
// interleaved runs: 321 -> 230 us (libzmq 253); asking for 1 or 2 MiB gave
// no better (268, 260 us), and PUSH->PULL throughput did not change beyond
// the noise (1 MiB: 4920 -> 3961..4631 msg/s, libzmq 4663; 64 KiB:
// 22.5 k -> 27.6 k). The buffer is a bound, not memory held: an idle
// connection costs nothing more.
const defaultIPCSendBuffer = 256 << 10

// ipcSendBuffer is the send buffer to ask for on ipc connections.
func ipcSendBuffer(t *tcpOptions) int {
	if t != nil && t.sndbuf > 0 {
		return t.sndbuf
	}
	return defaultIPCSendBuffer
}

// setIPCSendBuffer sets nc's send buffer, when nc is a Unix socket; a
// system that refuses keeps its default, which only costs speed.
func setIPCSendBuffer(nc net.Conn, n int) {
	if uc, ok := nc.(*net.UnixConn); ok {
		_ = uc.SetWriteBuffer(n)
	}
}

// ipcListener sets the send buffer of each accepted connection: a Unix
// socket's accepted end does not inherit the listener's.
type ipcListener struct {
	net.Listener
	sndbuf int
}

func (l ipcListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err == nil {
		setIPCSendBuffer(nc, l.sndbuf)
	}
	return nc, err
}
