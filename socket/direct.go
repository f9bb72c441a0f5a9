// Recv reading the connection itself: the reader → Recv hand-off removed
// where a socket has one connection.

package socket

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/internal/zmtphook"
	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// Why: a message read by the connection's reader goroutine reaches the
// application through the inbox and a wake-up of the goroutine waiting in
// Recv. On two cores those two goroutines and the sending process compete;
// a receiver with GOMAXPROCS=1 used 121 ns of CPU per 16 B message against
// 195 with the hand-off. So while the socket has exactly one connection
// and a Recv is waiting, the reader goroutine steps aside at a message
// boundary (lends the read token) and the goroutine in Recv reads the
// connection itself: a message then costs one wake-up from the poller,
// straight into Recv.
//
// The token (streamConn.rt) is in one of three states: the reader
// goroutine reads (tokReader), nobody reads and a Recv may take it
// (tokLent; the reader goroutine waits in lend), or a Recv reads
// (tokRecv). Recv parses only messages that are whole in the read buffer
// (zmtphook.DirectReady) and otherwise waits for bytes (DirectFill), whose
// only state is the buffer: a wait cut short by a read deadline loses
// nothing, which is how everything that must wake a waiting Recv reaches
// it (recvSig's notify: a peer arriving or leaving, Close; the context,
// through context.AfterFunc). A message too large for the buffer, an
// error, or the connection ending hand the token back to the reader
// goroutine, which meets the error itself (the connection keeps it) and
// ends the connection as before. While the token is lent and no Recv
// comes for reclaimAfter, the reader goroutine takes it back, so PINGs are
// answered, a closed peer is seen and messages are read ahead (up to the
// HWM) for an application busy elsewhere; readiness checks (Poll, Events,
// TryRecv) take it back at once.

const (
	tokReader int32 = iota
	tokLent
	tokRecv
)

// reclaimAfter is how long the token stays lent with no Recv using it.
const reclaimAfter = 2 * time.Millisecond

// directReadMax: after a message larger than this the reader goroutine
// keeps its token (half the default read buffer, which a message must fit
// whole for a Recv to read it).
const directReadMax = 32 << 10

// directBatch bounds the messages one Recv moves from the read buffer into
// the inbox before it takes the first.
const directBatch = 256

// aLongTimeAgo is a read deadline in the past: it ends a wait at once.
var aLongTimeAgo = time.Unix(1, 0)

// directState is a connection's part of it.
type directState struct {
	ok     bool          // set before the reader starts: the connection may lend its token
	big    bool          // reader goroutine only: the last message it read was large
	seen   uint64        // reader goroutine only: Socket.received when last asked to yield
	rt     atomic.Int32  // the token's state
	rtBack chan struct{} // wakes the reader goroutine waiting in lend
	timer  *time.Timer   // lend's reclaim timer

	dmu       sync.Mutex
	dreading  bool // a Recv waits in DirectFill
	dkicked   bool // and its read deadline was set to stop it
	ddeadline bool // or to the Recv's own timeout
}

// WithDirectRecv lets a blocking Recv read the socket's connection itself
// while the socket has exactly one (see direct.go): one wake-up per
// message instead of two. Off by default for now: one CI run of the race
// suite hung in a DEALER/ROUTER lock-step test over ipc with it on, not
// reproduced in 60 runs alone; until that is understood it is opt-in.
func WithDirectRecv(on bool) Option {
	return func(o *options) error { o.directRecv = on; return nil }
}

// setupDirect decides whether c may lend its token: an inbox, ZMTP 3
// without a frame codec, no acknowledged delivery, and a socket type that
// takes nothing but messages from its peers' inboxes.
func (c *streamConn) setupDirect(in *queue.Inbox, sr subReceiver, ur upstreamReceiver) {
	if !c.s.opt().directRecv || in == nil || sr != nil || ur != nil || c.ack != nil || !zmtphook.DirectCapable(c.zc) {
		return
	}
	c.dir.ok = true
	c.dir.rtBack = make(chan struct{}, 1)
	zmtphook.SetYield(c.zc, c.shouldYield)
}

// shouldYield is asked by the reader goroutine when it found nothing to
// read at a message boundary (after publishing what it read): step aside
// if the application is receiving (a Recv waits, or one returned since
// the last time it was asked: a stream's consumer is mostly busy popping
// the inbox, not waiting) and this is the socket's only connection.
func (c *streamConn) shouldYield() bool {
	// Asked by a Recv's own DirectFill too: only the reader steps aside.
	d := &c.dir
	if d.rt.Load() != tokReader || d.big {
		return false
	}
	n := c.s.received.Load()
	active := n != d.seen || c.s.recvBusy.Load() > 0
	d.seen = n
	return active && !c.s.noDirect.Load() && c.s.soleConn() == c
}

// yieldMidStream is asked by the reader goroutine after a message while a
// Recv waits (the inbox was empty when it looked): a stream that never
// pauses at a message boundary would otherwise never let it read. It
// publishes what is staged and reports whether to lend the token now.
func (c *streamConn) yieldMidStream(in *queue.Inbox) bool {
	if c.dir.big || c.s.noDirect.Load() || c.s.soleConn() != c {
		return false
	}
	in.Publish()
	return true
}

// lend gives the token away and waits until it comes back (true) or the
// connection ends (false, with the token back: no Recv touches the inbox
// after the reader goroutine is gone).
func (c *streamConn) lend() bool {
	d := &c.dir
	// The timer first: a Recv that takes the token restarts it.
	if d.timer == nil {
		d.timer = time.NewTimer(reclaimAfter)
	} else {
		d.timer.Reset(reclaimAfter)
	}
	d.rt.Store(tokLent)
	c.s.lent.Store(c)
	// A Recv that found the token taken a moment ago may be about to
	// wait on the signal: wake it to take the token (see Socket.wait).
	c.s.recvSig.notify()
	defer c.s.lent.CompareAndSwap(c, nil)
	for {
		select {
		case <-d.rtBack:
		case <-d.timer.C:
			// No Recv for a while (each one that gives the token
			// back restarts the timer): read ahead again.
			d.rt.CompareAndSwap(tokLent, tokReader)
		case <-c.ctx.Done():
			d.timer.Stop()
			c.takeBack()
			return false
		}
		if d.rt.Load() == tokReader {
			d.timer.Stop()
			return true
		}
	}
}

// takeBack waits until no Recv holds the token and takes it: the Recv
// holding it sees the connection ending and gives it back promptly.
func (c *streamConn) takeBack() {
	d := &c.dir
	for !d.rt.CompareAndSwap(tokLent, tokReader) && d.rt.Load() != tokReader {
		select {
		case <-d.rtBack:
		case <-time.After(time.Millisecond):
		}
	}
}

// giveBack returns the token to the reader goroutine and wakes it.
func (c *streamConn) giveBack() {
	c.dir.rt.Store(tokReader)
	select {
	case c.dir.rtBack <- struct{}{}:
	default:
	}
}

// reclaimDirect takes a lent token back for the reader goroutine: someone
// looks at readiness (Poll, Events, TryRecv) and needs what arrives to be
// read without a Recv reading it. It also stops
// readers lending their token until a blocking Recv waits again (noDirect): an application that polls would otherwise pay a
// lend and a reclaim per message.
func (s *Socket) reclaimDirect() {
	if !s.noDirect.Load() {
		s.noDirect.Store(true)
	}
	if c := s.lent.Load(); c != nil && c.dir.rt.CompareAndSwap(tokLent, tokReader) {
		c.giveBack()
	}
}

// tokenLent reports whether a connection's token waits for a Recv.
func (s *Socket) tokenLent() bool {
	c := s.lent.Load()
	return c != nil && c.dir.rt.Load() == tokLent
}

// soleConn returns the socket's connection if it has exactly one peer and
// one connection, else nil.
func (s *Socket) soleConn() *streamConn {
	if s.nconns.Load() != 1 {
		return nil // the common answer on a busy multi-peer socket, without mu
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.peers) != 1 || len(s.conns) != 1 {
		return nil
	}
	for c := range s.conns {
		return c
	}
	return nil
}

// waitDirect is Socket.wait's step for a blocking Recv about to wait: read
// the connection itself when it may, until deadline (the socket's own
// timeout; zero: none). It reports whether something was moved into the
// inbox.
func (s *Socket) waitDirect(ctx context.Context, deadline time.Time) bool {
	if s.noDirect.Load() {
		s.noDirect.Store(false)
	}
	if ctx.Err() != nil || (!deadline.IsZero() && !time.Now().Before(deadline)) {
		return false // the wait on the signal returns the error
	}
	return s.recvDirect(ctx, deadline)
}

// recvDirect is a waiting Recv's turn at reading the socket's connection
// itself. It reports whether it moved anything into the inbox (try again),
// false when the token is not to be had or the wait was interrupted (wait
// on the signal as usual).
func (s *Socket) recvDirect(ctx context.Context, deadline time.Time) bool {
	c := s.lent.Load()
	if c == nil || !c.dir.rt.CompareAndSwap(tokLent, tokRecv) {
		return false
	}
	if s.soleConn() != c {
		c.giveBack()
		return false
	}
	s.watchCtx(ctx)
	s.dconn.Store(c)
	got, back := c.readDirect(ctx, deadline)
	s.dconn.Store(nil)
	if back || c.ctx.Err() != nil {
		c.giveBack()
		return got
	}
	c.dir.rt.Store(tokLent)
	c.dir.timer.Reset(reclaimAfter)
	return got
}

// readDirect moves whole messages from the read buffer into the inbox,
// waiting for bytes while there are none. back asks for the token to go
// to the reader goroutine: a message too large for the buffer, or an error
// the reader goroutine must meet.
func (c *streamConn) readDirect(ctx context.Context, deadline time.Time) (got, back bool) {
	in := c.p.in.(*queue.Inbox)
	for {
		ready, fits := zmtphook.DirectReady(c.zc)
		if !fits {
			return false, true
		}
		if ready {
			return c.deliverBuffered(in)
		}
		switch err := c.waitBytes(ctx, deadline); {
		case err == errStopDirect:
			return false, false
		case err != nil:
			return false, true
		}
	}
}

// deliverBuffered stages the whole messages in the read buffer, as many as
// the inbox takes without waiting, and publishes them.
func (c *streamConn) deliverBuffered(in *queue.Inbox) (got, back bool) {
	n := 0
	defer func() {
		in.Publish()
		c.s.directRead.Add(uint64(n))
	}()
	for range directBatch {
		if in.Full() {
			return true, false
		}
		msg, cmd, err := zmtphook.ReadNext(c.zc)
		if err != nil {
			return true, true
		}
		if cmd != nil {
			if !c.onCommand(*cmd.(*zmtp.Command), nil, false) {
				return true, true
			}
		} else if err := in.Stage(c.ctx, msg); err != nil {
			return true, true // the inbox closed: the reader goroutine ends
		} else {
			n++
		}
		if ready, _ := zmtphook.DirectReady(c.zc); !ready {
			break
		}
	}
	return true, false
}

// errStopDirect: the wait for bytes was stopped (or not begun) because the
// Recv must look elsewhere: Close, its context, another peer.
var errStopDirect = errors.New("socket: direct read stopped")

// waitBytes waits for bytes on the connection. Whoever must wake the Recv
// first changes what is checked here and then calls interruptDirect, so
// either the check below sees the change or the wait is cut short.
func (c *streamConn) waitBytes(ctx context.Context, deadline time.Time) error {
	d := &c.dir
	d.dmu.Lock()
	d.dreading = true
	if !deadline.IsZero() {
		// The Recv's own timeout ends the wait like a kick; a kick
		// still sets its deadline in the past over this one.
		d.ddeadline = true
		_ = c.zc.NetConn().SetReadDeadline(deadline)
	}
	d.dmu.Unlock()
	var err error
	if c.s.closing.Load() || ctx.Err() != nil || c.ctx.Err() != nil || c.s.soleConn() != c {
		err = errStopDirect
	} else if err = zmtphook.DirectFill(c.zc); isTimeout(err) {
		err = errStopDirect
	}
	d.dmu.Lock()
	d.dreading = false
	if d.dkicked || d.ddeadline {
		d.dkicked, d.ddeadline = false, false
		_ = c.zc.NetConn().SetReadDeadline(time.Time{})
	}
	d.dmu.Unlock()
	return err
}

func isTimeout(err error) bool {
	if err == nil {
		return false // before t, which escapes: no allocation per read
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// interruptDirect cuts short a Recv waiting for bytes in waitBytes. It is
// recvSig's kick: every change that would wake a waiting Recv calls it.
func (s *Socket) interruptDirect() {
	c := s.dconn.Load()
	if c == nil {
		return
	}
	d := &c.dir
	d.dmu.Lock()
	if d.dreading && !d.dkicked {
		d.dkicked = true
		_ = c.zc.NetConn().SetReadDeadline(aLongTimeAgo)
	}
	d.dmu.Unlock()
}

// watchCtx makes ctx's end interrupt a direct read. The registration is
// kept for as long as Recv is called with the same context, so a loop of
// Recvs costs one context.AfterFunc, not one each.
func (s *Socket) watchCtx(ctx context.Context) {
	done := ctx.Done()
	if done == nil {
		return
	}
	s.dctxMu.Lock()
	if s.dctxDone != done {
		if s.dctxStop != nil {
			s.dctxStop()
		}
		s.dctxDone = done
		s.dctxStop = context.AfterFunc(ctx, s.interruptDirect)
	}
	s.dctxMu.Unlock()
}

// stopWatchCtx drops the context registration (Close).
func (s *Socket) stopWatchCtx() {
	s.dctxMu.Lock()
	if s.dctxStop != nil {
		s.dctxStop()
		s.dctxStop, s.dctxDone = nil, nil
	}
	s.dctxMu.Unlock()
}
