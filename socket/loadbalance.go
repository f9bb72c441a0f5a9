package socket

import "sync/atomic"

// loadBalancer sends each message to exactly one peer, round-robin over the
// peers whose pipe has room (PUSH, DEALER, REQ, PAIR). It never broadcasts.
type loadBalancer struct {
	list peerList
	next atomic.Uint32
}

func (lb *loadBalancer) add(p *peer)    { lb.list.add(p) }
func (lb *loadBalancer) remove(p *peer) { lb.list.remove(p) }

// trySend queues m on the next peer with room and returns it, or nil when
// every pipe is full or there is no peer.
func (lb *loadBalancer) trySend(m [][]byte) *peer {
	ps := lb.list.load()
	n := uint32(len(ps))
	if n == 0 {
		return nil
	}
	start := lb.next.Load()
	for i := uint32(0); i < n; i++ {
		idx := (start + i) % n
		// Load-balanced pipes mute by blocking, so a failed push (full, or
		// closed by a departing peer) left m untouched: try the next one.
		if p := ps[idx]; p.tryDirect(m) || p.out.TryPush(m) == nil {
			lb.next.Store(idx + 1)
			return p
		}
	}
	return nil
}
