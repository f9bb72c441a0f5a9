package socket

import (
	"errors"
	"fmt"
	"sync"

	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// ErrRetentionExpired is the cause given to a retained peer whose pipe was
// let go: its TTL ran out, or MaxKeys evicted it.
var ErrRetentionExpired = errors.New("socket: retained peer expired")

// retention keeps the peers of departed connections by key (ZeroMQ 2.x
// durable identities). A parked peer stays attached to the socket type —
// still in PUB's subscription trie, still in ROUTER's routing table — but
// has no connection: messages keep going into its outbound pipe, under its
// HWM, mute action and swap. A connection that arrives with the same key
// takes the peer back and its writer sends the backlog first.
type retention struct {
	cfg Retention
	r   *queue.Retainer

	mu     sync.Mutex
	live   map[string]*liveKey // keys with a connection now
	parked map[*queue.Pipe]*peer
}

type liveKey struct {
	p        *peer
	released chan struct{} // closed when p's connection has ended and p is parked or gone
}

func newRetention(s *Socket, cfg Retention) *retention {
	rt := &retention{cfg: cfg, live: make(map[string]*liveKey), parked: make(map[*queue.Pipe]*peer)}
	rt.r = queue.NewRetainer(queue.RetainConfig{
		TTL:     cfg.TTL,
		MaxKeys: cfg.MaxKeys,
		OnEvict: func(key string, pipe *queue.Pipe, reason queue.EvictReason) {
			rt.mu.Lock()
			p := rt.parked[pipe]
			delete(rt.parked, pipe)
			rt.mu.Unlock()
			if p == nil {
				return
			}
			// A retained backlog that nobody will claim is thrown away,
			// ring file included. The event comes after, so whoever sees it
			// finds the peer and its backlog gone from Stats.
			pipe.Discard()
			s.detachPeer(p, ErrRetentionExpired)
			if reason != queue.Shutdown {
				s.emit(Event{Kind: EventRetentionExpired, Peer: key,
					Err: fmt.Errorf("%w (%v)", ErrRetentionExpired, reason)})
			}
		},
	})
	return rt
}

// key is what p is retained under: its Identity, or its authenticated user.
func (rt *retention) key(p *peer) string {
	if rt.cfg.KeyBy == KeyUser {
		return p.userID
	}
	return string(p.identity)
}

// adoptPeer makes or finds the peer for a connection whose handshake has
// succeeded, and attaches it: a retained peer with the connection's key is
// taken back; a live one with the same key refuses the newcomer, or with
// RouterHandover is cut and then taken over.
func (s *Socket) adoptPeer(ep string, zc *zmtp.Conn) (*peer, error) {
	fresh := s.newPeer(ep, zc.PeerIdentity(), false)
	fillPeer(fresh, zc)
	rt := s.rt
	if rt == nil {
		return fresh, s.attachPeer(fresh)
	}
	key := rt.key(fresh)
	if key == "" {
		s.noteNoKey(fresh, ep)
		return fresh, s.attachPeer(fresh)
	}
	for {
		rt.mu.Lock()
		lk := rt.live[key]
		if lk == nil {
			break
		}
		rt.mu.Unlock()
		if !s.opt().routerHandover {
			fresh.out.Close()
			fresh.in.Close()
			return nil, fmt.Errorf("%w: key %q is already connected", ErrPeerRefused, key)
		}
		lk.p.mu.Lock()
		c := lk.p.conn
		lk.p.mu.Unlock()
		if c != nil {
			c.shutdown(errHandedOver)
		}
		select {
		case <-lk.released:
		case <-s.done:
			return nil, ErrClosed
		}
	}
	defer rt.mu.Unlock()
	if pipe, _, ok := rt.r.Claim(key); ok {
		if p := rt.parked[pipe]; p != nil {
			delete(rt.parked, pipe)
			fresh.out.Close()
			fresh.in.Close()
			fillPeer(p, zc)
			p.endpoint = ep
			rt.live[key] = &liveKey{p: p, released: make(chan struct{})}
			s.emit(Event{Kind: EventRetentionClaimed, Endpoint: ep, Peer: key})
			s.sendSig.notify()
			return p, nil
		}
	}
	if err := s.attachPeer(fresh); err != nil {
		return fresh, err
	}
	rt.live[key] = &liveKey{p: fresh, released: make(chan struct{})}
	return fresh, nil
}

// releasePeer ends a connection's hold on its peer: with retention and a
// key the peer is parked for its next connection; otherwise it is detached.
func (s *Socket) releasePeer(p *peer, cause error) {
	rt := s.rt
	if rt == nil {
		s.detachPeer(p, cause)
		return
	}
	key := rt.key(p)
	rt.mu.Lock()
	lk := rt.live[key]
	if key == "" || lk == nil || lk.p != p {
		rt.mu.Unlock()
		s.detachPeer(p, cause)
		return
	}
	if s.closing.Load() {
		delete(rt.live, key)
		rt.mu.Unlock()
		close(lk.released)
		s.detachPeer(p, cause)
		return
	}
	rt.parked[p.out] = p
	rt.mu.Unlock()
	// Park may evict others (MaxKeys) through OnEvict, which takes rt.mu, so
	// it runs unlocked; the key stays live until the peer is parked, so a
	// newcomer with the same key waits (handover) or is refused meanwhile
	// rather than missing the backlog.
	if err := rt.r.Park(key, p.out, nil); err == nil {
		s.emit(Event{Kind: EventRetained, Endpoint: p.endpoint, Peer: key, Err: cause})
	}
	rt.mu.Lock()
	delete(rt.live, key)
	rt.mu.Unlock()
	close(lk.released)
}

// closeRetention lets every parked peer go (Close).
func (s *Socket) closeRetention() {
	if s.rt != nil {
		s.rt.r.Close()
	}
}

// retained reports how many departed peers are kept now.
func (s *Socket) retained() int {
	if s.rt == nil {
		return 0
	}
	return s.rt.r.Len()
}
