package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
)

// streamSocket is STREAM (ZMQ_STREAM): each peer is a raw tcp or ipc
// connection, with no ZMTP. Recv returns [routing id, bytes] for each chunk
// read from a peer; Send takes [routing id, bytes] and writes the bytes as
// they are; [routing id, ""] closes that peer's connection once what was
// sent before is written. With notifications on (WithStreamNotify), a
// peer's arrival and departure are each announced by [routing id, ""].
type streamSocket struct {
	s  *Socket
	fq fairQueue

	mu   sync.RWMutex
	byID map[string]*peer
}

func newStreamSocket(s *Socket) *streamSocket {
	return &streamSocket{s: s, byID: make(map[string]*peer)}
}

// attach takes a peer whose routing id serveRaw chose; a connect routing id
// already in use refuses it.
func (h *streamSocket) attach(p *peer) error {
	if p.persistent {
		// A STREAM peer exists only while its connection does: nothing is
		// queued for a connect endpoint before it connects.
		return fmt.Errorf("%w: STREAM has no peer before a connection", ErrPeerRefused)
	}
	key := string(p.routingID)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byID[key] != nil {
		return fmt.Errorf("%w: routing id %q already in use", ErrPeerRefused, p.routingID)
	}
	h.byID[key] = p
	h.fq.add(p)
	return nil
}

func (h *streamSocket) detach(p *peer) {
	h.forget(p)
}

// forget drops p from routing, so that sends to its id fail at once.
func (h *streamSocket) forget(p *peer) {
	h.mu.Lock()
	if h.byID[string(p.routingID)] == p {
		delete(h.byID, string(p.routingID))
	}
	h.mu.Unlock()
}

func (h *streamSocket) lookup(id []byte) *peer {
	h.mu.RLock()
	p := h.byID[string(id)]
	h.mu.RUnlock()
	return p
}

// streamCloseTag, queued alone in a peer's outbound pipe, tells its writer
// to close the connection once everything queued before it is written. It
// is compared by address, so no application message can look like it.
var streamCloseTag = []byte{0}

func isStreamClose(m [][]byte) bool {
	return len(m) == 1 && len(m[0]) == 1 && &m[0][0] == &streamCloseTag[0]
}

func (h *streamSocket) send(ctx context.Context, m [][]byte, block bool) error {
	if len(m) < 2 {
		return fmt.Errorf("%w: STREAM needs a routing id frame and a data frame", ErrBadMessage)
	}
	// The first attempt builds no closure: that is the hot path.
	if done, err := h.trySend(m); done || err != nil {
		return err
	}
	return h.s.wait(ctx, block, &h.s.sendSig, func() (bool, error) { return h.trySend(m) })
}

// trySend queues m's data for the peer m[0] names, or the close tag for
// [id, ""]. As libzmq's STREAM: an unknown routing id fails, whatever the
// router options say, and a full pipe waits (or would block).
func (h *streamSocket) trySend(m [][]byte) (bool, error) {
	id, body := m[0], m[1:]
	closing := len(body) == 1 && len(body[0]) == 0
	p := h.lookup(id)
	if p == nil {
		return false, fmt.Errorf("%w: no STREAM peer with routing id %x", ErrHostUnreachable, id)
	}
	q := body
	if closing {
		q = closeMsg
		// Marked before the tag is queued: the writer may close the
		// connection at once, and the connector must already see that the
		// application ended this peer, or it would redial.
		p.userClosed.Store(true)
	}
	err := p.out.TryPush(q)
	if err != nil && closing {
		p.userClosed.Store(false)
	}
	switch {
	case err == nil:
		if closing {
			// The peer leaves routing now; its writer closes the
			// connection after what is queued ahead of the tag.
			h.forget(p)
			buf.Release(m) // nothing of m was queued: ours to recycle
		}
		return true, nil
	case errors.Is(err, queue.ErrFull):
		return false, nil
	default:
		return false, fmt.Errorf("%w: STREAM peer %x is gone", ErrHostUnreachable, id)
	}
}

// closeMsg is the close tag as a message; writers only read it.
var closeMsg = [][]byte{streamCloseTag}

// recv returns the next [routing id, data] message: the connection's reader
// built it with the id in front (readRaw).
func (h *streamSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.s.recvFair(ctx, &h.fq, block)
	return m, err
}

// streamPeerState is what a STREAM peer needs beyond the common peer.
type streamPeerState struct {
	// userClosed: the application closed this peer with [id, ""], so its
	// departure is not announced (libzmq drops the pipe at once).
	userClosed atomic.Bool
}

// Readiness (ready.go): readable when a peer has input (data or a
// notification); writable when some peer has room, since a send to an
// unknown id fails rather than waits.
func (h *streamSocket) canRecv() bool { return h.fq.hasIn() }

func (h *streamSocket) canSend() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, p := range h.byID {
		if p.out.HasRoom() {
			return true
		}
	}
	return false
}
