package socket

import "github.com/purezmq/purezmq/internal/buf"

// Small copies of Send come from the socket's slab (buf.Slab) instead of
// one pooled block each. A pooled copy costs four sync.Pool operations on
// the sending goroutine and four more on the writer that recycles it; the
// two run on different Ps, so every Get misses its local cache and steals
// (measured: Send 16 B at 675 ns/op against 72 ns/op for SendOwned). A
// slab copy is carved under an uncontended lock, and the slab is recycled
// once every message in it was released (internal/buf/slab.go).

// slabCopy copies frames into the socket's slab when the message is small
// enough and has few enough frames; ok false leaves the copy to buf.Copy.
// With pooled (one destination), the copy carries the slab mark, so that
// the writer or inproc receiver that releases it counts it back.
func (s *Socket) slabCopy(frames [][]byte, pooled bool) ([][]byte, bool) {
	if len(frames) > buf.SlabMaxFrames {
		return nil, false
	}
	total := 0
	for _, f := range frames {
		total += len(f)
		if total > buf.SlabMax {
			return nil, false
		}
	}
	return s.slab.Copy(frames, total, pooled), true
}
