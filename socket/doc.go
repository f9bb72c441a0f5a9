// Package socket implements ZeroMQ's classic socket types (PAIR, PUB, SUB,
// XPUB, XSUB, PUSH, PULL, REQ, REP, DEALER, ROUTER) over tcp://, ipc:// and
// inproc:// endpoints, speaking ZMTP 3.x on the wire through package zmtp.
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
// Logging goes through log/slog and is silent unless WithLogger is given.
package socket
