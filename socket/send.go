// Sending: the copy-by-default Send, the owned variants, and the checks
// every send passes before it reaches the socket type's strategy.

package socket

import (
	"context"
	"fmt"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
)

// Send sends one multipart message, waiting as the socket type's mute action
// says when there is no peer or no room (PUSH, DEALER, REQ, PAIR wait; PUB,
// XPUB and ROUTER drop), until ctx ends or the socket closes.
//
// Send copies m, as io.Writer, libzmq and pyzmq do: once it returns, m's
// frames are the caller's again, free to reuse or Release. The copy comes
// from a recycled slab (small messages) or a buffer pool and goes back once
// written, so it costs no allocation in steady state. SendOwned skips the
// copy.
func (s *Socket) Send(ctx context.Context, m Msg) error {
	return s.sendCopy(ctx, m.Frames, true)
}

// TrySend sends without waiting: ErrWouldBlock when the message cannot be
// queued now. Like Send, it copies m.
func (s *Socket) TrySend(m Msg) error {
	return s.sendCopy(context.Background(), m.Frames, false)
}

// SendOwned is Send without the copy, for forwarding and benchmarks: the
// socket takes m's frames as they are, and once it returns nil the caller
// must neither modify nor Release them (when it fails, m stays the
// caller's). Frames the
// caller built are only read, never recycled, so one read-only payload may
// be sent any number of times. A message returned by Recv and given to
// SendOwned is recycled once written when the socket has one destination
// per message (anything but PUB, XPUB and XSUB), as zmq_msg_send leaves the
// message empty.
func (s *Socket) SendOwned(ctx context.Context, m Msg) error {
	return s.sendOwned(ctx, m.Frames, true)
}

// TrySendOwned is SendOwned without waiting: ErrWouldBlock when the
// message cannot be queued now.
func (s *Socket) TrySendOwned(m Msg) error {
	return s.sendOwned(context.Background(), m.Frames, false)
}

// sendCopy queues a copy of frames. frames itself does not escape, so a
// caller's NewMsg can stay on its stack.
func (s *Socket) sendCopy(ctx context.Context, frames [][]byte, block bool) error {
	if err := s.checkSend(frames); err != nil {
		return err
	}
	if c, ok := s.h.(copySender); ok {
		// PUB, XPUB: copied once the subscribers are known; REQ, REP:
		// copied with their envelope in front.
		return s.counted(c.sendCopy(ctx, frames, block))
	}
	// A copy reaching one peer is marked for its writer (or inproc
	// receiver) to give back to the pool; one shared by several peers is
	// plain memory that nobody recycles.
	m := copyMsg(&s.slab, frames, s.oneDestination()) // copyslab.go
	if err := s.h.send(ctx, m, block); err != nil {
		// Not queued (a send that fails queues nothing): the copy is ours.
		buf.Release(m)
		return err
	}
	s.sent.Add(1)
	return nil
}

// copySender is a handler that copies a message the caller keeps itself,
// once it knows where the message goes.
type copySender interface {
	sendCopy(ctx context.Context, m [][]byte, block bool) error
}

func (s *Socket) counted(err error) error {
	if err == nil {
		s.sent.Add(1)
	}
	return err
}

func (s *Socket) sendOwned(ctx context.Context, frames [][]byte, block bool) error {
	if err := s.checkSend(frames); err != nil {
		return err
	}
	if !s.oneDestination() {
		// A received message forwarded here may reach several receivers
		// (inproc fan-out) that share its buffers: none of them may
		// recycle those buffers with Release, and no writer either.
		buf.Disown(frames)
	}
	return s.counted(s.h.send(ctx, frames, block))
}

func (s *Socket) checkSend(frames [][]byte) error {
	if s.closing.Load() {
		return ErrClosed
	}
	if len(frames) == 0 {
		return fmt.Errorf("%w: no frames", ErrBadMessage)
	}
	if len(frames) > 1 && s.opt().ext.conflate {
		return errConflateMultipart
	}
	return nil
}

// oneDestination reports whether a message given to Send reaches exactly
// one peer, so that its buffers may be recycled once that peer's writer
// wrote it (or its inproc receiver released it). PUB, XPUB and XSUB share
// one message among several peers.
func (s *Socket) oneDestination() bool {
	switch s.typ {
	case Pub, XPub, XSub:
		return false
	}
	return true
}

// outMute is the mute action of this socket type's outbound pipes.
func (s *Socket) outMute() queue.MuteAction {
	switch s.typ {
	case Pub, XPub, Rep:
		return queue.Drop
	case Router:
		if s.opt().routerMandatory {
			return queue.Fail
		}
		return queue.Drop
	}
	return queue.Block
}

// outHWM is the HWM of this socket type's outbound pipes. SUB and XSUB send
// subscriptions, which must never be lost to a full pipe.
func (s *Socket) outHWM() int {
	if s.typ == Sub || s.typ == XSub {
		return 0
	}
	return s.opt().sndHWM
}
