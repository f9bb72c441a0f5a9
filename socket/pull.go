package socket

import "context"

// pullSocket fair-queues messages from its PUSH peers and sends nothing.
type pullSocket struct {
	s  *Socket
	fq fairQueue
}

func (h *pullSocket) attach(p *peer) error { h.fq.add(p); return nil }
func (h *pullSocket) detach(p *peer)       {}

func (h *pullSocket) send(context.Context, [][]byte, bool) error { return ErrNotSupported }

func (h *pullSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.s.recvFair(ctx, &h.fq, block)
	return m, err
}
