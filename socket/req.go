package socket

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync"

	"github.com/purezmq/purezmq/internal/buf"
)

// reqSocket sends a request to one REP/ROUTER peer (load-balanced), with an
// empty delimiter frame in front, and then accepts only that peer's reply.
// Send and Recv must alternate strictly, unless WithReqRelaxed lets a Send
// abandon the outstanding request. With WithReqCorrelate each request also
// carries a request id frame in front of the delimiter, and a reply counts
// only if it echoes the id of the latest request.
type reqSocket struct {
	s  *Socket
	lb loadBalancer
	fq fairQueue

	mu      sync.Mutex
	sending bool   // a Send is in progress
	waiting bool   // a request is out; the next call must be Recv
	cur     *peer  // the peer the request went to
	reqID   uint32 // correlate: the id of the latest request
	started bool   // reqID was seeded
	// idHead is [id, delimiter] for copied requests: CopyJoin copies it,
	// so one buffer serves every request (only one Send runs at a time).
	idBuf  [4]byte
	idHead [][]byte
}

func (h *reqSocket) attach(p *peer) error {
	h.lb.add(p)
	h.fq.add(p)
	h.s.sendSig.notify() // the REQ may become writable
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
	relaxed, correlate := h.s.opt().req.relaxed, h.s.opt().req.correlate
	h.mu.Lock()
	if h.sending || (h.waiting && !relaxed) {
		h.mu.Unlock()
		return ErrState
	}
	// Relaxed: the outstanding request (if any) is abandoned; its reply,
	// should it come, is dropped below or by Recv.
	h.waiting, h.cur = false, nil
	h.sending = true
	head := reqDelimiter
	if correlate {
		if !h.started {
			// libzmq starts the ids at a random value too, so that a
			// restarted client does not match replies meant for its
			// previous life.
			h.reqID, h.started = rand.Uint32(), true
		}
		h.reqID++
		binary.LittleEndian.PutUint32(h.idBuf[:], h.reqID)
		if h.idHead == nil {
			h.idHead = [][]byte{h.idBuf[:], {}}
		}
		head = h.idHead
	}
	h.mu.Unlock()

	// As libzmq does, whatever is queued when a new request starts is
	// dropped: it answers an earlier request (a late reply after a relaxed
	// resend, a second peer's stray reply) and must never be taken for the
	// answer to this one.
	for {
		if _, old := h.fq.tryRecv(); old == nil {
			break
		}
	}

	var req [][]byte
	switch {
	case copyMsg:
		req = buf.CopyJoin(head, m, true)
	case correlate:
		// Join keeps the head's frames themselves: this request needs its
		// own id frame.
		req = buf.Join([][]byte{append([]byte(nil), h.idBuf[:]...), {}}, m)
	default:
		// Join keeps m's pool mark, so its buffers are recycled once written.
		req = buf.Join(head, m)
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
	// The REQ's readiness changed (pollers): now waiting for a reply.
	h.s.recvSig.notify()
	return err
}

// isReply reports whether m, from the peer the request went to, is the
// reply to request id: [id,] "", body... It returns the body's offset.
func isReply(m [][]byte, correlate bool, id uint32) (int, bool) {
	if correlate {
		if len(m) < 3 || len(m[0]) != 4 || binary.LittleEndian.Uint32(m[0]) != id || len(m[1]) != 0 {
			return 0, false
		}
		return 2, true
	}
	if len(m) < 2 || len(m[0]) != 0 {
		return 0, false
	}
	return 1, true
}

func (h *reqSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.recvFrom(ctx, block)
	return m, err
}

func (h *reqSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	correlate := h.s.opt().req.correlate
	h.mu.Lock()
	if !h.waiting {
		h.mu.Unlock()
		return nil, nil, ErrState
	}
	cur, id := h.cur, h.reqID
	h.mu.Unlock()

	var reply [][]byte
	try := func() (bool, error) {
		for {
			p, m := h.fq.tryRecv()
			if m == nil {
				return false, nil
			}
			// Anything but the reply from the peer we asked (with our
			// request id, when correlating) is not our reply: libzmq
			// drops it too.
			if p == cur {
				if off, ok := isReply(m, correlate, id); ok {
					reply = m[off:]
					return true, nil
				}
			}
			buf.Release(m)
		}
	}
	if err := h.s.wait(ctx, block, &h.s.recvSig, try); err != nil {
		return nil, nil, err
	}
	h.mu.Lock()
	if h.cur == cur && h.reqID == id {
		h.waiting, h.cur = false, nil
	}
	h.mu.Unlock()
	h.s.sendSig.notify() // the REQ may send again (pollers)
	return cur, reply, nil
}

// canRecv: a reply to the outstanding request is queued.
func (h *reqSocket) canRecv() bool {
	h.mu.Lock()
	waiting, cur, id := h.waiting, h.cur, h.reqID
	h.mu.Unlock()
	if !waiting || cur == nil {
		return false
	}
	correlate := h.s.opt().req.correlate
	return firstValid(cur.in, func(m [][]byte) bool {
		_, ok := isReply(m, correlate, id)
		return ok
	})
}

// canSend: it is the REQ's turn to send (or it is relaxed) and a peer has
// room.
func (h *reqSocket) canSend() bool {
	h.mu.Lock()
	turn := !h.sending && (!h.waiting || h.s.opt().req.relaxed)
	h.mu.Unlock()
	return turn && h.lb.hasRoom()
}

// reqDelimiter is the empty frame a REQ puts in front of each request.
var reqDelimiter = [][]byte{{}}
