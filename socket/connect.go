package socket

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// connector is one connect endpoint. For tcp and ipc it owns a goroutine
// that dials, handshakes, serves the connection (as its reader) and
// reconnects; for inproc it only records the link.
type connector struct {
	s     *Socket
	given string
	ep    endpoint

	ctx    context.Context // cancelled to stop dialing
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine ends (at once for inproc)

	// pre is the peer made at Connect time for types that queue messages
	// before the connection is up; it outlives reconnects.
	pre *peer
	// routingID is the routing id this endpoint's peers get
	// (ZMQ_CONNECT_ROUTING_ID), nil for a generated one.
	routingID []byte

	mu  sync.Mutex
	cur []*peer // peers currently attached through this endpoint
}

// Connect connects to endpoint in the background and returns at once;
// the connection is retried and re-established for as long as the endpoint
// stays connected (see WithReconnectInterval). Endpoints are as for Bind,
// without wildcards.
func (s *Socket) Connect(endpoint string) error { return s.connect(endpoint, nil) }

// connect is Connect with the routing id its peers get (rid, see
// ConnectWithRoutingID), or nil for the one set by WithConnectRoutingID.
func (s *Socket) connect(endpoint string, rid []byte) error {
	ep, err := parseEndpoint(endpoint, false)
	if err != nil {
		return err
	}
	if err := s.checkStreamTransport(ep); err != nil {
		return err
	}
	s.markUsed()
	if rid == nil {
		rid = s.takeConnectRoutingID()
	}
	c := &connector{s: s, given: endpoint, ep: ep, done: make(chan struct{}), routingID: rid}
	c.ctx, c.cancel = context.WithCancel(s.ctx)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.cancel()
		return ErrClosed
	}
	s.connects = append(s.connects, c)
	if ep.transport != "inproc" {
		s.wg.Add(1)
	}
	s.mu.Unlock()

	if ep.transport == "inproc" {
		close(c.done)
		s.connectInproc(c)
		return nil
	}
	s.preAttach(c)
	go c.run()
	return nil
}

// Disconnect stops connecting to endpoint and drops its connection and
// whatever was queued for it.
func (s *Socket) Disconnect(endpoint string) error {
	s.mu.Lock()
	var c *connector
	for i, x := range s.connects {
		if x.given == endpoint {
			c = x
			s.connects = append(s.connects[:i:i], s.connects[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	if c == nil {
		return fmt.Errorf("%w: %s", ErrNotConnected, endpoint)
	}
	c.stopDialing()
	if c.ep.transport == "inproc" {
		inprocCancelPending(c)
	}
	c.mu.Lock()
	peers := append([]*peer(nil), c.cur...)
	c.mu.Unlock()
	for _, p := range peers {
		s.detachPeer(p, nil)
	}
	if c.pre != nil {
		s.detachPeer(c.pre, nil)
	}
	<-c.done
	return nil
}

// preAttach gives c its peer before any connection exists when the socket
// type queues messages for connecting peers.
func (s *Socket) preAttach(c *connector) {
	// A ROUTER peer with a connect routing id is routable at once.
	if !s.preAttaches() && !(c.routingID != nil && s.typ == Router) {
		return
	}
	p := s.newPeer(c.given, nil, true)
	p.fixedRID = c.routingID
	if err := s.attachPeer(p); err == nil {
		c.pre = p
	}
}

func (c *connector) stopDialing() { c.cancel() }

func (c *connector) track(p *peer, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on {
		c.cur = append(c.cur, p)
		return
	}
	for i, q := range c.cur {
		if q == p {
			c.cur = append(c.cur[:i:i], c.cur[i+1:]...)
			return
		}
	}
}

// sleep waits d, or returns false when dialing was stopped.
func (c *connector) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// next returns the interval after d: doubled up to the maximum when
// exponential backoff is on.
func (c *connector) next(d time.Duration) time.Duration {
	o := c.s.opt()
	if o.reconnectIvlMax <= 0 {
		return o.reconnectIvl
	}
	return min(2*d, max(o.reconnectIvlMax, o.reconnectIvl))
}

// jitter spreads reconnection attempts by up to a tenth of the interval, so
// many clients of one restarted server do not come back in lockstep.
func jitter(d time.Duration) time.Duration {
	if d < 10 {
		return d
	}
	return d + time.Duration(rand.Int64N(int64(d/10)))
}

// run dials, serves and redials until the connector is disconnected or its
// socket closes, waiting the reconnect interval (lengthened up to its maximum
// while attempts fail) between attempts.
func (c *connector) run() {
	s := c.s
	defer s.wg.Done()
	defer close(c.done)
	defer func() {
		if c.pre != nil {
			s.detachPeer(c.pre, ErrClosed)
		}
	}()
	ivl := s.opt().reconnectIvl
	for n := 0; ; n++ {
		if n > 0 {
			s.emit(Event{Kind: EventConnectRetried, Endpoint: c.given})
		}
		switch c.attempt() {
		case attemptStop:
			return
		case attemptBackoff:
			if !c.sleep(jitter(ivl)) {
				return
			}
			ivl = c.next(ivl)
		case attemptServed:
			ivl = s.opt().reconnectIvl
			if c.ctx.Err() != nil || s.closing.Load() || !c.sleep(jitter(ivl)) {
				return
			}
		}
	}
}

// attemptResult says what the connect loop does after one attempt.
type attemptResult int

const (
	// attemptBackoff: no connection was served (the dial, the handshake or
	// the attach failed); wait, then lengthen the interval.
	attemptBackoff attemptResult = iota
	// attemptServed: a connection was served and has ended; wait the base
	// interval before redialling.
	attemptServed
	// attemptStop: the connector is done (disconnected or closing).
	attemptStop
)

// attempt dials once and, when that succeeds, handshakes and serves the
// connection until it ends.
func (c *connector) attempt() attemptResult {
	s, ep := c.s, c.given
	nc, err := dial(c.ctx, c.ep, &s.opt().tcp)
	if err != nil {
		if c.ctx.Err() != nil {
			return attemptStop
		}
		s.emit(Event{Kind: EventConnectDelayed, Endpoint: ep, Err: err})
		return attemptBackoff
	}
	addr := nc.RemoteAddr().String()
	s.emit(Event{Kind: EventConnected, Endpoint: ep, Peer: addr})
	if s.typ == Stream {
		s.serveRaw(nc, ep, c) // raw bytes, no handshake (conn_stream.go)
		return attemptServed
	}
	zc, err := zmtp.Handshake(c.ctx, nc, s.zmtpConfig())
	if err != nil {
		if c.ctx.Err() != nil {
			return attemptStop
		}
		s.emit(Event{Kind: EventHandshakeFailed, Endpoint: ep, Peer: addr, Err: err})
		return attemptBackoff
	}
	// Registered before a fresh peer is attached (see openConn).
	sc, err := s.openConn(zc, c.pre != nil)
	if err != nil {
		return attemptStop // closing: the socket takes no new connection
	}
	p := c.pre
	if p != nil {
		fillPeer(p, zc)
	} else if p, err = s.adoptPeer(ep, zc); err != nil {
		sc.abandon()
		s.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Peer: addr, Err: err})
		return attemptBackoff
	}
	c.track(p, true)
	s.emit(Event{Kind: EventHandshakeSucceeded, Endpoint: ep, Peer: addr, Protocol: protocolOf(zc)})
	err = s.runConn(sc, p)
	c.track(p, false)
	if p != c.pre {
		s.releasePeer(p, err)
	}
	s.emit(Event{Kind: EventDisconnected, Endpoint: ep, Peer: addr, Err: err})
	return attemptServed
}
