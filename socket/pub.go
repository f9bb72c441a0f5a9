package socket

import "context"

// pubSocket sends each message to every subscriber whose subscription is a
// prefix of its first frame. It never blocks: a subscriber whose pipe is
// full misses the message (counted in Stats().Dropped).
type pubSocket struct {
	s *Socket
	d distributor
}

func (h *pubSocket) attach(p *peer) error { return nil }
func (h *pubSocket) detach(p *peer)       { h.d.removePeer(p) }

func (h *pubSocket) send(ctx context.Context, m [][]byte, block bool) error {
	dropped, _ := h.d.send(m, false, nil)
	h.s.countDrops(dropped)
	return nil
}

// sendCopy is send for a message the caller keeps (Send): the distributor
// copies it once it knows who gets it.
func (h *pubSocket) sendCopy(ctx context.Context, m [][]byte, block bool) error {
	dropped, _ := h.d.send(m, false, &h.s.slab)
	h.s.countDrops(dropped)
	return nil
}

func (h *pubSocket) recv(context.Context, bool) ([][]byte, error) { return nil, ErrNotSupported }

func (h *pubSocket) onSubscribe(p *peer, topic []byte, on bool) { h.d.subscribe(p, topic, on) }

// onUpstream drops what subscribers send besides subscriptions, as libzmq's PUB does.
func (h *pubSocket) onUpstream(*peer, [][]byte) {}
