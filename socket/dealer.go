package socket

import "context"

// dealerSocket load-balances what it sends and fair-queues what it
// receives, with no envelope handling.
type dealerSocket struct {
	s  *Socket
	lb loadBalancer
	fq fairQueue
}

func (h *dealerSocket) attach(p *peer) error {
	h.lb.add(p)
	h.fq.add(p)
	return nil
}

func (h *dealerSocket) detach(p *peer) { h.lb.remove(p) }

func (h *dealerSocket) send(ctx context.Context, m [][]byte, block bool) error {
	_, err := h.s.sendBalanced(ctx, &h.lb, m, block)
	return err
}

func (h *dealerSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.s.recvFair(ctx, &h.fq, block)
	return m, err
}
