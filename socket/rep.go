package socket

import (
	"context"
	"sync"

	"github.com/purezmq/purezmq/internal/buf"
)

// repSocket receives requests fair-queued from REQ/DEALER peers, hands the
// application only the body, and sends the reply back to the requester with
// the request's envelope (every frame up to and including the empty
// delimiter) put back in front. Recv and Send must alternate strictly.
type repSocket struct {
	s  *Socket
	fq fairQueue

	mu        sync.Mutex
	receiving bool
	replying  bool
	envelope  [][]byte
	to        *peer
}

func (h *repSocket) attach(p *peer) error { h.fq.add(p); return nil }
func (h *repSocket) detach(p *peer)       {}

func (h *repSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.recvFrom(ctx, block)
	return m, err
}

func (h *repSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	h.mu.Lock()
	if h.replying || h.receiving {
		h.mu.Unlock()
		return nil, nil, ErrState
	}
	h.receiving = true
	h.mu.Unlock()

	var from *peer
	var env, body [][]byte
	try := func() (bool, error) {
		for {
			p, m := h.fq.tryRecv()
			if m == nil {
				return false, nil
			}
			for i, f := range m {
				if len(f) == 0 {
					if i+1 < len(m) {
						from, env, body = p, m[:i+1:i+1], m[i+1:]
						return true, nil
					}
					break
				}
			}
			// No delimiter or no body: not a request; dropped as libzmq does.
			buf.Release(m)
		}
	}
	err := h.s.wait(ctx, block, &h.s.recvSig, try)

	h.mu.Lock()
	h.receiving = false
	if err == nil {
		h.replying, h.envelope, h.to = true, ownEnvelope(env), from
	}
	h.mu.Unlock()
	if err == nil {
		h.s.sendSig.notify() // a reply is owed: writable (pollers)
	}
	return from, body, err
}

func (h *repSocket) send(ctx context.Context, m [][]byte, block bool) error {
	return h.reply(m, false)
}

// sendCopy is send for a message the caller keeps (Send): the copy is made
// with the envelope in front, in one go.
func (h *repSocket) sendCopy(ctx context.Context, m [][]byte, block bool) error {
	return h.reply(m, true)
}

func (h *repSocket) reply(m [][]byte, copyMsg bool) error {
	h.mu.Lock()
	if !h.replying {
		h.mu.Unlock()
		return ErrState
	}
	env, to := h.envelope, h.to
	h.replying, h.envelope, h.to = false, nil, nil
	h.mu.Unlock()
	h.s.recvSig.notify() // the next request may be read (pollers)

	var reply [][]byte
	if copyMsg {
		reply = buf.CopyJoin(env, m, true)
	} else {
		// Join carries m's pool mark over, so the writer can recycle a
		// received message sent back as the reply (see oneDestination).
		reply = buf.Join(env, m)
	}
	// The requester may be gone or full: like a ROUTER, REP drops the reply.
	if to.tryDirect(reply) {
		return nil
	}
	if err := to.out.TryPush(reply); err != nil {
		h.s.countDrops(1)
		buf.Release(reply) // dropped: a marked reply is ours to recycle
	}
	return nil
}

// delimiterOnly is the envelope of a request straight from a REQ: just the
// empty delimiter. Shared, read only.
var delimiterOnly = [][]byte{{}}

// ownEnvelope copies a request's envelope out of the received message: its
// frames and list lie in the reader's recycled slab, which the
// application's Release of the request may hand to the next messages
// before the reply is sent.
func ownEnvelope(env [][]byte) [][]byte {
	if len(env) == 1 && len(env[0]) == 0 {
		return delimiterOnly
	}
	total := 0
	for _, f := range env {
		total += len(f)
	}
	block := make([]byte, 0, total)
	out := make([][]byte, len(env))
	for i, f := range env {
		block = append(block, f...)
		out[i] = block[len(block)-len(f) : len(block) : len(block)]
	}
	return out
}
