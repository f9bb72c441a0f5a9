package socket

import (
	"context"
	"sync"

	"github.com/purezmq/purezmq/internal/buf"
)

// reqSocket sends a request to one REP/ROUTER peer (load-balanced), with an
// empty delimiter frame in front, and then accepts only that peer's reply.
// Send and Recv must alternate strictly.
type reqSocket struct {
	s  *Socket
	lb loadBalancer
	fq fairQueue

	mu      sync.Mutex
	sending bool  // a Send is in progress
	waiting bool  // a request is out; the next call must be Recv
	cur     *peer // the peer the request went to
}

func (h *reqSocket) attach(p *peer) error {
	h.lb.add(p)
	h.fq.add(p)
	return nil
}

func (h *reqSocket) detach(p *peer) { h.lb.remove(p) }

func (h *reqSocket) send(ctx context.Context, m [][]byte, block bool) error {
	return h.request(ctx, m, block, false)
}

// sendCopy is send for a message the caller keeps (Send): the copy is made
// with the delimiter in front, in one go.
func (h *reqSocket) sendCopy(ctx context.Context, m [][]byte, block bool) error {
	return h.request(ctx, m, block, true)
}

func (h *reqSocket) request(ctx context.Context, m [][]byte, block, copyMsg bool) error {
	h.mu.Lock()
	if h.waiting || h.sending {
		h.mu.Unlock()
		return ErrState
	}
	h.sending = true
	h.mu.Unlock()

	var req [][]byte
	if copyMsg {
		req = buf.CopyJoin(reqDelimiter, m, true)
	} else {
		// Join keeps m's pool mark, so its buffers are recycled once written.
		req = buf.Join(reqDelimiter, m)
	}
	p, err := h.s.sendBalanced(ctx, &h.lb, req, block)
	if err != nil && copyMsg {
		buf.Release(req) // not queued: the copy is ours
	}

	h.mu.Lock()
	h.sending = false
	if err == nil {
		h.waiting, h.cur = true, p
	}
	h.mu.Unlock()
	return err
}

func (h *reqSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.recvFrom(ctx, block)
	return m, err
}

func (h *reqSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	h.mu.Lock()
	if !h.waiting {
		h.mu.Unlock()
		return nil, nil, ErrState
	}
	cur := h.cur
	h.mu.Unlock()

	var reply [][]byte
	try := func() (bool, error) {
		for {
			p, m := h.fq.tryRecv()
			if m == nil {
				return false, nil
			}
			// Anything but an empty delimiter followed by a body from the
			// peer we asked is not our reply: libzmq drops it too.
			if p == cur && len(m) >= 2 && len(m[0]) == 0 {
				reply = m[1:]
				return true, nil
			}
		}
	}
	if err := h.s.wait(ctx, block, &h.s.recvSig, try); err != nil {
		return nil, nil, err
	}
	h.mu.Lock()
	h.waiting, h.cur = false, nil
	h.mu.Unlock()
	return cur, reply, nil
}

// reqDelimiter is the empty frame a REQ puts in front of each request.
var reqDelimiter = [][]byte{{}}
