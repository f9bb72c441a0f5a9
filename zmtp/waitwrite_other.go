//go:build !unix

package zmtp

import "net"

// waitWriter is the Unix raw write; elsewhere the connection writes
// through net.Conn and tryFlush writes nothing, leaving it all to Flush.
type waitWriter struct{}

func newWaitWriter(net.Conn) *waitWriter { return nil }

func (*waitWriter) Write([]byte) (int, error) { return 0, nil }

func (*waitWriter) WriteVec(p, q []byte) (int, error) { return 0, nil }

func (*waitWriter) TryWrite([]byte) (int, error) { return 0, nil }
