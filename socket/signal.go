package socket

import (
	"sync"
	"sync/atomic"
)

// signal wakes goroutines waiting for "something may have changed" (a pipe
// became readable or writable, a peer arrived). notify is called on every
// such change from pipe callbacks, so it is one atomic load unless somebody
// is actually waiting; the channel exists only while somebody waits.
//
// A waiter calls wait, then re-checks its condition, then blocks on the
// channel: a change after wait closes the channel, a change before it is seen
// by the re-check, so no wake-up is lost.
type signal struct {
	waiting atomic.Bool
	mu      sync.Mutex
	ch      chan struct{}
	// parks counts the times a waiter blocked on ch: the hand-offs that
	// cost a scheduler wake-up (benchmarks report it per message).
	parks atomic.Uint64
	// watchers are the pollers (poller.go) watching this signal, guarded
	// by mu. A poller about to block sets waiting, so notify stays one
	// atomic load while no poller and no Send/Recv waits.
	watchers []*waker
	// kick, when set, is called by every notify, waiter or not: the
	// receive signal's cuts short a Recv reading a connection itself
	// (direct.go), which waits on the network instead of on ch.
	kick func()
}

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	c := s.ch
	s.waiting.Store(true)
	s.mu.Unlock()
	return c
}

func (s *signal) notify() {
	if s.kick != nil {
		s.kick()
	}
	if !s.waiting.Load() {
		return
	}
	s.mu.Lock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
	for _, w := range s.watchers {
		w.wake()
	}
	s.waiting.Store(false)
	s.mu.Unlock()
}
