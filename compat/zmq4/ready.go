package zmq4

import (
	"context"
	"sync"

	"github.com/purezmq/purezmq/socket"
)

// Readiness without a poller in package socket: POLLIN is known by taking
// one message off the socket into soc.peeked, where the next Recv finds it
// (the program sees the same messages in the same order); POLLOUT is
// estimated from the socket type, the REQ/REP turn and the socket's
// counters. See the package documentation for where that differs from
// libzmq.

// canRecv reports whether a receive may succeed at all now (a REQ before
// its request, a PUB, ... would fail at once). soc.mu is held.
func (soc *Socket) canRecv() bool {
	switch soc.typ {
	case PUB, PUSH:
		return false
	case REQ:
		return soc.awaitReply
	case REP:
		return !soc.haveReq
	}
	return true
}

// readyLocked returns the conditions of mask that hold now. soc.mu is held.
func (soc *Socket) readyLocked(mask State) (State, error) {
	s, err := soc.real()
	if err != nil {
		return 0, err
	}
	var r State
	if mask&POLLIN != 0 {
		if soc.inNext < len(soc.in) || soc.peeked != nil {
			r |= POLLIN
		} else if soc.canRecv() && !soc.waiting {
			if m, err := s.TryRecv(); err == nil {
				soc.peeked = &m
				r |= POLLIN
			}
		}
	}
	if mask&POLLOUT != 0 && soc.writable(s) {
		r |= POLLOUT
	}
	return r, nil
}

// writable estimates POLLOUT. soc.mu is held.
func (soc *Socket) writable(s *socket.Socket) bool {
	switch soc.typ {
	case PUB, XPUB, ROUTER, XSUB:
		return true // these drop or route; a send never waits
	case SUB, PULL:
		return false
	case REQ:
		if soc.awaitReply {
			return false
		}
	case REP:
		return soc.haveReq
	}
	st := s.Stats()
	if st.Peers == 0 {
		return false
	}
	return soc.opt.sndhwm == 0 || st.Queued < soc.opt.sndhwm*st.Peers
}

// waitReadable starts a receive on the socket in the background, to end
// when ctx does; what it receives becomes soc.peeked. It returns false when
// no receive can be waited for. done is sent to once it ends.
func (soc *Socket) waitReadable(ctx context.Context, wg *sync.WaitGroup, done chan<- struct{}) bool {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if soc.s == nil || soc.closed || soc.waiting || soc.peeked != nil || !soc.canRecv() {
		return false
	}
	soc.waiting = true
	s := soc.s
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(soc.ctx.ctx, cancel) // Term ends the wait
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer cancel()
		defer stop()
		m, err := s.Recv(ctx)
		soc.mu.Lock()
		soc.waiting = false
		if err == nil {
			soc.peeked = &m
		}
		soc.mu.Unlock()
		select {
		case done <- struct{}{}:
		default:
		}
	}()
	return true
}
