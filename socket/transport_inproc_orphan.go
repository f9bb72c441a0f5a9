package socket

import (
	"time"

	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// An inproc connect endpoint whose socket closed before anyone bound its
// name leaves its queued messages behind, as libzmq does: a socket that
// binds the name within the linger time receives them, as if the sender
// had still been there when it connected. Only what was queued survives;
// the closed socket receives nothing.
type inprocOrphan struct {
	owner    *Socket // the closed connecting socket (for its counters and log)
	pipe     *queue.Pipe
	endpoint string
	typ      Type
	identity []byte
	deadline time.Time // zero: no limit (negative linger)
}

// inprocLeave turns connector c, about to be closed, into an orphan when it
// is still waiting for a bind and has messages queued, and linger allows.
// It reports whether it did.
func inprocLeave(c *connector, linger time.Duration) bool {
	p := c.pre
	if linger == 0 || p == nil || p.remote != nil || p.out.Len() == 0 {
		return false
	}
	o := &inprocOrphan{owner: c.s, pipe: p.out, endpoint: c.given, typ: c.s.typ, identity: c.s.opt().identity}
	if linger > 0 {
		o.deadline = time.Now().Add(linger)
	}
	name := c.ep.addr
	inprocReg.mu.Lock()
	defer inprocReg.mu.Unlock()
	waiting := false
	for _, x := range inprocReg.pending[name] {
		waiting = waiting || x == c
	}
	if !waiting {
		return false // linked meanwhile: the pipe is shared already
	}
	if inprocReg.orphans == nil {
		inprocReg.orphans = map[string][]*inprocOrphan{}
	}
	pruneOrphans(time.Now())
	inprocReg.orphans[name] = append(inprocReg.orphans[name], o)
	p.orphaned = true
	return true
}

// pruneOrphans lets go of orphans whose linger time is over, so names
// nobody binds do not hold their messages for ever. Each new orphan prunes
// the others. inprocReg.mu is held.
func pruneOrphans(now time.Time) {
	for name, list := range inprocReg.orphans {
		kept := list[:0]
		for _, o := range list {
			if !o.expired(now) {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 {
			delete(inprocReg.orphans, name)
		} else {
			inprocReg.orphans[name] = kept
		}
	}
}

// takeOrphans removes and returns what closed connectors left for name.
// inprocReg.mu is held.
func takeOrphans(name string) []*inprocOrphan {
	list := inprocReg.orphans[name]
	delete(inprocReg.orphans, name)
	return list
}

// expired reports whether the orphan's linger time is over; its messages
// are then counted as discarded by the socket that left them.
func (o *inprocOrphan) expired(now time.Time) bool {
	if o.deadline.IsZero() || now.Before(o.deadline) {
		return false
	}
	if n := o.pipe.Len(); n > 0 {
		o.owner.lingerDropped.Add(uint64(n))
		o.owner.log.Warn("inproc messages left by a closed socket discarded: nobody bound in the linger time",
			"endpoint", o.endpoint, "discarded", n)
	}
	return true
}

// adoptOrphan gives binder b the messages o left: a peer that is attached
// (so the type sees it, as any newcomer) and detached at once, which closes
// it for sending while its inbound pipe is read out (see fairQueue).
func adoptOrphan(o *inprocOrphan, b *Socket) {
	ep := o.endpoint
	if !zmtp.SocketTypesCompatible(o.typ.String(), b.typ.String()) {
		b.emit(Event{Kind: EventHandshakeFailed, Endpoint: ep, Err: &zmtp.IncompatibleSocketTypeError{Local: b.typ.String(), Peer: o.typ.String()}})
		return
	}
	o.pipe.SetNotify(b.recvSig.notify)
	back := queue.New(queue.Config{HWM: 1, Mute: queue.Drop})
	back.Close()
	bp := &peer{s: b, endpoint: ep, out: back, in: o.pipe, identity: o.identity, peerType: o.typ.String(), addr: ep}
	if err := b.attachPeer(bp); err != nil {
		b.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Err: err})
		return
	}
	b.emit(Event{Kind: EventAccepted, Endpoint: ep})
	b.detachPeer(bp, nil)
	b.recvSig.notify()
}
