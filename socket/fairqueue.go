package socket

import "sync/atomic"

// fairQueue receives from the peers' inbound pipes in turn, one message per
// peer per round, so one busy peer cannot starve the others (PULL, DEALER,
// SUB, XSUB, REP, ROUTER, REQ, PAIR).
type fairQueue struct {
	list peerList
	next atomic.Uint32
	gone atomic.Int32 // departed peers with nothing left to read, since the last prune
}

func (fq *fairQueue) add(p *peer) {
	p.fq.Store(fq)
	fq.list.add(p)
}

// departed is told by detachPeer that p left. A peer with messages still
// queued stays until tryRecv has read them out; one with none goes at the
// next prune, which runs when such peers are an eighth of the list: a
// socket nobody receives from does not keep every departed peer (its pipes,
// its inbox) for ever, and a mass disconnect costs one copy of the list per
// eighth, not one per peer.
func (fq *fairQueue) departed(p *peer) {
	if p.in.Len() != 0 {
		return
	}
	if g := fq.gone.Add(1); int(g)*8 < len(fq.list.load()) {
		return
	}
	fq.gone.Store(0)
	fq.list.prune(drainedPeer)
}

// drainedPeer reports a departed peer with nothing left to read.
func drainedPeer(p *peer) bool {
	return !p.attached.Load() && p.in.Closed() && p.in.Len() == 0
}

// remove forgets p at once; detached peers normally stay until drained (see
// tryRecv), this is for peers whose queued input must be discarded.
func (fq *fairQueue) remove(p *peer) { fq.list.remove(p) }

// tryRecv pops the next message in turn. A detached peer's pipe is closed but
// keeps what it already received; it is read out before the peer is dropped
// from the rotation, as libzmq delivers what arrived before a disconnect.
func (fq *fairQueue) tryRecv() (*peer, [][]byte) {
	ps := fq.list.load()
	n := uint32(len(ps))
	if n == 0 {
		return nil, nil
	}
	start := fq.next.Load()
	for i := uint32(0); i < n; i++ {
		idx := (start + i) % n
		p := ps[idx]
		if m, ok := p.in.Pop(); ok {
			if idx+1 != start {
				// An atomic store is a locked instruction on amd64:
				// skip it when the turn does not move (one peer).
				fq.next.Store(idx + 1)
			}
			return p, m
		}
		if !p.attached.Load() && p.in.Closed() && p.in.Len() == 0 {
			fq.list.remove(p)
		}
	}
	return nil, nil
}
