package socket

import "context"

// XSUB shares subSocket with SUB (sub.go) and differs in two ways: it does
// not filter what it receives, and its application sends. A one-frame
// message "\x01topic" or "\x00topic" is a subscription or a cancel, counted
// and forwarded like Subscribe and Unsubscribe; anything else goes to every
// publisher as it is (libzmq's XSUB does the same).

// send is ErrNotSupported on SUB.
func (h *subSocket) send(ctx context.Context, m [][]byte, block bool) error {
	if h.filter {
		return ErrNotSupported
	}
	if len(m) == 1 && len(m[0]) > 0 && m[0][0] <= 1 {
		h.subscribe(m[0][1:], m[0][0] == 1)
		return nil
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, p := range h.peers.load() {
		if err := p.sendUpstream(m); err != nil {
			h.s.countDrops(1)
		}
	}
	return nil
}
