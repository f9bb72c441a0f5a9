package zmq4

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Polled is one socket's result of a poll.
type Polled struct {
	Socket *Socket // the socket
	Events State   // the conditions that hold
}

// Poller waits until sockets can be read or written, as zmq_poll does.
// Waiting for POLLIN takes at most one message off a socket ahead of Recv,
// which keeps it for the next Recv (see the package documentation).
type Poller struct {
	items []Polled // Events here is the mask asked for
}

// NewPoller makes an empty poller.
func NewPoller() *Poller { return &Poller{} }

// Add adds a socket with the conditions to wait for and returns its id.
func (p *Poller) Add(soc *Socket, events State) int {
	p.items = append(p.items, Polled{Socket: soc, Events: events})
	return len(p.items) - 1
}

// Update changes the conditions of item id and returns the previous ones.
func (p *Poller) Update(id int, events State) (previous State, err error) {
	if id < 0 || id >= len(p.items) {
		return 0, ErrorNoSocket
	}
	previous, p.items[id].Events = p.items[id].Events, events
	return previous, nil
}

// UpdateBySocket changes the conditions of every item of soc.
func (p *Poller) UpdateBySocket(soc *Socket, events State) (previous State, err error) {
	err = ErrorNoSocket
	for i := range p.items {
		if p.items[i].Socket == soc {
			previous, p.items[i].Events, err = p.items[i].Events, events, nil
		}
	}
	return previous, err
}

// Remove removes item id; later items' ids shift down by one.
func (p *Poller) Remove(id int) error {
	if id < 0 || id >= len(p.items) {
		return ErrorNoSocket
	}
	p.items = append(p.items[:id:id], p.items[id+1:]...)
	return nil
}

// RemoveBySocket removes every item of soc.
func (p *Poller) RemoveBySocket(soc *Socket) error {
	kept := p.items[:0:0]
	for _, it := range p.items {
		if it.Socket != soc {
			kept = append(kept, it)
		}
	}
	if len(kept) == len(p.items) {
		return ErrorNoSocket
	}
	p.items = kept
	return nil
}

// String lists the items.
func (p *Poller) String() string {
	s := "Poller{"
	for i, it := range p.items {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%v: %v", it.Socket, it.Events)
	}
	return s + "}"
}

// Poll waits up to timeout (negative: no limit) until a condition holds
// and returns the items that have some.
func (p *Poller) Poll(timeout time.Duration) ([]Polled, error) { return p.poll(timeout, false) }

// PollAll is Poll returning every item, with Events 0 where none holds.
func (p *Poller) PollAll(timeout time.Duration) ([]Polled, error) { return p.poll(timeout, true) }

// pollTick is how often conditions that cannot be waited for (POLLOUT)
// are checked again while a poll waits.
const pollTick = 2 * time.Millisecond

// idleTick is how often a poll with nothing to wait on looks again.
const idleTick = 50 * time.Millisecond

func (p *Poller) poll(timeout time.Duration, all bool) ([]Polled, error) {
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		res, n, err := p.check(all)
		if err != nil || n > 0 || timeout == 0 {
			return res, err
		}
		wait := time.Duration(-1)
		if !deadline.IsZero() {
			if wait = time.Until(deadline); wait <= 0 {
				return res, nil
			}
		}
		if err := p.wait(wait); err != nil {
			return nil, err
		}
	}
}

// check returns the items' current conditions and how many have some.
func (p *Poller) check(all bool) ([]Polled, int, error) {
	res := make([]Polled, 0, len(p.items))
	n := 0
	for _, it := range p.items {
		it.Socket.mu.Lock()
		r, err := it.Socket.readyLocked(it.Events)
		it.Socket.mu.Unlock()
		if err != nil {
			return nil, 0, err
		}
		if r != 0 {
			n++
		}
		if r != 0 || all {
			res = append(res, Polled{Socket: it.Socket, Events: r})
		}
	}
	return res, n, nil
}

// wait returns when a polled socket may have become readable, a tick
// passed (if some item waits for POLLOUT), or d passed.
func (p *Poller) wait(d time.Duration) error {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	done := make(chan struct{}, 1)
	tick, waiting := time.Duration(0), false
	for _, it := range p.items {
		if it.Events&POLLIN != 0 && it.Socket.waitReadable(ctx, &wg, done) {
			waiting = true
		}
		if it.Events&POLLOUT != 0 {
			tick = pollTick
		}
	}
	if tick == 0 && !waiting {
		tick = idleTick // nothing to wait on: look again now and then (a REQ's turn, Term)
	}
	if tick > 0 && (d < 0 || d > tick) {
		d = tick
	}
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-done:
	case <-timer:
	}
	cancel()
	wg.Wait()
	return nil
}
