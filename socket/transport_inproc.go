package socket

import (
	"fmt"
	"sync"
	"time"

	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// The inproc registry: bound names, and connects waiting for their bind
// (inproc allows connecting first, as libzmq does).
var inprocReg = struct {
	mu      sync.Mutex
	binds   map[string]*Socket
	pending map[string][]*connector
	orphans map[string][]*inprocOrphan // transport_inproc_orphan.go
}{binds: map[string]*Socket{}, pending: map[string][]*connector{}}

func (s *Socket) bindInproc(ep endpoint) error {
	name := ep.addr
	b := &binding{given: ep.raw, resolved: ep.raw, inproc: name, s: s}
	inprocReg.mu.Lock()
	if inprocReg.binds[name] != nil {
		inprocReg.mu.Unlock()
		err := fmt.Errorf("%w: %s", ErrAddrInUse, ep.raw)
		s.emit(Event{Kind: EventBindFailed, Endpoint: ep.raw, Err: err})
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		inprocReg.mu.Unlock()
		return ErrClosed
	}
	s.binds = append(s.binds, b)
	s.mu.Unlock()
	inprocReg.binds[name] = s
	waiting := inprocReg.pending[name]
	delete(inprocReg.pending, name)
	orphans := takeOrphans(name)
	inprocReg.mu.Unlock()
	s.emit(Event{Kind: EventListening, Endpoint: ep.raw})
	now := time.Now()
	for _, o := range orphans {
		if !o.expired(now) {
			adoptOrphan(o, s)
		}
	}
	for _, c := range waiting {
		inprocLink(c, s)
	}
	return nil
}

func inprocUnbind(name string, s *Socket) {
	inprocReg.mu.Lock()
	if inprocReg.binds[name] == s {
		delete(inprocReg.binds, name)
	}
	inprocReg.mu.Unlock()
}

func (s *Socket) connectInproc(c *connector) {
	name := c.ep.addr
	inprocReg.mu.Lock()
	b := inprocReg.binds[name]
	if b == nil {
		// Until the bind, the connecting side has its own pipes, sized by
		// its own HWMs alone.
		s.preAttach(c)
		inprocReg.pending[name] = append(inprocReg.pending[name], c)
		inprocReg.mu.Unlock()
		return
	}
	inprocReg.mu.Unlock()
	inprocLink(c, b)
}

func inprocCancelPending(c *connector) {
	inprocReg.mu.Lock()
	defer inprocReg.mu.Unlock()
	list := inprocReg.pending[c.ep.addr]
	for i, x := range list {
		if x == c {
			inprocReg.pending[c.ep.addr] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(inprocReg.pending[c.ep.addr]) == 0 {
		delete(inprocReg.pending, c.ep.addr)
	}
}

// inprocHWM is the HWM of an inproc pipe: both sides' settings added, as
// libzmq does, unlimited if either is.
func inprocHWM(snd, rcv int) int {
	if snd == 0 || rcv == 0 {
		return 0
	}
	return snd + rcv
}

// inprocLink joins connector c's socket to the bound socket b: no network and
// no ZMTP, the two sockets share a pair of pipes. The identity exchange and
// the socket-type check of a handshake are emulated.
func inprocLink(c *connector, b *Socket) {
	cs := c.s
	if c.ctx.Err() != nil {
		return // disconnected or closed meanwhile
	}
	ep := c.given
	if !zmtp.SocketTypesCompatible(cs.typ.String(), b.typ.String()) {
		err := &zmtp.IncompatibleSocketTypeError{Local: cs.typ.String(), Peer: b.typ.String()}
		cs.emit(Event{Kind: EventHandshakeFailed, Endpoint: ep, Err: err})
		b.emit(Event{Kind: EventHandshakeFailed, Endpoint: ep, Err: &zmtp.IncompatibleSocketTypeError{Local: b.typ.String(), Peer: cs.typ.String()}})
		return
	}
	pre := c.pre
	c2b, b2c := inprocPipes(cs, b, pre)

	cp := pre
	if cp == nil {
		cp = &peer{s: cs, endpoint: ep, out: c2b, in: b2c}
	}
	cp.identity, cp.peerType, cp.addr = b.opt().identity, b.typ.String(), ep
	if pre == nil {
		cp.fixedRID = c.routingID
	}
	bp := &peer{s: b, endpoint: ep, out: b2c, in: c2b, identity: cs.opt().identity, peerType: cs.typ.String(), addr: ep}
	cp.remote, bp.remote = bp, cp
	cp.md.Store(inprocMetadata(cp.peerType, cp.identity))
	bp.md.Store(inprocMetadata(bp.peerType, bp.identity))

	err := attachInprocPair(cs, b, cp, bp, pre != nil)
	if err != nil {
		cs.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Err: err})
		b.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Err: err})
		if pre != nil {
			cs.detachPeer(pre, err)
		}
		return
	}
	c.track(cp, true)
	cs.probeInproc(cp)
	b.probeInproc(bp)
	cs.emit(Event{Kind: EventConnected, Endpoint: ep})
	cs.emit(Event{Kind: EventHandshakeSucceeded, Endpoint: ep})
	b.emit(Event{Kind: EventAccepted, Endpoint: ep})
	b.emit(Event{Kind: EventHandshakeSucceeded, Endpoint: ep})
}

// inprocPipes makes (or, for a connect that queued before the bind, adopts)
// the two pipes an inproc pair shares: c2b from the connecting side cs to
// the bound side b, and b2c back.
func inprocPipes(cs, b *Socket, pre *peer) (c2b, b2c *queue.Pipe) {
	if pre != nil {
		c2b, b2c = pre.out, pre.in.(*queue.Pipe) // newPeer made it a Pipe for an inproc endpoint
		// Until now each pipe had the connecting side's mark alone; from
		// the bind on, as in libzmq, it holds both sides' marks added.
		c2b.SetHWM(inprocHWM(c2b.HWM(), b.opt().rcvHWM))
		b2c.SetHWM(inprocHWM(b.outHWM(), b2c.HWM()))
		b2c.SetMute(b.outMute())
	} else {
		// Either side's CONFLATE conflates both pipes, as libzmq's do.
		conflate := cs.opt().ext.conflate || b.opt().ext.conflate
		c2b = queue.New(queue.Config{HWM: inprocHWM(cs.outHWM(), b.opt().rcvHWM), Mute: cs.outMute(), Key: string(cs.opt().identity), Conflate: conflate})
		b2c = queue.New(queue.Config{HWM: inprocHWM(b.outHWM(), cs.opt().rcvHWM), Mute: b.outMute(), Key: string(b.opt().identity), Conflate: conflate})
	}
	// Each shared pipe wakes the sender's Send and the receiver's Recv.
	c2b.SetNotify(func() { cs.sendSig.notify(); b.recvSig.notify() })
	b2c.SetNotify(func() { b.sendSig.notify(); cs.recvSig.notify() })

	return c2b, b2c
}

// attachInprocPair attaches both ends of an inproc pair, undoing the first
// when the second is refused. A publisher is attached before its
// subscriber, which sends its subscriptions to it as it attaches. A
// connecting peer made before the bind (queued) is attached already.
func attachInprocPair(cs, b *Socket, cp, bp *peer, queued bool) error {
	_, cPub := cs.h.(subReceiver)
	attachC := func() error {
		if queued {
			return nil
		}
		return cs.attachPeer(cp)
	}
	var err error
	if cPub {
		if err = attachC(); err == nil {
			if err = b.attachPeer(bp); err != nil {
				cs.detachPeer(cp, err)
			}
		}
	} else {
		if err = b.attachPeer(bp); err == nil {
			if err = attachC(); err != nil {
				b.detachPeer(bp, err)
			}
		}
	}
	return err
}
