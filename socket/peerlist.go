package socket

import (
	"sync"
	"sync/atomic"
)

// peerList is a copy-on-write list of peers: the hot paths (Send, Recv) read
// it with one atomic load and no lock; attach and detach, which are rare,
// copy it under mu.
type peerList struct {
	mu    sync.Mutex
	peers atomic.Pointer[[]*peer]
}

func (l *peerList) load() []*peer {
	if p := l.peers.Load(); p != nil {
		return *p
	}
	return nil
}

func (l *peerList) add(p *peer) {
	l.mu.Lock()
	old := l.load()
	n := make([]*peer, len(old), len(old)+1)
	copy(n, old)
	n = append(n, p)
	l.peers.Store(&n)
	l.mu.Unlock()
}

func (l *peerList) remove(p *peer) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.load()
	for i, q := range old {
		if q == p {
			n := make([]*peer, 0, len(old)-1)
			n = append(n, old[:i]...)
			n = append(n, old[i+1:]...)
			l.peers.Store(&n)
			return true
		}
	}
	return false
}
