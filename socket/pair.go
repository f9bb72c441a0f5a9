package socket

import (
	"context"
	"fmt"
	"sync"
)

// pairSocket talks to exactly one PAIR peer; a second is refused while the
// first is attached.
type pairSocket struct {
	s    *Socket
	mu   sync.Mutex
	peer *peer
	lb   loadBalancer
	fq   fairQueue
}

func (h *pairSocket) attach(p *peer) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peer != nil {
		return fmt.Errorf("%w: PAIR already has a peer", ErrPeerRefused)
	}
	h.peer = p
	h.lb.add(p)
	h.fq.add(p)
	return nil
}

func (h *pairSocket) detach(p *peer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peer == p {
		h.peer = nil
	}
	h.lb.remove(p)
}

func (h *pairSocket) send(ctx context.Context, m [][]byte, block bool) error {
	_, err := h.s.sendBalanced(ctx, &h.lb, m, block)
	return err
}

func (h *pairSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.s.recvFair(ctx, &h.fq, block)
	return m, err
}
