//go:build !unix

package zmtp

import "net"

// waitReader is the Unix read that reports going idle; elsewhere the
// connection reads through net.Conn and the idle hook runs before every
// read.
type waitReader struct{ idle func() }

func newWaitReader(net.Conn) *waitReader { return nil }

func (*waitReader) Read([]byte) (int, error) { return 0, nil }
