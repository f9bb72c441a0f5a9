package socket

import "context"

// pushSocket load-balances messages over its PULL peers and receives nothing.
type pushSocket struct {
	s  *Socket
	lb loadBalancer
}

func (h *pushSocket) attach(p *peer) error { h.lb.add(p); return nil }
func (h *pushSocket) detach(p *peer)       { h.lb.remove(p) }

func (h *pushSocket) send(ctx context.Context, m [][]byte, block bool) error {
	_, err := h.s.sendBalanced(ctx, &h.lb, m, block)
	return err
}

func (h *pushSocket) recv(context.Context, bool) ([][]byte, error) { return nil, ErrNotSupported }
