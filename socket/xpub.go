package socket

import (
	"context"
	"sync"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
)

// xpubSocket is a PUB that hands subscriptions to the application as
// messages: "\x01topic" when a topic gets its first subscriber (every
// subscription with XPubVerbose) and "\x00topic" when its last one cancels
// or leaves. Other messages from XSUB peers are delivered as they are.
// With XPubManual it applies no subscription itself (see xpub_manual.go).
type xpubSocket struct {
	s  *Socket
	d  distributor
	up *queue.Pipe // subscription messages and upstream traffic for Recv

	// mu keeps from in step with up: from[i] sent the i-th message in up,
	// which Recv needs for the message's Metadata and XPubManual for
	// whom Subscribe acts.
	mu   sync.Mutex
	from []*peer
	man  manualSubs // XPubManual's state, guarded by mu
}

func newXPubSocket(s *Socket) *xpubSocket {
	return &xpubSocket{s: s, up: queue.New(queue.Config{Notify: s.recvSig.notify})}
}

func (h *xpubSocket) attach(p *peer) error {
	if w := h.s.opt().ext.xpubWelcome; w != nil {
		// Queued before anything published can reach p, so it comes first.
		_ = p.out.TryPush([][]byte{w})
	}
	return nil
}

func (h *xpubSocket) detach(p *peer) {
	orphaned := h.d.removePeer(p)
	if h.s.opt().ext.xpubManual {
		orphaned = h.manualLeave(p)
	}
	for _, t := range orphaned {
		h.deliver(p, t, false)
	}
}

func (h *xpubSocket) deliver(p *peer, topic []byte, on bool) {
	b := make([]byte, 1+len(topic))
	if on {
		b[0] = 1
	}
	copy(b[1:], topic)
	h.pushUp(p, [][]byte{b})
}

// pushUp queues m from p for Recv.
func (h *xpubSocket) pushUp(p *peer, m [][]byte) {
	h.mu.Lock()
	if h.up.TryPush(m) == nil {
		h.from = append(h.from, p)
	}
	h.mu.Unlock()
}

// popUp takes the next message for Recv and who sent it.
func (h *xpubSocket) popUp() (*peer, [][]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, ok := h.up.Pop()
	if !ok {
		return nil, nil, false
	}
	p := h.from[0]
	h.from[0] = nil
	h.from = h.from[1:]
	if len(h.from) == 0 {
		h.from = h.from[:0:0] // let the array go; the next append starts over
	}
	h.man.last = p
	return p, m, true
}

func (h *xpubSocket) onSubscribe(p *peer, topic []byte, on bool) {
	if h.s.opt().ext.xpubManual {
		h.manualRequest(p, topic, on)
		h.deliver(p, topic, on)
		return
	}
	first, last, _ := h.d.subscribe(p, topic, on)
	switch {
	case on && (first || h.s.opt().xpubVerbose):
		h.deliver(p, topic, true)
	case !on && last:
		h.deliver(p, topic, false)
	}
}

func (h *xpubSocket) onUpstream(p *peer, m [][]byte) { h.pushUp(p, m) }

func (h *xpubSocket) send(ctx context.Context, m [][]byte, block bool) error {
	return h.publish(ctx, m, block, nil)
}

// sendCopy is send for a message the caller keeps (Send): the distributor
// copies it once it knows who gets it.
func (h *xpubSocket) sendCopy(ctx context.Context, m [][]byte, block bool) error {
	return h.publish(ctx, m, block, &h.s.slab)
}

// publish distributes m; with slab, a copy of it (Send).
func (h *xpubSocket) publish(ctx context.Context, m [][]byte, block bool, slab *buf.Slab) error {
	if !h.s.opt().xpubNoDrop {
		dropped, _ := h.d.send(m, false, slab)
		h.s.countDrops(dropped)
		return nil
	}
	return h.s.wait(ctx, block, &h.s.sendSig, func() (bool, error) {
		dropped, full := h.d.send(m, true, slab)
		h.s.countDrops(dropped)
		return !full, nil
	})
}

func (h *xpubSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.recvFrom(ctx, block)
	return m, err
}

func (h *xpubSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	if p, m, ok := h.popUp(); ok {
		return p, m, nil
	}
	var from *peer
	var msg [][]byte
	err := h.s.wait(ctx, block, &h.s.recvSig, func() (bool, error) {
		var ok bool
		from, msg, ok = h.popUp()
		return ok, nil
	})
	return from, msg, err
}
