package zmq4

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// Polled is one socket's result of a poll.
type Polled struct {
	Socket *Socket // the socket
	Events State   // the conditions that hold
}

// Poller waits until sockets can be read or written, as zmq_poll does, on
// package socket's Poller: it takes no message off a socket and starts no
// goroutine.
type Poller struct {
	items []Polled       // Events here is the mask asked for
	sp    *socket.Poller // reused by every wait; empty between polls
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

func (p *Poller) poll(timeout time.Duration, all bool) ([]Polled, error) {
	if len(p.items) == 0 {
		return []Polled{}, nil // as pebbe/zmq4: nothing to wait for
	}
	res, n, err := p.check(all)
	if err != nil || n > 0 || timeout == 0 {
		return res, err
	}
	ctx, cancel := p.waitCtx(timeout)
	defer cancel()
	if p.sp == nil {
		p.sp = socket.NewPoller()
	}
	defer p.sp.Close() // the sockets stop telling this poller about changes
	if err := p.watch(); err != nil {
		return nil, err
	}
	for {
		_, werr := p.sp.Wait(ctx)
		res, n, err := p.check(all)
		if err != nil || n > 0 {
			return res, err
		}
		switch {
		case ctx.Err() != nil:
			return res, nil // the timeout passed (Term is ETERM, from check)
		case werr != nil:
			return nil, ErrorSocketClosed // a watched socket closed under us
		}
		// woken by a change that made nothing ready: wait again
	}
}

// watch puts the items' sockets in the package socket poller, each once
// with the union of its items' conditions. check has made every socket.
func (p *Poller) watch() error {
	for _, it := range p.items {
		ev := pollEvents(it.Events)
		if ev == 0 {
			continue
		}
		it.Socket.mu.Lock()
		s := it.Socket.s
		it.Socket.mu.Unlock()
		if s == nil {
			return ErrorSocketClosed
		}
		if err := p.sp.Add(s, ev); err != nil {
			if errors.Is(err, socket.ErrClosed) {
				return ErrorSocketClosed
			}
			// already watched for another item of the same socket
			if err := p.sp.Modify(s, ev|p.watched(s)); err != nil {
				return toErrno(err)
			}
		}
	}
	return nil
}

// watched returns what s is watched for in the package socket poller.
func (p *Poller) watched(s *socket.Socket) socket.Events {
	var ev socket.Events
	for _, it := range p.items {
		it.Socket.mu.Lock()
		same := it.Socket.s == s
		it.Socket.mu.Unlock()
		if same {
			ev |= pollEvents(it.Events)
		}
	}
	return ev
}

// waitCtx bounds one poll: by the timeout (negative: none) and by the
// termination of every context the items' sockets belong to, so that Term
// ends the wait as it ends zmq_poll.
func (p *Poller) waitCtx(timeout time.Duration) (context.Context, context.CancelFunc) {
	base := p.items[0].Socket.ctx.ctx
	var ctx context.Context
	var cancel context.CancelFunc
	if timeout < 0 {
		ctx, cancel = context.WithCancel(base)
	} else {
		ctx, cancel = context.WithTimeout(base, timeout)
	}
	var stops []func() bool
	for _, it := range p.items {
		if c := it.Socket.ctx.ctx; c != base {
			stops = append(stops, context.AfterFunc(c, cancel))
		}
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
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
