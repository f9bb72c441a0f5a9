package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/queue"
)

// errHandedOver is the cause given to a ROUTER peer whose identity was taken
// over by a newer connection (RouterHandover).
var errHandedOver = errors.New("socket: identity taken over by a new connection")

// routerSocket prefixes each received message with the sending peer's
// routing id and routes each sent message by its first frame.
type routerSocket struct {
	s  *Socket
	fq fairQueue

	mu   sync.RWMutex
	byID map[string]*peer
}

func newRouterSocket(s *Socket) *routerSocket {
	return &routerSocket{s: s, byID: make(map[string]*peer)}
}

func (h *routerSocket) attach(p *peer) error {
	id := p.identity
	if p.fixedRID != nil {
		id = p.fixedRID
	} else if len(id) == 0 {
		id = h.s.generateRoutingID()
	}
	key := string(id)
	h.mu.Lock()
	old := h.byID[key]
	if old != nil && !h.s.opt().routerHandover {
		h.mu.Unlock()
		return fmt.Errorf("%w: identity %q already in use", ErrPeerRefused, id)
	}
	p.routingID = id
	h.byID[key] = p
	h.fq.add(p)
	h.mu.Unlock()
	if old != nil {
		h.s.detachPeer(old, errHandedOver)
	}
	return nil
}

func (h *routerSocket) detach(p *peer) {
	h.mu.Lock()
	if h.byID[string(p.routingID)] == p {
		delete(h.byID, string(p.routingID))
	}
	h.mu.Unlock()
}

func (h *routerSocket) lookup(id []byte) *peer {
	h.mu.RLock()
	p := h.byID[string(id)]
	h.mu.RUnlock()
	return p
}

func (h *routerSocket) send(ctx context.Context, m [][]byte, block bool) error {
	if len(m) < 2 {
		return fmt.Errorf("%w: ROUTER needs an identity frame and a body", ErrBadMessage)
	}
	id, body := m[0], m[1:]
	mandatory := h.s.opt().routerMandatory
	try := func() (bool, error) {
		p := h.lookup(id)
		if p == nil {
			if mandatory {
				return false, ErrHostUnreachable
			}
			h.s.countDrops(1)
			buf.Release(body) // dropped: a marked message is ours to recycle
			return true, nil
		}
		if p.tryDirect(body) {
			return true, nil
		}
		switch err := p.out.TryPush(body); {
		case err == nil:
			return true, nil
		case errors.Is(err, queue.ErrFull) && mandatory:
			return false, nil // wait for room (Send) or ErrWouldBlock (TrySend)
		case errors.Is(err, queue.ErrClosed) && mandatory:
			return false, ErrHostUnreachable
		default:
			h.s.countDrops(1)
			buf.Release(body)
			return true, nil
		}
	}
	return h.s.wait(ctx, block, &h.s.sendSig, try)
}

func (h *routerSocket) recv(ctx context.Context, block bool) ([][]byte, error) {
	_, m, err := h.recvFrom(ctx, block)
	return m, err
}

func (h *routerSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	p, m, err := h.s.recvFair(ctx, &h.fq, block)
	if err != nil {
		return nil, nil, err
	}
	if _, stream := p.in.(*queue.Inbox); stream {
		return p, m, nil // the connection's reader put the id in front (zmtphook.SetPrefix)
	}
	// An inproc sender's frames: Prepend keeps the message releasable
	// (Msg.Release) with a copy of the id in front.
	return p, buf.Prepend(append([]byte(nil), p.routingID...), m), nil
}
