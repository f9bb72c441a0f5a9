package socket

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/purezmq/purezmq/internal/buf"
)

// subSocket is SUB (filter set) and XSUB. It keeps its subscriptions in a
// counted trie, sends every subscribe and every last cancel to all its
// publishers, and resends the whole set to each new connection, so a
// reconnected publisher is resubscribed. SUB filters what it receives too
// (publishers filter, but a topic may have been cancelled in flight); XSUB
// passes everything through and sends its application's messages upstream:
// "\x01topic" and "\x00topic" as subscriptions, anything else as is.
type subSocket struct {
	s      *Socket
	filter bool
	fq     fairQueue

	mu    sync.RWMutex // guards subs and the order of subscription traffic
	subs  subTrie
	peers peerList
	// all mirrors "subscribed to everything" (the empty topic), so that
	// the common SUB takes no lock per received message.
	all atomic.Bool
}

// newSubSocket makes a SUB (filter) or an XSUB (see xsub.go).
func newSubSocket(s *Socket, filter bool) *subSocket { return &subSocket{s: s, filter: filter} }

func (h *subSocket) attach(p *peer) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.peers.add(p)
	h.fq.add(p)
	h.subs.topics(func(t []byte) { p.sendSubscription(t, true) })
	return nil
}

func (h *subSocket) detach(p *peer) {
	h.mu.Lock()
	h.peers.remove(p)
	h.mu.Unlock()
}

func (h *subSocket) subscribe(topic []byte, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if on {
		h.subs.add(topic)
	} else if !h.subs.remove(topic) {
		return
	}
	h.all.Store(h.subs.root.refs > 0)
	for _, p := range h.peers.load() {
		p.sendSubscription(topic, on)
	}
}

func (h *subSocket) matches(m [][]byte) bool {
	if !h.filter || h.all.Load() {
		return true
	}
	h.mu.RLock()
	ok := h.subs.match(m[0])
	h.mu.RUnlock()
	return ok
}

func (h *subSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.recvFrom(ctx, block)
	return m, err
}

func (h *subSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	var from *peer
	var msg [][]byte
	try := func() (bool, error) {
		for {
			p, m := h.fq.tryRecv()
			if m == nil {
				return false, nil
			}
			if h.matches(m) {
				from, msg = p, m
				return true, nil
			}
			buf.Release(m) // filtered out: nobody else holds it
		}
	}
	err := h.s.wait(ctx, block, &h.s.recvSig, try)
	return from, msg, err
}
