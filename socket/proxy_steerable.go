package socket

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ProxyOption configures Proxy and NewSteerableProxy.
type ProxyOption func(*SteerableProxy) error

// WithProxyCapture sends a copy of every message the proxy forwards, in
// either direction, to capture (a PUB, PUSH or PAIR, typically), before the
// message is forwarded, as zmq_proxy's capture socket. A nil capture is no
// capture. Sending to it waits as the socket type's Send does.
func WithProxyCapture(capture *Socket) ProxyOption {
	return func(p *SteerableProxy) error {
		p.capture = capture
		return nil
	}
}

// WithProxyControl steers the proxy from control, as zmq_proxy_steerable
// does: a single-frame message PAUSE stops forwarding (messages wait in
// the sockets), RESUME restarts it, TERMINATE ends the proxy (Run returns
// nil) and STATISTICS is answered with eight frames, each a uint64 in the
// host's byte order as libzmq writes them: messages and bytes received by
// the frontend, sent by the frontend, received by the backend and sent by
// the backend (ProxyStats). A REP control socket answers the other
// commands with an empty message, as current libzmq documents, so that a
// REQ can drive it; a PAIR (or any other type) gets no answer to them.
// Unknown commands are logged and ignored (answered empty on REP). A nil
// control is no control.
func WithProxyControl(control *Socket) ProxyOption {
	return func(p *SteerableProxy) error {
		if control != nil && control.typ == Stream {
			return badOption("ProxyControl", "a STREAM socket cannot carry commands")
		}
		p.control = control
		return nil
	}
}

// Proxy control commands (WithProxyControl).
const (
	ProxyPause      = "PAUSE"
	ProxyResume     = "RESUME"
	ProxyTerminate  = "TERMINATE"
	ProxyStatistics = "STATISTICS"
)

// ProxySideStats counts what passed one side of a proxy. A multipart
// message counts once; its bytes are the sum of its frames.
type ProxySideStats struct {
	MsgIn, BytesIn   uint64 // received by this socket (and forwarded)
	MsgOut, BytesOut uint64 // sent by this socket
}

// ProxyStats are a proxy's counters, as STATISTICS reports them.
type ProxyStats struct {
	Frontend, Backend ProxySideStats
}

// AppendFrames appends the eight STATISTICS frames, in libzmq's order and
// encoding (uint64, host byte order), to m.
func (st ProxyStats) AppendFrames(m [][]byte) [][]byte {
	for _, v := range [8]uint64{
		st.Frontend.MsgIn, st.Frontend.BytesIn, st.Frontend.MsgOut, st.Frontend.BytesOut,
		st.Backend.MsgIn, st.Backend.BytesIn, st.Backend.MsgOut, st.Backend.BytesOut,
	} {
		m = append(m, binary.NativeEndian.AppendUint64(nil, v))
	}
	return m
}

// ParseProxyStats decodes a STATISTICS reply (eight 8-byte frames, host
// byte order), from this package's proxy or libzmq's.
func ParseProxyStats(m Msg) (ProxyStats, error) {
	if len(m.Frames) != 8 {
		return ProxyStats{}, fmt.Errorf("%w: STATISTICS reply has %d frames, want 8", ErrBadMessage, len(m.Frames))
	}
	var v [8]uint64
	for i, f := range m.Frames {
		if len(f) != 8 {
			return ProxyStats{}, fmt.Errorf("%w: STATISTICS frame %d is %d bytes, want 8", ErrBadMessage, i, len(f))
		}
		v[i] = binary.NativeEndian.Uint64(f)
	}
	return ProxyStats{
		Frontend: ProxySideStats{v[0], v[1], v[2], v[3]},
		Backend:  ProxySideStats{v[4], v[5], v[6], v[7]},
	}, nil
}

type sideCounters struct{ msgIn, bytesIn, msgOut, bytesOut atomic.Uint64 }

func (c *sideCounters) load() ProxySideStats {
	return ProxySideStats{c.msgIn.Load(), c.bytesIn.Load(), c.msgOut.Load(), c.bytesOut.Load()}
}

// ErrProxyRunning: Run was called on a proxy that is already running.
var ErrProxyRunning = errors.New("socket: proxy already running")

// SteerableProxy is a proxy (see Proxy) that can be paused, resumed,
// terminated and asked for its counters from Go, and optionally from a
// control socket. Its methods are safe to call from any goroutine, before
// or during Run.
type SteerableProxy struct {
	front, back      *Socket
	capture, control *Socket

	mu     sync.Mutex
	paused bool
	// active is cancelled when the proxy pauses: it aborts the pumps'
	// waiting receives, so that a paused proxy takes nothing off its
	// sockets. It derives from base, Run's context, so that both reach a
	// waiting Recv synchronously. resumed is closed when it resumes.
	base         context.Context
	active       context.Context
	cancelActive context.CancelFunc
	resumed      chan struct{}

	term     chan struct{} // closed by Terminate
	termOnce sync.Once
	running  atomic.Bool

	fs, bs sideCounters
}

// NewSteerableProxy makes a proxy between frontend and backend; Run starts
// it.
func NewSteerableProxy(frontend, backend *Socket, opts ...ProxyOption) (*SteerableProxy, error) {
	if frontend == nil || backend == nil {
		return nil, badOption("Proxy", "frontend and backend are required")
	}
	p := &SteerableProxy{front: frontend, back: backend, term: make(chan struct{})}
	p.active, p.cancelActive = context.WithCancel(context.Background())
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Pause stops forwarding: messages stay queued in the sockets until Resume.
// A message already taken off a socket when Pause is called may still be
// forwarded; none is taken after it.
func (p *SteerableProxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		return
	}
	p.paused = true
	p.resumed = make(chan struct{})
	p.cancelActive()
}

// Resume restarts forwarding after Pause.
func (p *SteerableProxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		return
	}
	p.paused = false
	p.active, p.cancelActive = context.WithCancel(p.baseLocked())
	close(p.resumed)
}

func (p *SteerableProxy) baseLocked() context.Context {
	if p.base == nil {
		return context.Background()
	}
	return p.base
}

// Paused reports whether the proxy is paused.
func (p *SteerableProxy) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// Terminate ends the proxy: Run returns nil. A proxy terminated before Run
// returns from it at once.
func (p *SteerableProxy) Terminate() {
	p.termOnce.Do(func() { close(p.term) })
}

// Stats returns the proxy's counters.
func (p *SteerableProxy) Stats() ProxyStats {
	return ProxyStats{Frontend: p.fs.load(), Backend: p.bs.load()}
}

// gate waits while the proxy is paused and returns the context a receive
// runs under until the next pause.
func (p *SteerableProxy) gate(ctx context.Context) (context.Context, error) {
	for {
		p.mu.Lock()
		paused, active, resumed := p.paused, p.active, p.resumed
		p.mu.Unlock()
		if !paused {
			return active, nil
		}
		select {
		case <-resumed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Run forwards messages until ctx ends (its error), a socket fails or is
// closed (that error), or the proxy is terminated (nil).
func (p *SteerableProxy) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return ErrProxyRunning
	}
	defer p.running.Store(false)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.begin(ctx)
	defer p.end()
	r := &proxyRun{p: p, ctx: ctx, cancel: cancel}
	r.wg.Add(3)
	go r.watchTerm()
	go r.pump(p.front, p.back, &p.fs, &p.bs)
	go r.pump(p.back, p.front, &p.bs, &p.fs)
	if p.control != nil {
		r.wg.Add(1)
		go r.serveControl()
	}
	r.wg.Wait()
	select {
	case <-p.term:
		return nil
	default:
	}
	if r.first != nil {
		return r.first
	}
	return parent.Err()
}

// begin makes ctx the base of the run's receive contexts (Pause cancels
// the active one, Resume derives a new one from the base), starting a
// receive context now unless the proxy was paused before Run.
func (p *SteerableProxy) begin(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.base = ctx
	if !p.paused {
		p.cancelActive()
		p.active, p.cancelActive = context.WithCancel(ctx)
	}
}

// end forgets the finished run's base context.
func (p *SteerableProxy) end() {
	p.mu.Lock()
	p.base = nil
	p.mu.Unlock()
}

// proxyRun is one Run's goroutines: the first error any of them meets is
// Run's result, and ends the others through cancel.
type proxyRun struct {
	p      *SteerableProxy
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	first  error
}

func (r *proxyRun) fail(err error) {
	r.once.Do(func() { r.first = err })
	r.cancel()
}

// watchTerm ends the run when TERMINATE arrives (Terminate or the control
// socket), which Run reports as a clean stop.
func (r *proxyRun) watchTerm() {
	defer r.wg.Done()
	select {
	case <-r.p.term:
		r.cancel()
	case <-r.ctx.Done():
	}
}

// serveControl answers the control socket's commands for the run's time.
func (r *proxyRun) serveControl() {
	defer r.wg.Done()
	if err := r.p.serveControl(r.ctx); err != nil && r.ctx.Err() == nil {
		r.fail(err)
	}
}

// pump forwards messages from one side to the other (and to capture), one
// at a time, waiting at the gate while paused, and counts them on both
// sides.
func (r *proxyRun) pump(from, to *Socket, fromC, toC *sideCounters) {
	defer r.wg.Done()
	p, ctx := r.p, r.ctx
	for {
		actx, err := p.gate(ctx)
		if err != nil {
			return
		}
		m, err := from.Recv(actx)
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return
			case actx.Err() != nil:
				continue // paused while waiting: nothing was taken
			case errors.Is(err, ErrNotSupported):
				return // a type that never receives (as Proxy always did)
			}
			r.fail(err)
			return
		}
		// Paused after the message was taken: it waits for Resume.
		if _, err := p.gate(ctx); err != nil {
			m.Release()
			return
		}
		// Counted before it is passed on: once sent, the receiver may ask
		// for STATISTICS before this goroutine runs again, and must see it.
		// A failed send ends the proxy, so the count is not taken back.
		n := uint64(m.Len())
		fromC.msgIn.Add(1)
		fromC.bytesIn.Add(n)
		toC.msgOut.Add(1)
		toC.bytesOut.Add(n)
		if !r.forward(m, to) {
			return
		}
	}
}

// forward sends m to capture, if any, then on to to, which takes its
// buffers (SendOwned: a proxy does not copy). It reports whether the pump
// goes on; a send that failed while the run is still on fails the run.
func (r *proxyRun) forward(m Msg, to *Socket) bool {
	ctx := r.ctx
	if c := r.p.capture; c != nil {
		if err := c.Send(ctx, m); err != nil {
			m.Release()
			if ctx.Err() == nil {
				r.fail(fmt.Errorf("socket: proxy capture: %w", err))
			}
			return false
		}
	}
	if err := to.SendOwned(ctx, m); err != nil {
		m.Release()
		if ctx.Err() == nil {
			r.fail(err)
		}
		return false
	}
	return true
}

// serveControl reads commands from the control socket until ctx ends or
// TERMINATE.
func (p *SteerableProxy) serveControl(ctx context.Context) error {
	c := p.control
	rep := c.typ == Rep
	ack := func() error {
		if !rep {
			return nil
		}
		return c.Send(ctx, NewMsg(nil))
	}
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			return fmt.Errorf("socket: proxy control: %w", err)
		}
		cmd, frames := "", len(m.Frames)
		if frames == 1 {
			cmd = string(m.Frames[0])
		}
		m.Release()
		switch cmd {
		case ProxyPause:
			p.Pause()
			err = ack()
		case ProxyResume:
			p.Resume()
			err = ack()
		case ProxyTerminate:
			err = ack()
			p.Terminate()
			return nil
		case ProxyStatistics:
			err = c.Send(ctx, Msg{Frames: p.Stats().AppendFrames(make([][]byte, 0, 8))})
		default:
			c.log.Warn("proxy control: unknown command ignored", "command", cmd, "frames", frames)
			err = ack()
		}
		if err != nil {
			return fmt.Errorf("socket: proxy control reply: %w", err)
		}
	}
}
