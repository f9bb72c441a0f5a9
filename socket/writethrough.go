package socket

import (
	"github.com/purezmq/purezmq/queue"
)

// writeThroughBatch bounds how many messages a write-through connection
// writer takes before it flushes and commits: a crash or a broken
// connection then repeats at most one such batch, and the ring frees space
// while a long backlog drains.
const writeThroughBatch = 256

// checkWriteThrough rejects WithWriteThrough without the swap directory and
// the identity-keyed retention it writes through to.
func checkWriteThrough(o *options) error {
	if !o.writeThrough {
		return nil
	}
	if o.swapBytes == 0 || o.retention == nil {
		return badOption("WriteThrough", "needs WithSwap and WithRetention")
	}
	if o.retention.KeyBy != KeyIdentity {
		// Rings are named when the pipe is made, before authentication
		// tells us the user: only identity keys name them.
		return badOption("WriteThrough", "needs retention keyed by identity")
	}
	return nil
}

// writesThrough reports whether an outbound pipe with this retention key
// goes through its ring. SUB and XSUB pipes carry subscriptions, which are
// recognised by the address of a marker frame that a round trip through
// the disk would lose, and which the peer gets again on reconnect anyway.
func (s *Socket) writesThrough(key string) bool {
	return s.o.writeThrough && key != "" && s.typ != Sub && s.typ != XSub
}

// outSwap is the swap configuration of an outbound pipe with retention key
// key ("" for an anonymous one); nil without WithSwap.
func (s *Socket) outSwap(key string) *queue.SwapConfig {
	if s.budget == nil {
		return nil
	}
	return &queue.SwapConfig{Dir: s.o.swapDir, Budget: s.budget, WriteThrough: s.writesThrough(key)}
}
