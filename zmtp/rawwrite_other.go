//go:build !linux

package zmtp

import "net"

// waitWriter is Linux's raw-syscall writer (rawwrite_linux.go); elsewhere
// the connection writes through net.Conn.
type waitWriter struct{}

func newWaitWriter(net.Conn) *waitWriter { return nil }

func (*waitWriter) Write([]byte) (int, error) { return 0, nil }

func (*waitWriter) WriteVec(_, _ []byte) (int, error) { return 0, nil }
