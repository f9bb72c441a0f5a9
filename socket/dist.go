package socket

import (
	"sync"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
)

// distributor sends each message to every peer subscribed to a prefix of its
// first frame (PUB, XPUB). Filtering happens here, on the publishing side.
type distributor struct {
	mu      sync.Mutex
	trie    peerTrie
	gen     uint64
	matched []*peer // reused across sends; guarded by mu
}

// send queues m for every matching peer. With noDrop it first checks that
// every matching pipe has room and queues nothing (full=true) otherwise.
// dropped counts the pipes that were at their HWM.
//
// With a slab, m is the caller's (Send) and the pipes get a copy
// (copyMsg), made only once a peer matched: a recycled one when exactly
// one peer did (its writer gives it back, and a drop gives it back at
// once, so flooding a stalled subscriber makes no garbage), plain memory
// shared by all of them otherwise (from the slab for a small message, so
// no allocation per message either).
func (d *distributor) send(m [][]byte, noDrop bool, slab *buf.Slab) (dropped int, full bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	gen := d.gen
	d.matched = d.matched[:0]
	d.trie.match(m[0], func(p *peer) {
		if p.mark != gen {
			p.mark = gen
			d.matched = append(d.matched, p)
		}
	})
	if noDrop {
		for _, p := range d.matched {
			if !p.out.HasRoom() && !p.out.Closed() {
				return 0, true
			}
		}
	}
	single := len(d.matched) == 1
	if slab != nil && len(d.matched) > 0 {
		m = copyMsg(slab, m, single)
	}
	for _, p := range d.matched {
		err := p.out.TryPush(m)
		if err == queue.ErrDropped || err == queue.ErrFull {
			dropped++
		}
		if err != nil && slab != nil && single {
			buf.Release(m) // not queued: the copy is ours to give back
		}
	}
	clear(d.matched)
	return dropped, false
}

// subscribe applies a subscription change from p. first: the topic had no
// subscriber before; last: a cancel left it with none; dup: p was already
// subscribed (or, for a cancel, was not).
func (d *distributor) subscribe(p *peer, topic []byte, on bool) (first, last, dup bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !p.attached.Load() {
		return false, false, true
	}
	key := string(topic)
	if on {
		if p.subs == nil {
			p.subs = make(map[string]struct{})
		}
		_, dup = p.subs[key]
		p.subs[key] = struct{}{}
		first = d.trie.add(topic, p)
		return first, false, dup
	}
	was, last := d.trie.remove(topic, p)
	delete(p.subs, key)
	return false, last, !was
}

// removePeer drops all of p's subscriptions and returns the topics left with
// no subscriber.
func (d *distributor) removePeer(p *peer) (orphaned [][]byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for t := range p.subs {
		if _, last := d.trie.remove([]byte(t), p); last {
			orphaned = append(orphaned, []byte(t))
		}
	}
	p.subs = nil
	return orphaned
}
