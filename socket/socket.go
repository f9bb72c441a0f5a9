package socket

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
)

// handler is a socket type's behaviour: which pipes Send and Recv use.
type handler interface {
	// attach takes a peer whose handshake succeeded; an error refuses it.
	attach(p *peer) error
	// detach forgets a departed peer.
	detach(p *peer)
	send(ctx context.Context, m [][]byte, block bool) error
	recv(ctx context.Context, block bool) ([][]byte, error)
}

// Socket is a ZeroMQ socket. It is safe for concurrent use.
type Socket struct {
	typ Type
	o   options
	h   handler
	log *slog.Logger

	ctx    context.Context // cancelled by Close: aborts dials and handshakes
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	// lingerOver: Close's linger time is up; a connection made from now on
	// is cut at once.
	lingerOver bool
	peers      map[*peer]struct{}
	conns      map[*streamConn]struct{}
	binds      []*binding
	connects   []*connector

	closing atomic.Bool
	done    chan struct{} // closed by Close: wakes blocked Send and Recv
	sendSig signal        // an outbound pipe got room, or a peer arrived
	recvSig signal        // an inbound pipe got a message, or a peer arrived
	// writerParks counts the times a connection writer found its pipe
	// empty and parked (benchmarks report it per message).
	writerParks atomic.Uint64
	// directSent counts messages a Send wrote to its connection itself
	// (tryDirect), without the writer goroutine.
	directSent atomic.Uint64
	// recycled counts sent messages whose buffers a writer gave back to
	// the pool once written (see oneDestination).
	recycled atomic.Uint64
	wg       sync.WaitGroup

	monMu      sync.Mutex
	mon        chan Event
	monClosed  bool
	monDropped atomic.Uint64
	monLost    uint64 // dropped since the last EventMonitorOverflow; monMu

	sent, received, dropped atomic.Uint64
	lingerDropped           atomic.Uint64 // discarded by Close (linger.go)
	peakBytes               atomic.Int64  // largest backlog seen in departed pipes
	nextRID                 atomic.Uint32

	lv liveOptions // the options as SetOption left them (options_live.go)

	rt     *retention    // nil without WithRetention
	budget *queue.Budget // nil without WithSwap
}

// New makes a socket of type t.
func New(t Type, opts ...Option) (*Socket, error) {
	if !t.valid() {
		return nil, fmt.Errorf("%w: %d", ErrBadType, uint8(t))
	}
	o := defaultOptions()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if err := checkWriteThrough(&o); err != nil {
		return nil, err
	}
	if err := checkExt(t, &o); err != nil {
		return nil, err
	}
	if err := checkZAP(&o); err != nil {
		return nil, err
	}
	if err := checkLegacy(t, &o); err != nil {
		return nil, err
	}
	if err := checkStreamOptions(t, &o); err != nil {
		return nil, err
	}
	s := &Socket{
		typ:   t,
		o:     o,
		log:   o.logger.With("socket", t.String()),
		peers: make(map[*peer]struct{}),
		conns: make(map[*streamConn]struct{}),
		done:  make(chan struct{}),
		mon:   make(chan Event, monitorBuffer),
	}
	live := o
	s.lv.cur.Store(&live)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	// libzmq starts generated routing ids at a random value so ids are not
	// reused across restarts of one process.
	s.nextRID.Store(rand.Uint32())
	s.h = newHandler(s)
	if o.retention != nil {
		s.rt = newRetention(s, *o.retention)
	}
	if o.swapBytes > 0 {
		s.budget = queue.NewBudget(o.swapBytes)
	}
	if err := s.recoverSwap(); err != nil {
		s.cancel()
		return nil, err
	}
	return s, nil
}

func newHandler(s *Socket) handler {
	switch s.typ {
	case Pair:
		return &pairSocket{s: s}
	case Pub:
		return &pubSocket{s: s}
	case Sub:
		return newSubSocket(s, true)
	case XPub:
		return newXPubSocket(s)
	case XSub:
		return newSubSocket(s, false)
	case Push:
		return &pushSocket{s: s}
	case Pull:
		return &pullSocket{s: s}
	case Req:
		return &reqSocket{s: s}
	case Rep:
		return &repSocket{s: s}
	case Dealer:
		return &dealerSocket{s: s}
	case Router:
		return newRouterSocket(s)
	case Stream:
		return newStreamSocket(s)
	}
	panic("socket: unreachable")
}

// Type returns the socket's type.
func (s *Socket) Type() Type { return s.typ }

// Send sends one multipart message, waiting as the socket type's mute action
// says when there is no peer or no room (PUSH, DEALER, REQ, PAIR wait; PUB,
// XPUB and ROUTER drop), until ctx ends or the socket closes.
//
// Send copies m, as io.Writer, libzmq and pyzmq do: once it returns, m's
// frames are the caller's again, free to reuse or Release. The copy comes
// from a buffer pool and goes back once written, so it costs no allocation
// in steady state. SendOwned skips the copy.
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
	m := buf.Copy(frames, s.oneDestination())
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

// Recv receives one multipart message, waiting until one arrives, ctx ends
// or the socket closes.
func (s *Socket) Recv(ctx context.Context) (Msg, error) {
	return s.recv(ctx, true)
}

// TryRecv receives without waiting: ErrWouldBlock when nothing is queued.
func (s *Socket) TryRecv() (Msg, error) {
	return s.recv(context.Background(), false)
}

func (s *Socket) recv(ctx context.Context, block bool) (Msg, error) {
	if s.closing.Load() {
		return Msg{}, ErrClosed
	}
	var from *peer
	var f [][]byte
	var err error
	if h, ok := s.h.(peerRecver); ok {
		from, f, err = h.recvFrom(ctx, block)
	} else {
		f, err = s.h.recv(ctx, block)
	}
	if err != nil {
		return Msg{}, err
	}
	s.received.Add(1)
	m := Msg{Frames: f}
	if from != nil {
		m.md = from.md.Load()
	}
	return m, nil
}

// Subscribe adds a subscription (SUB, XSUB). Subscriptions are counted: a
// topic subscribed twice needs two Unsubscribe calls. On an XPUB made with
// WithXPubManual it subscribes, on its behalf, the subscriber whose message
// Recv returned last.
func (s *Socket) Subscribe(topic []byte) error {
	if x, ok := s.h.(*xpubSocket); ok {
		return x.manualSubscribe(topic, true) // XPubManual: for the last subscriber
	}
	h, ok := s.h.(*subSocket)
	if !ok {
		return ErrNotSupported
	}
	if s.closing.Load() {
		return ErrClosed
	}
	h.subscribe(topic, true)
	return nil
}

// Unsubscribe cancels one subscription (SUB, XSUB; a manual XPUB as
// Subscribe).
func (s *Socket) Unsubscribe(topic []byte) error {
	if x, ok := s.h.(*xpubSocket); ok {
		return x.manualSubscribe(topic, false)
	}
	h, ok := s.h.(*subSocket)
	if !ok {
		return ErrNotSupported
	}
	if s.closing.Load() {
		return ErrClosed
	}
	h.subscribe(topic, false)
	return nil
}

// wait runs try until it reports done, waiting on sig between attempts when
// block is set. try must not block.
func (s *Socket) wait(ctx context.Context, block bool, sig *signal, try func() (bool, error)) error {
	var tmo deadlineTimer // the socket-wide timeout (timeout.go)
	defer tmo.stop()
	for {
		if s.closing.Load() {
			return ErrClosed
		}
		if done, err := try(); done || err != nil {
			return err
		}
		if !block {
			return ErrWouldBlock
		}
		if err := tmo.start(s, ctx, sig); err != nil {
			return err
		}
		ch := sig.wait()
		if done, err := try(); done || err != nil {
			return err
		}
		sig.parks.Add(1)
		select {
		case <-ch:
		case <-tmo.c:
			return tmo.err()
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
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

// preAttaches reports whether a connect endpoint gets its pipe at once, so
// that messages sent before the connection is up are queued for it (libzmq
// does this for every type unless Immediate; it matters for the types whose
// Send would otherwise block or have nowhere to go).
func (s *Socket) preAttaches() bool {
	if s.opt().immediate {
		return false
	}
	switch s.typ {
	case Push, Dealer, Req, Pair:
		return true
	}
	return false
}

// newPeer is the one place where a peer's pipes are made.
func (s *Socket) newPeer(endpoint string, identity []byte, persistent bool) *peer {
	p := &peer{s: s, endpoint: endpoint, identity: identity, persistent: persistent}
	oc := queue.Config{HWM: s.outHWM(), Mute: s.outMute(), Notify: s.sendSig.notify}
	if s.budget != nil {
		// Rings are named by key only where a backlog may outlive its
		// connection (retention); others get unique anonymous names.
		if s.rt != nil && s.rt.cfg.KeyBy == KeyIdentity {
			oc.Key = string(identity)
		}
		oc.Swap = s.outSwap(oc.Key)
	}
	oc.Conflate = s.opt().ext.conflate
	p.out = queue.New(oc)
	if strings.HasPrefix(endpoint, "inproc://") {
		// A connect-first inproc peer: this pipe becomes the bound
		// socket's outbound pipe once it binds (inprocLink).
		p.in = queue.New(queue.Config{HWM: s.opt().rcvHWM, Mute: queue.Block, Key: string(identity), Notify: s.recvSig.notify, Conflate: s.opt().ext.conflate})
	} else if s.opt().ext.conflate {
		// The reader replaces what waits instead of stopping at a HWM.
		p.in = queue.New(queue.Config{Conflate: true, Notify: s.recvSig.notify})
	} else {
		p.in = queue.NewInbox(s.opt().rcvHWM, s.recvSig.notify)
	}
	return p
}

// attachPeer hands a peer to the socket type. It fails when the socket is
// closed or the type refuses the peer.
func (s *Socket) attachPeer(p *peer) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.peers[p] = struct{}{}
	s.mu.Unlock()
	p.attached.Store(true)
	if err := s.h.attach(p); err != nil {
		p.attached.Store(false)
		s.mu.Lock()
		delete(s.peers, p)
		s.mu.Unlock()
		return err
	}
	s.sendSig.notify()
	s.recvSig.notify()
	return nil
}

// detachPeer is the one place where a departed peer's pipes are discarded.
// It closes the peer's connection (with cause) and, for inproc, detaches the
// other socket's side too. It is idempotent.
func (s *Socket) detachPeer(p *peer, cause error) {
	p.mu.Lock()
	if p.detached {
		p.mu.Unlock()
		return
	}
	p.detached = true
	c := p.conn
	p.mu.Unlock()
	if p.attached.Swap(false) {
		s.h.detach(p)
	}
	s.mu.Lock()
	delete(s.peers, p)
	s.mu.Unlock()
	p.out.Close()
	p.in.Close()
	s.notePeak(p.out.Stats().PeakBytes)
	if c != nil {
		c.shutdown(cause)
	}
	if r := p.remote; r != nil {
		r.s.detachPeer(r, cause)
	}
	s.sendSig.notify()
	s.recvSig.notify()
}

func (s *Socket) notePeak(b int64) {
	for {
		old := s.peakBytes.Load()
		if b <= old || s.peakBytes.CompareAndSwap(old, b) {
			return
		}
	}
}

// countDrops records n messages dropped at a high-water mark, with a monitor
// event at the first drop and at every power of two after it, so a flood of
// drops is visible without flooding the monitor.
func (s *Socket) countDrops(n int) {
	if n <= 0 {
		return
	}
	for i := 0; i < n; i++ {
		t := s.dropped.Add(1)
		if t&(t-1) == 0 {
			s.emit(Event{Kind: EventDropped, Err: &DropError{Total: t}})
		}
	}
}

// generateRoutingID makes a ROUTER id for a peer without an identity:
// a zero byte and a 4-byte counter, as libzmq does.
func (s *Socket) generateRoutingID() []byte {
	n := s.nextRID.Add(1)
	return []byte{0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// Monitor returns the socket's event channel, carrying the kinds of
// WithMonitorMask (all by default). Events that do not fit in its buffer
// are dropped and counted (Stats().MonitorDropped), and an
// EventMonitorOverflow saying how many comes as soon as there is room. It
// is closed by Close.
func (s *Socket) Monitor() <-chan Event { return s.mon }

func (s *Socket) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.log.Debug("event", "kind", e.Kind.String(), "endpoint", e.Endpoint, "peer", e.Peer, "err", e.Err)
	if !s.opt().monitorMaskOrAll().Has(e.Kind) {
		return
	}
	s.monMu.Lock()
	defer s.monMu.Unlock()
	if s.monClosed {
		return
	}
	s.deliver(e)
}

// Close closes the socket: blocked Send and Recv return an error matching
// net.ErrClosed, listeners stop, and messages already queued are flushed for
// up to the linger time (WithLinger; DefaultLinger, one second, unless set)
// before the connections close; a connect endpoint with queued messages
// keeps trying to connect for that long. Messages still queued then are
// discarded: Close counts them (Stats().LingerDropped), raises
// EventLingerDiscarded and returns a *LingerError saying how many (it
// matches ErrLingerDiscard); otherwise it returns nil. Messages queued
// for an inproc peer stay for it to read. No goroutine of the socket
// outlives Close.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closing.Store(true)
	close(s.done)
	// Wake pollers (poller.go) watching this socket: they report it closed.
	s.sendSig.notify()
	s.recvSig.notify()
	linger := s.opt().linger
	binds, connects := s.binds, s.connects
	s.binds, s.connects = nil, nil
	peers := make([]*peer, 0, len(s.peers))
	for p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()

	for _, b := range binds {
		b.close()
	}
	var lingering []*connector
	for _, c := range connects {
		if c.ep.transport == "inproc" {
			inprocLeave(c, linger)
			inprocCancelPending(c)
		}
		if linger != 0 && c.pre != nil && c.pre.out.Len() > 0 {
			lingering = append(lingering, c)
			continue
		}
		c.stopDialing()
	}
	// Closing the pipes lets each writer drain what is queued and then end
	// its connection; inproc peers keep their shared pipes readable for the
	// other socket.
	for _, p := range peers {
		if p.remote != nil {
			s.detachPeer(p, ErrClosed)
			continue
		}
		p.out.Close()
		p.in.Close()
	}
	s.linger(lingering, linger)
	s.cancel()
	s.wg.Wait()
	s.countDiscarded(peers)
	s.persistBacklogs(peers)
	s.closeRetention()
	for _, p := range peers {
		s.detachPeer(p, ErrClosed)
	}
	err := s.lingerReport(linger)
	s.emit(Event{Kind: EventClosed})
	s.monMu.Lock()
	s.monClosed = true
	close(s.mon)
	s.monMu.Unlock()
	return err
}

// linger waits for the live connections to flush and for lingering connect
// endpoints to connect and flush, for at most the linger time, then cuts
// what is left.
func (s *Socket) linger(lingering []*connector, linger time.Duration) {
	s.mu.Lock()
	conns := make([]*streamConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	var deadline <-chan time.Time
	if linger >= 0 {
		t := time.NewTimer(linger)
		defer t.Stop()
		deadline = t.C
	}
	cut := func() {
		for _, c := range lingering {
			c.stopDialing()
		}
		s.mu.Lock()
		s.lingerOver = true
		for c := range s.conns {
			c.shutdown(ErrClosed)
		}
		s.mu.Unlock()
	}
	for _, c := range conns {
		select {
		case <-c.ended:
		case <-deadline:
			cut()
			return
		}
	}
	for _, c := range lingering {
		select {
		case <-c.done:
		case <-deadline:
			cut()
			return
		}
	}
	cut()
}

// Stats are a socket's counters.
type Stats struct {
	Sent, Received  uint64 // messages through Send and Recv
	Dropped         uint64 // messages dropped at a high-water mark or unroutable
	Peers           int    // attached peers (including connect endpoints awaiting a connection)
	Queued          int    // messages waiting in outbound pipes
	QueuedBytes     int64  // their payload bytes
	InQueued        int    // messages waiting in inbound pipes
	PeakQueuedBytes int64  // the largest backlog one outbound pipe has held
	SwappedBytes    int64  // swap space held now by outbound pipes (WithSwap)
	Spilled         uint64 // messages that went through the swap (of pipes still held)
	SpillRefused    uint64 // messages the swap could not take (budget spent): the mute action applied
	Retained        int    // departed peers kept under their key (WithRetention)
	MonitorDropped  uint64 // monitor events lost to a full Monitor channel
	LingerDropped   uint64 // queued messages Close discarded when linger ran out
}

// Stats returns the socket's counters.
func (s *Socket) Stats() Stats {
	st := Stats{
		Sent:           s.sent.Load(),
		Received:       s.received.Load(),
		Dropped:        s.dropped.Load(),
		MonitorDropped: s.monDropped.Load(),
		LingerDropped:  s.lingerDropped.Load(),
	}
	s.mu.Lock()
	peers := make([]*peer, 0, len(s.peers))
	for p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	st.Peers = len(peers)
	peak := s.peakBytes.Load()
	for _, p := range peers {
		os := p.out.Stats()
		st.Queued += os.Queued
		st.QueuedBytes += os.Bytes
		peak = max(peak, os.PeakBytes)
		st.SwappedBytes += os.SwapUsed
		st.Spilled += os.Spilled
		st.SpillRefused += os.SpillRefused
		st.InQueued += p.in.Len()
	}
	st.PeakQueuedBytes = peak
	st.Retained = s.retained()
	return st
}
