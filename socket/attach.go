// Peers joining and leaving the socket: creation, attachment to the socket
// type's strategy, detachment, routing ids.

package socket

import (
	"strings"

	"github.com/purezmq/purezmq/queue"
)

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
	if fq := p.fq.Load(); fq != nil {
		fq.departed(p)
	}
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

// generateRoutingID makes a ROUTER id for a peer without an identity:
// a zero byte and a 4-byte counter, as libzmq does.
func (s *Socket) generateRoutingID() []byte {
	n := s.nextRID.Add(1)
	return []byte{0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}
