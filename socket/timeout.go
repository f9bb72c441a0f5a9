package socket

import (
	"context"
	"time"
)

// timeouts are the socket-wide default send and receive timeouts (libzmq's
// ZMQ_SNDTIMEO and ZMQ_RCVTIMEO).
type timeouts struct {
	send, recv timeout
}

// timeout is one of them; the zero value is "none" (wait as long as the
// context allows).
type timeout struct {
	d  time.Duration
	on bool
}

func makeTimeout(d time.Duration) timeout {
	if d < 0 {
		return timeout{}
	}
	return timeout{d: d, on: true}
}

// WithSendTimeout bounds how long a blocking Send waits for room or a peer
// when its context has no earlier deadline (libzmq's ZMQ_SNDTIMEO): 0 never
// waits, a negative value (the default) waits as long as the context
// allows. A Send that times out returns a *TimeoutError, which matches both
// context.DeadlineExceeded and ErrWouldBlock.
func WithSendTimeout(d time.Duration) Option {
	return func(o *options) error { o.timeo.send = makeTimeout(d); return nil }
}

// WithRecvTimeout bounds how long a blocking Recv waits for a message when
// its context has no earlier deadline (libzmq's ZMQ_RCVTIMEO): 0 never
// waits, a negative value (the default) waits as long as the context
// allows. A Recv that times out returns a *TimeoutError, which matches both
// context.DeadlineExceeded and ErrWouldBlock.
func WithRecvTimeout(d time.Duration) Option {
	return func(o *options) error { o.timeo.recv = makeTimeout(d); return nil }
}

// TimeoutError is a Send or Recv that ran out of the socket's own timeout
// (WithSendTimeout, WithRecvTimeout). It matches context.DeadlineExceeded,
// as a context deadline would, and ErrWouldBlock, as libzmq reports EAGAIN.
type TimeoutError struct {
	Op    string        // "send" or "recv"
	After time.Duration // the timeout that ran out
}

func (e *TimeoutError) Error() string {
	return "socket: " + e.Op + " timed out after " + e.After.String()
}

// Is makes errors.Is(err, context.DeadlineExceeded) and
// errors.Is(err, ErrWouldBlock) hold.
func (e *TimeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded || target == ErrWouldBlock
}

// Timeout reports true, as net.Error's timeouts do.
func (e *TimeoutError) Timeout() bool { return true }

// deadlineTimer applies the socket-wide timeout to one blocking call of
// Socket.wait. It starts the first time the call is about to block, so a
// call that never blocks costs nothing, and only when the context's own
// deadline is not earlier.
type deadlineTimer struct {
	started bool
	at      time.Time // when it runs out, once armed
	t       *time.Timer
	c       <-chan time.Time
	op      string
	d       time.Duration
}

// start arms the timer for a wait on sig; it returns the timeout error at
// once for a zero timeout.
func (dt *deadlineTimer) start(s *Socket, ctx context.Context, sig *signal) error {
	if dt.started {
		return nil
	}
	dt.started = true
	to, op := s.opt().timeo.recv, "recv"
	if sig == &s.sendSig {
		to, op = s.opt().timeo.send, "send"
	}
	if !to.on {
		return nil
	}
	dt.op, dt.d = op, to.d
	if to.d == 0 {
		return dt.err()
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= to.d {
		return nil // the context ends first: its error is the one to report
	}
	dt.at = time.Now().Add(to.d)
	dt.t = time.NewTimer(to.d)
	dt.c = dt.t.C
	return nil
}

// expired reports whether the armed timeout has passed (its channel may
// not have fired yet).
func (dt *deadlineTimer) expired() bool {
	return dt.t != nil && !time.Now().Before(dt.at)
}

func (dt *deadlineTimer) err() error { return &TimeoutError{Op: dt.op, After: dt.d} }

func (dt *deadlineTimer) stop() {
	if dt.t != nil {
		dt.t.Stop()
	}
}
