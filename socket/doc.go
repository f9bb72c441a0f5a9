// Package socket implements ZeroMQ's classic socket types (PAIR, PUB, SUB,
// XPUB, XSUB, PUSH, PULL, REQ, REP, DEALER, ROUTER) over tcp://, ipc:// and
// inproc:// endpoints, speaking ZMTP 3.x on the wire through package zmtp,
// and STREAM, which talks raw bytes to any tcp or ipc program (stream.go).
// Proxy and SteerableProxy forward between two sockets as zmq_proxy and
// zmq_proxy_steerable do.
//
// Every (socket, peer) pair owns one outbound and one inbound queue.Pipe. The
// socket types differ only in how they pick pipes: load balancing (PUSH,
// DEALER, REQ), fair queueing (PULL, DEALER, SUB, REP, ROUTER), distribution
// to matching subscribers (PUB, XPUB) and routing by identity (ROUTER).
//
// A stream connection (tcp, ipc) runs exactly one reader goroutine, which
// pushes whole messages into the inbound pipe and waits when that pipe is at
// its receive high-water mark (that wait is TCP back-pressure), and one writer
// goroutine, which drains everything queued in the outbound pipe and writes it
// with one flush. inproc connections run no goroutine at all: the two sockets
// share a pair of pipes.
//
// Sockets are safe for concurrent use. Send takes ownership of the frames of
// the message it is given (they may be queued for several peers); what Recv
// returns belongs to the caller.
//
// # Message metadata
//
// A received message knows the connection it came over, as libzmq's
// zmq_msg_gets does: Msg.Property answers Socket-Type, Identity (also
// Routing-Id), User-Id, Peer-Address and every other property of the peer's
// handshake or its ZAP reply. The set is made once per connection after the
// handshake and shared by its messages (Msg.Metadata), so it costs nothing
// per message. A persistent connect peer's set is replaced when it
// reconnects; messages still queued from the old connection then answer for
// the new one.
//
// # Crash recovery
//
// With WithSwap and WithRetention (keyed by identity) a socket keeps the
// backlogs of its keyed peers in ring files of the swap directory, named by
// key, and gets them back when it is made again on the same directory:
//
//   - Close leaves every keyed peer's unsent messages (connected or
//     retained) on disk instead of discarding them.
//   - New recovers each backlog as a retained peer: attached to the socket
//     type (a ROUTER routes to it, a PUB or XPUB distributes to it) but
//     without a connection until a peer with that key connects and
//     receives the backlog first, in order. Its TTL starts at recovery.
//   - A PUB or XPUB also saves each keyed peer's subscriptions beside its
//     ring ("<ring>.subs", rewritten on every change) and restores them, so
//     a recovered subscriber keeps collecting what it subscribed to.
//   - A damaged ring or subscriptions file is logged and reported as an
//     EventRetentionExpired whose Err is a *RecoverError; a damaged ring is
//     left in place and skipped.
//
// Without write-through, a kill loses the messages held in memory (up to
// the HWM per peer): only spilled ones survive, and since a ring records
// its reading position lazily, some already delivered may come again.
// WithWriteThrough puts every message of a keyed peer in its ring before
// Send returns, so a kill -9 loses nothing Send accepted: what was not yet
// written out is delivered to the key's next connection once and in order,
// except that the last batch (at most 256 messages) may be delivered twice
// when the process dies or the connection fails between writing it and
// recording that it was written. See WithWriteThrough. A peer is recovered
// only if its ring exists: a spill-mode peer with no backlog at Close is
// not remembered. One swap directory serves one socket at a time.
//
// # Connection cuts
//
// ZMTP has no acknowledgements: what is in flight when a connection breaks
// is lost, retention or not. Between two purezmq sockets that both set
// WithAckedDelivery, the sender keeps each message until the receiving
// socket acknowledges it and resumes after a reconnect exactly where the
// receiver is, so a cut loses, repeats and reorders nothing for a peer
// whose queue survives it. With write-through, a message leaves the ring
// only once acknowledged. See WithAckedDelivery.
//
// Logging goes through log/slog and is silent unless WithLogger is given.
package socket
