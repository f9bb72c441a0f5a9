package socket

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// Acknowledged delivery (WithAckedDelivery) between two purezmq peers: the
// wire form is zmtp's (zmtp/ack.go), the sender's bookkeeping is the
// outbound pipe's (queue/unacked.go), the receiver's count per sender
// stream is the socket's (ack_rx.go). This file runs it on one connection:
// the reader decodes the peer's commands and numbers its messages, the
// writer announces our stream and sends the acknowledgements the reader
// owes.

// ErrAckProtocol is wrapped by the reason a connection is closed for when
// its peer broke the acknowledgement protocol (a malformed PZACK or
// PZSTREAM, an acknowledgement of messages never sent, a message before
// the peer announced its stream).
var ErrAckProtocol = errors.New("socket: acknowledged delivery protocol error")

// errAckStreamMoved ends a connection whose peer's stream arrived on a new
// connection: from the sender's side this one is dead already.
var errAckStreamMoved = errors.New("socket: the peer resumed its acknowledged stream on a new connection")

const (
	// ackEveryMax is the most messages a receiver takes before it
	// acknowledges: fewer when the sender's window (its HWM) is small, so
	// that a sender waiting for room is answered before the timer.
	ackEveryMax = 256
	// ackDelay is the longest a received message waits for its
	// acknowledgement when fewer than a batch arrive.
	ackDelay = 5 * time.Millisecond
)

// ackProps is the property that offers the extension in our handshake.
var ackProps = map[string]string{zmtp.PropAck: zmtp.AckVersion}

// ackTypes are the socket types the extension applies to: those whose
// messages travel through per-peer pipes in order.
func ackTypes(t Type) bool {
	switch t {
	case Push, Pull, Dealer, Router, Pair, Pub, Sub:
		return true
	}
	return false
}

// keepsSent reports whether t sends messages to its peers, and so numbers
// and keeps them: not PULL, which sends nothing, nor SUB, whose
// subscriptions are commands that a reconnect sends again anyway.
func keepsSent(t Type) bool { return t != Pull && t != Sub }

// WithAckedDelivery asks for acknowledged delivery on every connection to
// a purezmq peer that asks for it too (negotiated in the ZMTP handshake;
// with libzmq and other peers nothing changes). The sender keeps each
// message it wrote until the receiving socket acknowledges it (in batches),
// and after a connection cut sends again only what the receiver did not
// get, which drops anything it had already: with a peer whose queue
// survives the cut (a connect endpoint's, or one kept by WithRetention), a
// cut loses nothing and duplicates nothing. Messages awaiting
// acknowledgement count against the send HWM. For PUSH, PULL, DEALER,
// ROUTER and PAIR, and PUB to SUB (a durable subscriber: retention on the
// PUB); not with WithConflate. With WithWriteThrough the ring keeps each
// message until acknowledged, so a crash as well as a cut loses nothing
// (after recovery the unacknowledged ones are delivered again).
func WithAckedDelivery(on bool) Option {
	return func(o *options) error { o.acked = on; return nil }
}

func checkAck(t Type, o *options) error {
	if !o.acked {
		return nil
	}
	switch {
	case !ackTypes(t):
		return badOption("AckedDelivery", fmt.Sprintf("has no effect on %v", t))
	case o.ext.conflate:
		return badOption("AckedDelivery", "is not combined with Conflate, which replaces messages")
	case o.legacy.announce != 0:
		return badOption("AckedDelivery", "needs ZMTP 3 (commands)")
	}
	return nil
}

// ackConn is one connection's share of acknowledged delivery.
type ackConn struct {
	c *streamConn

	// Sender side, when keeps (keepsSent). resumed is closed by the reader
	// once the peer said how many of our stream's messages it has: until
	// then the writer sends none, so nothing it already had is sent again.
	keeps      bool
	resumed    chan struct{}
	resumedSet bool       // reader only
	freed      [][][]byte // reader only: Ack's released messages
	window     uint32     // our send HWM, announced in PZSTREAM

	// Receiver side, set by the reader at the peer's PZSTREAM.
	rx     atomic.Pointer[rxStream]
	expect uint64 // reader only: the number of the next message
	// before: an earlier peer's inbound queue for this stream, to be
	// drained by the application before our first message is queued.
	before inbound
	every  uint64 // reader only: acknowledge after this many
	// posDue: the reader owes the peer its position (the answer to
	// PZSTREAM); due: the timer says a batch waited long enough.
	posDue, due atomic.Bool
	sent        atomic.Uint64 // writer: the count last acknowledged
	armed       atomic.Bool
	timer       *time.Timer // reader arms it; nil until first needed
	// resumeBy ends a connection whose peer never answers our PZSTREAM.
	resumeBy *time.Timer

	body []byte // writer only: command scratch
	// resumedW: the writer saw resumed closed. drained: the pipe is closed
	// and empty, and the writer now waits only for the last acknowledgements
	// (a kick) rather than spinning on a closed pipe's readiness.
	resumedW, drained bool
}

// negotiateAck sets up acknowledged delivery on c when both sides offered it.
func (s *Socket) negotiateAck(c *streamConn) {
	if !s.o.acked || c.zc == nil || c.zc.Legacy() != 0 || !zmtp.AckOffered(c.zc.PeerMetadata()) {
		return
	}
	a := &ackConn{c: c, resumed: make(chan struct{}), keeps: keepsSent(s.typ)}
	if h := s.outHWM(); h > 0 {
		a.window = uint32(min(uint64(h), 1<<31))
	}
	c.ack = a
	s.ackConns.Add(1)
}

// newStreamID names a new outbound pipe's stream.
func newStreamID() (id zmtp.AckStreamID) {
	_, _ = rand.Read(id[:])
	return id
}

func ackErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrAckProtocol, fmt.Sprintf(format, args...))
}

// onCommand handles the peer's PZACK or PZSTREAM (reader goroutine). An
// error ends the connection with it as the reason.
func (a *ackConn) onCommand(ctx context.Context, cmd zmtp.Command) error {
	c := a.c
	if cmd.Name == zmtp.CmdAckStream {
		id, next, window, err := zmtp.ParseAckStream(cmd.Body)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrAckProtocol, err)
		}
		if a.rx.Load() != nil {
			return ackErr("a second PZSTREAM on one connection")
		}
		rx, before, err := c.s.rxStreams().claim(ctx, id, c)
		if err != nil {
			return err
		}
		a.before = before
		// A sender that counts more acknowledged than we hold lost
		// nothing we could still get: we forgot its stream (evicted).
		if rx.count.Load() < next-1 {
			rx.count.Store(next - 1)
		}
		// We answer with our count and the sender, which waits for that
		// answer, skips what it covers: its next message is count+1.
		a.expect = rx.count.Load() + 1
		a.every = ackEveryMax
		if window > 0 {
			a.every = uint64(max(1, min(window/4, ackEveryMax)))
		}
		a.sent.Store(rx.count.Load())
		a.rx.Store(rx)
		a.posDue.Store(true)
		c.wake()
		return nil
	}
	n, err := zmtp.ParseAck(cmd.Body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAckProtocol, err)
	}
	out := c.p.out
	a.freed, err = out.Ack(n, a.freed[:0])
	if err != nil {
		return ackErr("the peer acknowledged %d messages: %v", n, err)
	}
	for i, m := range a.freed {
		if buf.Release(m) {
			c.s.recycled.Add(1)
		}
		a.freed[i] = nil
	}
	if !a.resumedSet {
		a.resumedSet = true
		close(a.resumed)
	} else if out.Closed() && out.Len() == 0 && out.Unacked() == 0 {
		c.wake() // a lingering writer waits for this
	}
	return nil
}

// number gives the peer's next message its number (reader goroutine) and
// reports whether it is one the receiver had already (dup). Repeats are
// kept off the wire rather than dropped here: our answer to PZSTREAM is
// our count, the sender skips what it covers and numbering resumes after
// it, so a conforming sender never makes dup true. The check stays as the
// guard of the invariant that no number is delivered twice (and counts in
// Stats.AckDuplicates if it ever fires).
func (a *ackConn) number(ctx context.Context) (seq uint64, dup bool, err error) {
	rx := a.rx.Load()
	if rx == nil {
		return 0, false, ackErr("a message before the peer's PZSTREAM")
	}
	if a.before != nil {
		if err := awaitDrained(ctx, a.before); err != nil {
			return 0, false, err
		}
		a.before = nil
	}
	seq = a.expect
	a.expect++
	return seq, seq <= rx.count.Load(), nil
}

// delivered records that message seq is in the socket's inbound queue and
// asks the writer for an acknowledgement when a batch is complete, or
// arms the timer for a partial one (reader goroutine).
func (a *ackConn) delivered(seq uint64) {
	a.rx.Load().count.Store(seq)
	pending := seq - a.sent.Load()
	if pending >= a.every && pending%a.every == 0 {
		a.c.wake()
		return
	}
	if !a.armed.Load() {
		a.armed.Store(true)
		if a.timer == nil {
			a.timer = time.AfterFunc(ackDelay, a.fire)
		} else {
			a.timer.Reset(ackDelay)
		}
	}
}

func (a *ackConn) fire() {
	a.armed.Store(false)
	a.due.Store(true)
	a.c.wake()
}

// stop ends the connection's part in the receiver's registry (reader
// goroutine, after its last message).
func (a *ackConn) stop() {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.resumeBy != nil {
		a.resumeBy.Stop()
	}
	if rx := a.rx.Load(); rx != nil {
		a.c.s.rxStreams().release(rx, a.c)
	}
}

// start announces our stream (writer goroutine, before anything else).
func (a *ackConn) start() error {
	c := a.c
	a.body = zmtp.AppendAckStream(a.body[:0], c.p.streamID(), c.p.out.NextSeq(), a.window)
	if err := c.zc.WriteCommand(zmtp.CmdAckStream, a.body); err != nil {
		return err
	}
	limit := c.s.opt().handshakeIvl
	if limit <= 0 {
		limit = zmtp.DefaultHandshakeTimeout
	}
	a.resumeBy = time.AfterFunc(limit, func() {
		select {
		case <-a.resumed:
		default:
			c.ackFailed(ackErr("the peer did not answer PZSTREAM within %v", limit))
		}
	})
	return c.zc.Flush()
}

// writeDue writes the acknowledgement the receiver owes, if one is due: the
// position after PZSTREAM, a full batch, or a partial one the timer marked
// (writer goroutine; the caller flushes). It reports whether it wrote.
func (a *ackConn) writeDue() (bool, error) { return a.writeAck(false) }

// writeAck is writeDue; final acknowledges whatever is pending, for a
// connection we end in an orderly way (the sender then keeps nothing the
// socket received).
func (a *ackConn) writeAck(final bool) (bool, error) {
	rx := a.rx.Load()
	if rx == nil {
		return false, nil
	}
	n, last := rx.count.Load(), a.sent.Load()
	pos, due := a.posDue.Swap(false), a.due.Swap(false) || final
	if !pos && (n == last || (!due && n-last < a.every)) {
		return false, nil
	}
	a.body = zmtp.AppendAck(a.body[:0], n)
	if err := a.c.zc.WriteCommand(zmtp.CmdAck, a.body); err != nil {
		return false, err
	}
	a.sent.Store(n)
	return true, nil
}

// ready is what the writer waits on for messages to write: nothing until
// the peer's position came, then the pipe (nil once the pipe is closed and
// drained: a lingering writer then waits for the last acknowledgements).
func (a *ackConn) ready(out *queue.Pipe) <-chan struct{} {
	if !a.keeps {
		return out.Readable()
	}
	if !a.resumedW {
		select {
		case <-a.resumed:
			a.resumedW = true
		default:
			return a.resumed
		}
	}
	if a.drained {
		return nil
	}
	return out.Readable()
}

// wake nudges the writer: an acknowledgement is owed, or a lingering
// writer may be done.
func (c *streamConn) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// streamID returns the id of p's outbound stream, made on first use: it
// lives as long as p's pipe (across reconnects and retention), so the
// receiver's count for it stays meaningful.
func (p *peer) streamID() zmtp.AckStreamID {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hasStreamID {
		p.txID, p.hasStreamID = newStreamID(), true
	}
	return p.txID
}

// ackFailed ends a connection whose peer broke the protocol, saying why in
// the log as well as in the EventDisconnected the cut produces.
func (c *streamConn) ackFailed(err error) {
	if errors.Is(err, ErrAckProtocol) {
		c.s.log.Warn("acknowledged delivery: closing the connection", "peer", c.zc.NetConn().RemoteAddr(), "err", err)
	}
	c.shutdown(err)
}

// finish sends the last acknowledgement before we end the connection.
func (a *ackConn) finish() {
	if ok, err := a.writeAck(true); ok && err == nil {
		_ = a.c.zc.Flush()
	}
}

// ackDue writes the acknowledgement the receiver owes on a connection
// whose own messages are not kept (PULL, SUB); nothing without acks.
func (w *writer) ackDue() error {
	if a := w.c.ack; a != nil {
		_, err := a.writeDue()
		return err
	}
	return nil
}

// readable is what the writer waits on for messages to write.
func (w *writer) readable() <-chan struct{} {
	if a := w.c.ack; a != nil {
		return a.ready(w.out)
	}
	return w.out.Readable()
}

// writeAcked is writeBatch on an acknowledged connection: it writes the
// acknowledgement the receiver owes, then, once the peer told us where it
// is, every queued message, which the pipe keeps until acknowledged. The
// buffers are not recycled here but when the acknowledgement comes
// (onCommand), and a failed write loses nothing: Requeue puts it back.
func (w *writer) writeAcked() (n int, err error) {
	a := w.c.ack
	if _, err := a.writeDue(); err != nil {
		return 0, err
	}
	if !a.resumedW {
		select {
		case <-a.resumed:
			a.resumedW = true
		default:
			return 0, nil
		}
	}
	if w.wt {
		// The ring keeps them until Ack commits them.
		return w.writeThroughBatch()
	}
	w.batch = w.out.PopBatchKeep(w.batch[:0])
	for _, m := range w.batch {
		if err := w.c.zc.WriteMessage(m); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
