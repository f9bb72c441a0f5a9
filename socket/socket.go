package socket

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"

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
	typ  Type
	o    options
	h    handler
	slab buf.Slab // Send's copies of small messages (copyslab.go)
	log  *slog.Logger

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

	// Recv reading the connection itself (direct.go): blocking Recvs in
	// progress, the connection whose reader lent its token, the one a
	// Recv reads now, and the context whose end interrupts that read.
	recvBusy atomic.Int32
	nconns   atomic.Int32 // len(conns), for a look without mu
	noDirect atomic.Bool  // readers keep their token (see reclaimDirect)
	lent     atomic.Pointer[streamConn]
	dconn    atomic.Pointer[streamConn]
	dctxMu   sync.Mutex
	dctxDone <-chan struct{}
	dctxStop func() bool
	// writerParks counts the times a connection writer found its pipe
	// empty and parked (benchmarks report it per message).
	writerParks atomic.Uint64
	// directSent counts messages a Send wrote to its connection itself
	// (tryDirect), without the writer goroutine.
	directSent atomic.Uint64
	// directRead counts messages a Recv read from its connection itself
	// (direct.go).
	directRead atomic.Uint64
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

	// Acknowledged delivery (ack.go): connections that negotiated it,
	// repeated messages the receiver dropped, and the receive counts by
	// sender stream (made on first use).
	ackConns, ackDups atomic.Uint64
	rxOnce            sync.Once
	rx                *rxRegistry
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
	if err := checkAck(t, &o); err != nil {
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
	s.recvSig.kick = s.interruptDirect
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
		s.budget.SetErrorHandler(s.swapFailed)
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
