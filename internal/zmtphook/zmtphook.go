// Package zmtphook gives the socket layer the parts of a zmtp.Conn that
// exist only for it: a routing-id prefix on every message read, a callback
// before the reader waits, the drained hint for large writes, and a flush
// that never waits. They are not zmtp's public API; zmtp fills these
// variables in its init, the way the standard library wires its internal
// hooks, so only packages of this module can call them.
//
// Each function takes the *zmtp.Conn as c (typed any to avoid an import
// cycle) and panics if given anything else.
package zmtphook

import "time"

var (
	// SetPrefix makes c's ReadMessage put a copy of frame in front of
	// every message it returns from now on (a ROUTER's routing id), carved
	// from the reader's slabs. Call it from the reading goroutine.
	SetPrefix func(c any, frame []byte)
	// SetBeforeWait makes c's ReadMessage call f whenever a read finds
	// nothing to read, just before it waits (on transports that are not
	// sockets: before every read). Call it from the reading goroutine.
	SetBeforeWait func(c any, f func())
	// SetDrained tells c's writer whether the peer is believed to have read
	// everything sent so far (a lone message after an idle spell), which
	// decides how large bodies are written (internal/buf/pagealign.go).
	SetDrained func(c any, drained bool)
	// TryFlush writes what c has queued as far as the network takes it now,
	// without waiting, and reports whether nothing is left. Where there is
	// no non-blocking write (net.Pipe) it writes nothing and reports false.
	TryFlush func(c any) (bool, error)
	// Progress returns how many bytes c's writer has handed to the
	// network so far and how many wait in its buffer: a message whose last
	// byte lies below written has left whole (Close counts what a cut
	// connection lost by it).
	Progress func(c any) (written int64, buffered int)
	// SetOnPeerTTL makes c's reader call f when a PING from the peer
	// carries a TTL other than the last one (0: none), so the socket can
	// hold the peer to it. Call it before the reader starts.
	SetOnPeerTTL func(c any, f func(ttl time.Duration))
	// ReadNext is c's ReadMessage with a command returned as a
	// *zmtp.Command (valid until the next read; nil when a message was
	// read): the results fit in registers (see zmtp's readNext).
	ReadNext func(c any) (msg [][]byte, cmd any, err error)
	// SetYield makes a read of c that finds nothing to read at a message
	// boundary ask f whether to return zmtp.ErrYield instead of waiting
	// (the reader goroutine stepping aside for Recv). Call it from the
	// reading goroutine, or before reading starts.
	SetYield func(c any, f func() bool)
	// DirectCapable reports whether DirectReady can find message
	// boundaries in c's read buffer (ZMTP 3, no frame codec, a
	// non-blocking reader).
	DirectCapable func(c any) bool
	// DirectReady reports whether c's read buffer holds the whole next
	// message, so that ReadNext will not wait; fits is false when it can
	// never be whole in the buffer.
	DirectReady func(c any) (ready, fits bool)
	// DirectFill waits for bytes and reads them into c's read buffer; a
	// read deadline ends it with a timeout error and no other effect.
	DirectFill func(c any) error
	// LockWrites takes c's write lock for a run of WriteMessageLocked and
	// WriteSubscribeLocked calls by one goroutine (a connection writer's
	// batch: one lock per batch, not per message); UnlockWrites ends the
	// run. Nothing else may write through c meanwhile, and no other write
	// method of c may be called by the holder.
	LockWrites, UnlockWrites func(c any)
	// WriteMessageLocked and WriteSubscribeLocked are c's WriteMessage and
	// WriteSubscribe for the holder of LockWrites.
	WriteMessageLocked   func(c any, m [][]byte) error
	WriteSubscribeLocked func(c any, topic []byte, subscribe bool) error
)
