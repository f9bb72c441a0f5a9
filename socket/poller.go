package socket

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Events is a set of readiness conditions, as libzmq's ZMQ_POLLIN and
// ZMQ_POLLOUT.
type Events uint8

const (
	// PollIn: Recv would return a message without waiting.
	PollIn Events = 1 << iota
	// PollOut: Send would queue a message without waiting (for the types
	// that drop instead of waiting, always).
	PollOut
)

func (e Events) String() string {
	var parts []string
	if e&PollIn != 0 {
		parts = append(parts, "in")
	}
	if e&PollOut != 0 {
		parts = append(parts, "out")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Events reports what the socket is ready for now, as libzmq's ZMQ_EVENTS
// option does: PollIn when Recv would not wait, PollOut when Send would not
// wait. It takes no message off the socket. A closed socket is ready for
// nothing.
func (s *Socket) Events() Events {
	if s.closing.Load() {
		return 0
	}
	return s.events()
}

// Poll waits until the socket is ready for one of ev, ctx ends or the
// socket closes, and returns what it is ready for (within ev). It takes no
// message off the socket, and no goroutine: it waits on the socket's own
// signals. For several sockets, use a Poller.
func (s *Socket) Poll(ctx context.Context, ev Events) (Events, error) {
	for {
		if s.closing.Load() {
			return 0, ErrClosed
		}
		if r := s.events() & ev; r != 0 {
			return r, nil
		}
		if r, err := s.pollBlock(ctx, ev); r != 0 || err != nil {
			return r, err
		}
	}
}

// pollBlock waits once for a change of the signals ev depends on, with a
// pooled waker (the signals' own channels would cost an allocation per
// wait), and returns the readiness if it holds on the re-check.
func (s *Socket) pollBlock(ctx context.Context, ev Events) (Events, error) {
	w := wakerPool.Get().(*waker)
	defer wakerPool.Put(w)
	select {
	case <-w.ch:
	default:
	}
	if ev&PollIn != 0 {
		s.recvSig.watch(w)
		defer s.recvSig.unwatch(w)
		s.recvSig.arm()
	}
	if ev&PollOut != 0 {
		s.sendSig.watch(w)
		defer s.sendSig.unwatch(w)
		s.sendSig.arm()
	}
	if r := s.events() & ev; r != 0 {
		return r, nil
	}
	select {
	case <-w.ch:
		return 0, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-s.done:
		return 0, ErrClosed
	}
}

var wakerPool = sync.Pool{New: func() any { return &waker{ch: make(chan struct{}, 1)} }}

// waker wakes one Poller. Its channel holds one token and is made once, so
// a Wait that blocks and is woken allocates nothing.
type waker struct{ ch chan struct{} }

func (w *waker) wake() {
	select {
	case w.ch <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// watch and unwatch add and remove w from the pollers told about every
// change of sig.
func (sig *signal) watch(w *waker) {
	sig.mu.Lock()
	sig.watchers = append(sig.watchers, w)
	sig.mu.Unlock()
}

func (sig *signal) unwatch(w *waker) {
	sig.mu.Lock()
	for i, x := range sig.watchers {
		if x == w {
			// In place: a watcher that comes and goes (Socket.Poll)
			// reuses the slice's room.
			n := len(sig.watchers) - 1
			copy(sig.watchers[i:], sig.watchers[i+1:])
			sig.watchers[n] = nil
			sig.watchers = sig.watchers[:n]
			break
		}
	}
	sig.mu.Unlock()
}

// arm makes the next change of sig call notify's slow path, which wakes
// the watchers. Taking the lock orders it after a notify in progress, which
// would otherwise clear the flag just set.
func (sig *signal) arm() {
	sig.mu.Lock()
	sig.waiting.Store(true)
	sig.mu.Unlock()
}

// PollItem is one socket of a Poller and what it is watched for.
type PollItem struct {
	Socket *Socket
	Events Events
}

// Poller waits for readiness on any number of sockets, as zmq_poller does:
// the loop of a broker that reads its frontend only while a worker is free.
// A Wait takes no message off any socket and starts no goroutine: each
// watched socket wakes the poller from its own readiness signals, and a
// Wait that finds a socket ready at once does not block at all.
//
// A Poller is used by one goroutine at a time (Add, Modify, Remove and Wait
// are not safe for concurrent use); the sockets it watches may be used by
// others meanwhile. Close (or Remove) it before dropping it, so the sockets
// stop telling it about changes.
type Poller struct {
	items []PollItem
	ready []PollItem
	w     waker
	timer *time.Timer
}

// NewPoller makes an empty poller.
func NewPoller() *Poller {
	return &Poller{w: waker{ch: make(chan struct{}, 1)}}
}

// Add watches s for ev. A socket is added once; Modify changes its events.
func (p *Poller) Add(s *Socket, ev Events) error {
	if s == nil {
		return fmt.Errorf("%w: nil socket", ErrBadOption)
	}
	if p.find(s) >= 0 {
		return fmt.Errorf("%w: socket already in the poller", ErrBadOption)
	}
	if s.closing.Load() {
		return ErrClosed
	}
	p.items = append(p.items, PollItem{Socket: s, Events: ev})
	s.recvSig.watch(&p.w)
	s.sendSig.watch(&p.w)
	return nil
}

// Modify changes the events s is watched for.
func (p *Poller) Modify(s *Socket, ev Events) error {
	i := p.find(s)
	if i < 0 {
		return fmt.Errorf("%w: socket not in the poller", ErrBadOption)
	}
	p.items[i].Events = ev
	return nil
}

// Remove stops watching s.
func (p *Poller) Remove(s *Socket) error {
	i := p.find(s)
	if i < 0 {
		return fmt.Errorf("%w: socket not in the poller", ErrBadOption)
	}
	p.items = append(p.items[:i], p.items[i+1:]...)
	s.recvSig.unwatch(&p.w)
	s.sendSig.unwatch(&p.w)
	return nil
}

// Len returns the number of sockets watched.
func (p *Poller) Len() int { return len(p.items) }

// Close removes every socket. The poller may be used again afterwards.
func (p *Poller) Close() error {
	for _, it := range p.items {
		it.Socket.recvSig.unwatch(&p.w)
		it.Socket.sendSig.unwatch(&p.w)
	}
	p.items = p.items[:0]
	if p.timer != nil {
		p.timer.Stop()
	}
	return nil
}

func (p *Poller) find(s *Socket) int {
	for i, it := range p.items {
		if it.Socket == s {
			return i
		}
	}
	return -1
}

// Wait waits until at least one socket is ready for what it is watched
// for, ctx ends (ctx.Err()) or a watched socket is closed (an error matching
// ErrClosed), and returns the ready sockets in the order they were added,
// each with the events it is ready for. The returned slice is reused by the
// next Wait.
func (p *Poller) Wait(ctx context.Context) ([]PollItem, error) {
	return p.wait(ctx.Done(), nil, ctx.Err)
}

// WaitTimeout is Wait with a timeout instead of a context, as zmq_poll
// takes: it returns an empty slice and no error when the timeout passes
// first; 0 only looks, a negative timeout waits for ever. Its timer is
// reused, so unlike a context per call it allocates nothing.
func (p *Poller) WaitTimeout(d time.Duration) ([]PollItem, error) {
	switch {
	case d < 0:
		return p.wait(nil, nil, nil)
	case d == 0:
		return p.collect()
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	r, err := p.wait(nil, p.timer.C, nil)
	p.timer.Stop()
	return r, err
}

// wait blocks until a socket is ready, done is closed (then it returns
// errf's error) or the timer fires (then it returns nothing).
func (p *Poller) wait(done <-chan struct{}, timer <-chan time.Time, errf func() error) ([]PollItem, error) {
	for {
		if r, err := p.collect(); len(r) > 0 || err != nil {
			return r, err
		}
		// Drop a stale wake-up, arm every signal we depend on, then look
		// again: a change after arming wakes us, one before it is seen
		// by the second look.
		select {
		case <-p.w.ch:
		default:
		}
		for _, it := range p.items {
			if it.Events&PollIn != 0 {
				it.Socket.recvSig.arm()
			}
			if it.Events&PollOut != 0 {
				it.Socket.sendSig.arm()
			}
		}
		if r, err := p.collect(); len(r) > 0 || err != nil {
			return r, err
		}
		select {
		case <-p.w.ch:
		case <-done:
			return p.ready[:0], errf()
		case <-timer:
			return p.ready[:0], nil
		}
	}
}

// collect fills p.ready with the sockets ready now.
func (p *Poller) collect() ([]PollItem, error) {
	p.ready = p.ready[:0]
	for _, it := range p.items {
		if it.Socket.closing.Load() {
			return p.ready[:0], fmt.Errorf("socket: poller: %s socket: %w", it.Socket.typ, ErrClosed)
		}
		if it.Events == 0 {
			continue
		}
		if e := it.Socket.events() & it.Events; e != 0 {
			p.ready = append(p.ready, PollItem{Socket: it.Socket, Events: e})
		}
	}
	return p.ready, nil
}
