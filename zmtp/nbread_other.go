//go:build !unix

package zmtp

import "net"

// waitReader is the Unix read that reports going idle; elsewhere the
// connection reads through net.Conn and the idle hook runs before every
// read. Nor is the read buffer given back while waiting (park, unpark):
// an idle connection here holds its read buffer.
type waitReader struct {
	idle   func()
	yield  func() bool // unused: no non-blocking reader here (newWaitReader returns nil)
	park   func([]byte) bool
	unpark func() []byte
}

func newWaitReader(net.Conn) *waitReader { return nil }

func (*waitReader) Read([]byte) (int, error) { return 0, nil }

func (*waitReader) ReadVecs([][]byte) (int, error) { return 0, nil }

// readVecMax: reads fill one slice here, so nothing is guessed ahead.
const readVecMax = 1
