package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// reqFlags are the REQ relaxations and the socket-wide timeouts, named
// after libzmq's options (ZMQ_REQ_RELAXED, ZMQ_REQ_CORRELATE, ZMQ_SNDTIMEO,
// ZMQ_RCVTIMEO).
type reqFlags struct {
	relaxed, correlate bool
	retries            int
	sndtimeo, rcvtimeo optDuration
}

// optDuration is a duration flag that remembers whether it was given, so
// that 0 (never wait) differs from absent (the library default).
type optDuration struct {
	d   time.Duration
	set bool
}

func (o *optDuration) String() string {
	if !o.set {
		return ""
	}
	return o.d.String()
}

func (o *optDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d < 0 {
		return errNegative
	}
	o.d, o.set = d, true
	return nil
}

func addReqFlags(fs *flag.FlagSet, f *reqFlags) {
	fs.BoolVar(&f.relaxed, "req-relaxed", false, "req: when no reply came within --rcvtimeo, send the request again (to the next peer) instead of failing; up to --req-retries times")
	fs.BoolVar(&f.correlate, "req-correlate", false, "req: tag each request with an id and accept only the reply that echoes it (use with --req-relaxed, so a late reply is never taken for the next one)")
	fs.IntVar(&f.retries, "req-retries", 3, "req: with --req-relaxed, resend an unanswered request at most `N` times before giving up")
	fs.Var(&f.sndtimeo, "sndtimeo", "give up (exit 1) when a send waits longer than `DURATION` for a peer or for room (0 = never wait; default: wait)")
	fs.Var(&f.rcvtimeo, "rcvtimeo", "give up (exit 1) when a receive waits longer than `DURATION` (0 = never wait; default: wait); with req --req-relaxed, resend instead")
}

// check validates the flags for socket type t.
func (f *reqFlags) check(t socket.Type) error {
	if (f.relaxed || f.correlate) && t != socket.Req {
		return errors.New("--req-relaxed and --req-correlate are only for req")
	}
	if f.retries < 0 {
		return errors.New("--req-retries must not be negative")
	}
	if f.relaxed && (!f.rcvtimeo.set || f.rcvtimeo.d == 0) {
		return errors.New("--req-relaxed needs --rcvtimeo DURATION (how long to wait before resending)")
	}
	return nil
}

// options returns the socket options the flags ask for.
func (f *reqFlags) options() []socket.Option {
	var opts []socket.Option
	if f.relaxed {
		opts = append(opts, socket.WithReqRelaxed(true))
	}
	if f.correlate {
		opts = append(opts, socket.WithReqCorrelate(true))
	}
	if f.sndtimeo.set {
		opts = append(opts, socket.WithSendTimeout(f.sndtimeo.d))
	}
	if f.rcvtimeo.set {
		opts = append(opts, socket.WithRecvTimeout(f.rcvtimeo.d))
	}
	return opts
}

// exchange sends one request and prints its reply. With --req-relaxed a
// reply that does not come within --rcvtimeo makes it send the request
// again, the Guide's Lazy Pirate client, up to --req-retries times.
func (ss *session) exchange(ctx context.Context, m socket.Msg) error {
	if err := ss.s.Send(ctx, m); err != nil {
		return err
	}
	ss.sent++
	for try := 0; ; try++ {
		_, err := ss.receive(ctx)
		var te *socket.TimeoutError
		if err == nil || !ss.cfg.req.relaxed || !errors.As(err, &te) {
			return err
		}
		if try >= ss.cfg.req.retries {
			return fmt.Errorf("no reply after %d tries: %w", try+1, err)
		}
		fmt.Fprintf(ss.stderr, "purezmq req: no reply within %v, resending (retry %d of %d)\n", te.After, try+1, ss.cfg.req.retries)
		if err := ss.s.Send(ctx, m); err != nil {
			return err
		}
	}
}
