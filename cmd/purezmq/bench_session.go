package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// The plumbing every bench verb shares: opening a socket for a role, the
// --timeout watchdog, one socket's session, two sockets in one process.

// bench is one measurement.
type bench struct {
	cfg         benchConfig
	size, count int
	out         io.Writer
	progress    atomic.Int64 // messages handled, for the --timeout watchdog
}

// open creates a socket and binds or connects it as the role and options say.
func (b *bench) open(t socket.Type, ep string, bindByDefault bool, linger time.Duration) (*socket.Socket, error) {
	if b.cfg.lingerSet {
		linger = b.cfg.linger
	}
	opts := []socket.Option{socket.WithLinger(linger)}
	if b.cfg.hwm >= 0 {
		opts = append(opts, socket.WithSendHWM(b.cfg.hwm), socket.WithRecvHWM(b.cfg.hwm))
	}
	s, err := socket.New(t, opts...)
	if err != nil {
		return nil, err
	}
	bind := (bindByDefault || b.cfg.bind) && !b.cfg.connect
	if bind {
		err = s.Bind(ep)
	} else {
		err = s.Connect(ep)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// watch cancels the returned context when --timeout passes with no progress.
// A per-message deadline would put a timer on the hot path; sampling a
// counter costs nothing there.
func (b *bench) watch(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	if b.cfg.timeout <= 0 {
		return ctx, func() { cancel(nil) }
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(b.cfg.timeout / 4)
		defer tick.Stop()
		last, idle := b.progress.Load(), time.Duration(0)
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if n := b.progress.Load(); n != last {
					last, idle = n, 0
					continue
				}
				if idle += b.cfg.timeout / 4; idle >= b.cfg.timeout {
					cancel(errBenchTimeout)
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(stop)
		wg.Wait()
		cancel(nil)
	}
}

// cause reports why ctx ended in place of the bare cancellation error.
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && errors.Is(c, errBenchTimeout) {
		return c
	}
	return err
}

func (b *bench) payload() socket.Msg {
	p := make([]byte, b.size)
	for i := range p {
		p[i] = 'x'
	}
	// Send takes ownership of frames but never writes to them, so one
	// read-only payload can stand for every message of the run.
	return socket.NewMsg(p)
}

func (b *bench) checkSize(m socket.Msg) error {
	if len(m.Frames) != 1 || len(m.Frames[0]) != b.size {
		return fmt.Errorf("%w: %d frames, first %d bytes, want 1 frame of %d", errBenchSize, len(m.Frames), firstLen(m), b.size)
	}
	return nil
}

func firstLen(m socket.Msg) int {
	if len(m.Frames) == 0 {
		return 0
	}
	return len(m.Frames[0])
}

// closeBoth closes s and keeps the first error.
func closeBoth(err error, s *socket.Socket) error {
	if cerr := s.Close(); err == nil && cerr != nil && !errors.Is(cerr, socket.ErrClosed) {
		return cerr
	}
	return err
}

// session opens one socket, runs f on it under the bench's timeout, and
// closes it, keeping the first error: the shape every perf verb shares.
func (b *bench) session(parent context.Context, t socket.Type, ep string, bind bool, linger time.Duration,
	f func(ctx context.Context, s *socket.Socket) error) error {
	s, err := b.open(t, ep, bind, linger)
	if err != nil {
		return err
	}
	ctx, stop := b.watch(parent)
	err = f(ctx, s)
	stop()
	return closeBoth(err, s)
}

// measure adapts a timed run to the shape session and inproc take, keeping
// its duration in *d.
func measure(d *time.Duration, f func(context.Context, *socket.Socket) (time.Duration, error)) func(context.Context, *socket.Socket) error {
	return func(ctx context.Context, s *socket.Socket) (err error) {
		*d, err = f(ctx, s)
		return err
	}
}

// timed runs receive in a session and prints throughput once the socket
// closed cleanly.
func (b *bench) timed(parent context.Context, t socket.Type, ep string,
	receive func(ctx context.Context, s *socket.Socket) (time.Duration, error)) error {
	var elapsed time.Duration
	err := b.session(parent, t, ep, true, benchLinger, measure(&elapsed, receive))
	if err == nil {
		b.printThr(elapsed)
	}
	return err
}

// inprocSeq keeps the inproc names of concurrent runs in one process apart.
var inprocSeq atomic.Uint64

// inproc runs local in this goroutine and remote in another, over a fresh
// inproc endpoint; the local side binds first.
func (b *bench) inproc(parent context.Context, name string, lt, rt socket.Type,
	local func(context.Context, *socket.Socket) error, remote func(context.Context, *socket.Socket) error) error {
	ep := fmt.Sprintf("inproc://purezmq-bench-%s-%d", name, inprocSeq.Add(1))
	b.cfg.bind, b.cfg.connect = false, false
	ls, err := b.open(lt, ep, true, benchLinger)
	if err != nil {
		return err
	}
	rs, err := b.open(rt, ep, false, benchRemoteThrLinger)
	if err != nil {
		return closeBoth(err, ls)
	}
	ctx, stop := b.watch(parent)
	ctx, cancel := context.WithCancelCause(ctx)
	var rerr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if rerr = remote(ctx, rs); rerr != nil {
			cancel(rerr)
		}
	}()
	err = local(ctx, ls)
	if err != nil {
		cancel(err)
	}
	wg.Wait()
	cancel(nil)
	stop()
	if err == nil {
		err = rerr
	}
	return closeBoth(closeBoth(err, rs), ls)
}
