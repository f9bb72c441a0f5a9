package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// Errors that end a socket verb with exit status 1.
var (
	errTimeout   = errors.New("purezmq: timed out")
	errInputDone = errors.New("purezmq: stdin ended")
)

// lockedWriter serialises writes from the monitor goroutine and the main loop.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// session is one run of a socket verb.
type session struct {
	cfg    *sockConfig
	s      *socket.Socket
	stdin  io.Reader
	out    *output
	stderr io.Writer

	sent, received int
}

// runSocket runs a socket verb until --count is reached, stdin ends (for the
// types that need it), --timeout expires, ctx is cancelled or an error occurs.
func runSocket(ctx context.Context, cfg *sockConfig, stdin io.Reader, stdout, stderr io.Writer) int {
	stderr = &lockedWriter{w: stderr}
	if cfg.swapDir != "" {
		// Private to this user: the ring files hold message contents.
		if err := os.MkdirAll(cfg.swapDir, 0o700); err != nil {
			fmt.Fprintf(stderr, "purezmq %s: %v\n", cfg.verb, err)
			return exitError
		}
	}
	opts, err := cfg.options()
	if err != nil {
		fmt.Fprintf(stderr, "purezmq %s: %v\n", cfg.verb, err)
		return exitError
	}
	s, err := socket.New(cfg.typ, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "purezmq %s: %v\n", cfg.verb, err)
		return exitError
	}
	stopReload := cfg.auth.reloadOnHangup(cfg.verb, cfg.verbose, stderr)
	defer stopReload()
	var monWG sync.WaitGroup
	monCtx, stopMon := context.WithCancel(context.Background())
	if cfg.verbose {
		monWG.Add(1)
		go func() {
			defer monWG.Done()
			reportEvents(monCtx, s.Monitor(), stderr)
		}()
	}
	ss := &session{cfg: cfg, s: s, stdin: stdin, out: newOutput(stdout, cfg.codec()), stderr: stderr}
	err = ss.setup()
	if err == nil {
		err = ss.loop(ctx)
	}
	closeErr := s.Close()
	stopMon()
	monWG.Wait()
	st := s.Stats()
	if cfg.verbose {
		fmt.Fprintf(stderr, "purezmq %s: sent %d, received %d, dropped %d, discarded at close %d\n", cfg.verb, st.Sent, st.Received, st.Dropped, st.LingerDropped)
	}
	if cfg.verbose && cfg.ack {
		fmt.Fprintf(stderr, "purezmq %s: acknowledged connections %d, put back after cuts %d, repeats dropped %d, unacknowledged at close %d\n",
			cfg.verb, st.AckConnections, st.Resent, st.AckDuplicates, st.Unacked)
	}
	reportSwap(stderr, cfg, st)
	if err == nil && closeErr != nil && !errors.Is(closeErr, socket.ErrClosed) {
		err = closeErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "purezmq %s: %v\n", cfg.verb, err)
		return exitError
	}
	return exitOK
}

func reportEvents(ctx context.Context, evs <-chan socket.Event, w io.Writer) {
	for {
		select {
		case <-ctx.Done():
			// Events emitted before the stop (the socket is closed by
			// then, its channel too) are still printed: a verb that got
			// its count at once must not lose the handshake it reports.
			for {
				select {
				case ev, ok := <-evs:
					if !ok {
						return
					}
					fmt.Fprintln(w, "purezmq: event", ev.String())
				default:
					return
				}
			}
		case ev, ok := <-evs:
			if !ok {
				return
			}
			fmt.Fprintln(w, "purezmq: event", ev.String())
		}
	}
}

func (ss *session) setup() error {
	for _, ep := range ss.cfg.binds {
		if err := ss.s.Bind(ep); err != nil {
			return err
		}
	}
	for _, ep := range ss.cfg.connects {
		if err := ss.s.Connect(ep); err != nil {
			return err
		}
	}
	if t := ss.cfg.typ; t == socket.Sub || t == socket.XSub {
		subs := ss.cfg.subscribes
		if !ss.cfg.subscribeSet {
			// A command-line subscriber that shows nothing until told what to
			// show would look broken; libzmq's empty default suits programs.
			subs = stringList{""}
		}
		for _, p := range subs {
			if err := ss.s.Subscribe(unescapeText([]byte(p))); err != nil {
				return err
			}
		}
	}
	return nil
}

// loop picks the shape of conversation the socket type has.
func (ss *session) loop(parent context.Context) error {
	// Cancelling on return also stops the stdin reader, which may be
	// waiting to hand over a line nobody will take (--count reached).
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	if ss.cfg.timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, ss.cfg.timeout, errTimeout)
		defer stop()
	}
	var err error
	switch t := ss.cfg.typ; {
	case t == socket.Pub || t == socket.Push:
		err = ss.sendOnly(ctx)
	case t == socket.Sub || t == socket.Pull:
		err = ss.recvOnly(ctx)
	case t == socket.Req:
		err = ss.request(ctx)
	case t == socket.Rep && !ss.cfg.echo:
		err = ss.reply(ctx)
	case ss.cfg.echo:
		err = ss.echo(ctx)
	default:
		err = ss.duplex(ctx)
	}
	return ss.explain(ctx, parent, err)
}

// explain turns the way a loop ended into the verb's result: a signal with no
// --count pending is a normal end, a missed --count or a timeout is not.
func (ss *session) explain(ctx, parent context.Context, err error) error {
	if errors.Is(err, errInputDone) {
		return nil
	}
	if err == nil || ctx.Err() == nil {
		return err
	}
	progress := ""
	if n := ss.cfg.count; n > 0 {
		progress = fmt.Sprintf(" after %d of %d messages", ss.counted(), n)
	}
	if parent.Err() == nil && errors.Is(context.Cause(ctx), errTimeout) {
		return fmt.Errorf("%w after %v%s", errTimeout, ss.cfg.timeout, progress)
	}
	if ss.cfg.count > 0 {
		return fmt.Errorf("purezmq: interrupted%s", progress)
	}
	return nil
}

// counted is what --count counts: sends for send-only types, receptions otherwise.
func (ss *session) counted() int {
	if t := ss.cfg.typ; t == socket.Pub || t == socket.Push {
		return ss.sent
	}
	return ss.received
}

func (ss *session) done() bool { return ss.cfg.count > 0 && ss.counted() >= ss.cfg.count }

// waitDelay honours --delay before the first send.
func (ss *session) waitDelay(ctx context.Context) error {
	if ss.cfg.delay <= 0 {
		return nil
	}
	t := time.NewTimer(ss.cfg.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sendNext sends the next stdin line as one message and counts it.
func (ss *session) sendNext(ctx context.Context, in *input) error {
	m, err := nextLine(ctx, in)
	if err != nil {
		return err
	}
	if err := ss.s.Send(ctx, m); err != nil {
		return err
	}
	ss.sent++
	return nil
}

// nextLine returns the next stdin message, or errInputDone at its end.
func nextLine(ctx context.Context, in *input) (socket.Msg, error) {
	select {
	case m, ok := <-in.msgs:
		if !ok {
			if in.err != nil {
				return socket.Msg{}, in.err
			}
			return socket.Msg{}, errInputDone
		}
		return m, nil
	case <-ctx.Done():
		return socket.Msg{}, ctx.Err()
	}
}

func (ss *session) receive(ctx context.Context) (socket.Msg, error) {
	m, err := ss.s.Recv(ctx)
	if err != nil {
		return m, err
	}
	ss.received++
	return m, ss.out.write(m)
}

// sendOnly: PUB, PUSH. Ends at stdin EOF or after --count sends.
func (ss *session) sendOnly(ctx context.Context) error {
	if err := ss.waitDelay(ctx); err != nil {
		return err
	}
	in := startInput(ctx, ss.stdin, ss.cfg.codec())
	for !ss.done() {
		if err := ss.sendNext(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// recvOnly: SUB, PULL. Ends after --count receptions; never reads stdin.
func (ss *session) recvOnly(ctx context.Context) error {
	for !ss.done() {
		if _, err := ss.receive(ctx); err != nil {
			return err
		}
	}
	return nil
}

// request: REQ. One stdin line out, one reply printed, until stdin ends.
func (ss *session) request(ctx context.Context) error {
	if err := ss.waitDelay(ctx); err != nil {
		return err
	}
	in := startInput(ctx, ss.stdin, ss.cfg.codec())
	for !ss.done() {
		m, err := nextLine(ctx, in)
		if err != nil {
			return err
		}
		if err := ss.exchange(ctx, m); err != nil { // flags_req.go
			return err
		}
	}
	return nil
}

// reply: REP without --echo. Each request is printed and answered with the
// next stdin line; the end of stdin ends the run, as nothing could answer.
func (ss *session) reply(ctx context.Context) error {
	in := startInput(ctx, ss.stdin, ss.cfg.codec())
	for !ss.done() {
		if _, err := ss.receive(ctx); err != nil {
			return err
		}
		if err := ss.sendNext(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// echo: REP, ROUTER and STREAM with --echo. For ROUTER and STREAM the
// received routing id frame addresses the reply back to its sender.
func (ss *session) echo(ctx context.Context) error {
	for !ss.done() {
		m, err := ss.receive(ctx)
		if err != nil {
			return err
		}
		if ss.cfg.typ == socket.Stream && len(m.Frames) == 2 && len(m.Frames[1]) == 0 {
			// A connect or disconnect notification: sent back, it would
			// close the connection.
			continue
		}
		if err := ss.s.Send(ctx, m); err != nil {
			return err
		}
		ss.sent++
	}
	return nil
}

// duplex: DEALER, ROUTER, PAIR, XPUB, XSUB. stdin lines are sent from a
// second goroutine while this one prints what arrives. The end of stdin only
// ends sending; with --count the run ends once both N messages have arrived
// and stdin has been sent to its end.
func (ss *session) duplex(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := ss.waitDelay(ctx); err != nil {
			return
		}
		in := startInput(ctx, ss.stdin, ss.cfg.codec())
		for {
			m, err := nextLine(ctx, in)
			if err != nil {
				if !errors.Is(err, errInputDone) && ctx.Err() == nil {
					cancel(err)
				}
				return
			}
			if err := ss.s.Send(ctx, m); err != nil {
				if ctx.Err() == nil {
					cancel(err)
				}
				return
			}
		}
	}()
	var err error
	for !ss.done() {
		if _, err = ss.receive(ctx); err != nil {
			break
		}
	}
	if err != nil {
		cancel(nil)
	}
	// With --count reached, the rest of stdin is still sent: lines a script
	// piped in must not be lost to a race with the receptions.
	wg.Wait()
	cancel(nil)
	// A send failure cancelled the receive: report the cause, not the cancel.
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, errTimeout) {
		return cause
	}
	return err
}

// reportSwap says what the swap did: with -v always, and in any case when
// the disk turned messages away, so that "dropped" is never the only word
// for a full disk.
func reportSwap(w io.Writer, cfg *sockConfig, st socket.Stats) {
	if cfg.swap == 0 || (!cfg.verbose && st.SwapLastError == nil) {
		return
	}
	fmt.Fprintf(w, "purezmq %s: swap %d bytes on disk, %d messages refused (%d for a full disk, %d I/O errors)\n",
		cfg.verb, st.SwapDiskBytes, st.SpillRefused, st.SwapDiskFull, st.SwapIOErrors)
	if st.SwapLastError != nil {
		fmt.Fprintf(w, "purezmq %s: swap: %v\n", cfg.verb, st.SwapLastError)
	}
}
