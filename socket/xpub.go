package socket

import (
	"context"

	"github.com/purezmq/purezmq/queue"
)

// xpubSocket is a PUB that hands subscriptions to the application as
// messages: "\x01topic" when a topic gets its first subscriber (every
// subscription with XPubVerbose) and "\x00topic" when its last one cancels
// or leaves. Other messages from XSUB peers are delivered as they are.
type xpubSocket struct {
	s  *Socket
	d  distributor
	up *queue.Pipe // subscription messages and upstream traffic for Recv
}

func newXPubSocket(s *Socket) *xpubSocket {
	return &xpubSocket{s: s, up: queue.New(queue.Config{Notify: s.recvSig.notify})}
}

func (h *xpubSocket) attach(p *peer) error { return nil }

func (h *xpubSocket) detach(p *peer) {
	for _, t := range h.d.removePeer(p) {
		h.deliver(t, false)
	}
}

func (h *xpubSocket) deliver(topic []byte, on bool) {
	b := make([]byte, 1+len(topic))
	if on {
		b[0] = 1
	}
	copy(b[1:], topic)
	_ = h.up.TryPush([][]byte{b})
}

func (h *xpubSocket) onSubscribe(p *peer, topic []byte, on bool) {
	first, last, _ := h.d.subscribe(p, topic, on)
	switch {
	case on && (first || h.s.opt().xpubVerbose):
		h.deliver(topic, true)
	case !on && last:
		h.deliver(topic, false)
	}
}

func (h *xpubSocket) onUpstream(p *peer, m [][]byte) { _ = h.up.TryPush(m) }

func (h *xpubSocket) send(ctx context.Context, m [][]byte, block bool) error {
	return h.publish(ctx, m, block, false)
}

// sendCopy is send for a message the caller keeps (Send): the distributor
// copies it once it knows who gets it.
func (h *xpubSocket) sendCopy(ctx context.Context, m [][]byte, block bool) error {
	return h.publish(ctx, m, block, true)
}

func (h *xpubSocket) publish(ctx context.Context, m [][]byte, block, copyMsg bool) error {
	if !h.s.opt().xpubNoDrop {
		dropped, _ := h.d.send(m, false, copyMsg)
		h.s.countDrops(dropped)
		return nil
	}
	return h.s.wait(ctx, block, &h.s.sendSig, func() (bool, error) {
		dropped, full := h.d.send(m, true, copyMsg)
		h.s.countDrops(dropped)
		return !full, nil
	})
}

func (h *xpubSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	if m, ok := h.up.Pop(); ok {
		return m, nil
	}
	var msg [][]byte
	err := h.s.wait(ctx, block, &h.s.recvSig, func() (bool, error) {
		var ok bool
		msg, ok = h.up.Pop()
		return ok, nil
	})
	return msg, err
}
