// Close and linger: what a socket does with what it still holds when the
// program is done with it.

package socket

import "time"

// Close closes the socket: blocked Send and Recv return an error matching
// net.ErrClosed, listeners stop, and messages already queued are flushed for
// up to the linger time (WithLinger; DefaultLinger, one second, unless set)
// before the connections close; a connect endpoint with queued messages
// keeps trying to connect for that long. Messages still queued then are
// discarded: Close counts them (Stats().LingerDropped), raises
// EventLingerDiscarded and returns a *LingerError saying how many (it
// matches ErrLingerDiscard); otherwise it returns nil. Messages queued
// for an inproc peer stay for it to read. No goroutine of the socket
// outlives Close.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closing.Store(true)
	close(s.done)
	// Wake pollers (poller.go) watching this socket: they report it closed.
	s.sendSig.notify()
	s.recvSig.notify() // also cuts short a Recv reading a connection itself
	s.stopWatchCtx()
	linger := s.opt().linger
	binds, connects := s.binds, s.connects
	s.binds, s.connects = nil, nil
	peers := make([]*peer, 0, len(s.peers))
	for p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()

	for _, b := range binds {
		b.close()
	}
	var lingering []*connector
	for _, c := range connects {
		if c.ep.transport == "inproc" {
			inprocLeave(c, linger)
			inprocCancelPending(c)
		}
		if linger != 0 && c.pre != nil && c.pre.out.Len() > 0 {
			lingering = append(lingering, c)
			continue
		}
		c.stopDialing()
	}
	// Closing the pipes lets each writer drain what is queued and then end
	// its connection; inproc peers keep their shared pipes readable for the
	// other socket.
	for _, p := range peers {
		if p.remote != nil {
			s.detachPeer(p, ErrClosed)
			continue
		}
		p.out.Close()
		p.in.Close()
	}
	s.linger(lingering, linger)
	s.cancel()
	s.wg.Wait()
	s.countDiscarded(peers)
	s.persistBacklogs(peers)
	s.closeRetention()
	for _, p := range peers {
		s.detachPeer(p, ErrClosed)
	}
	err := s.lingerReport(linger)
	s.emit(Event{Kind: EventClosed})
	s.monMu.Lock()
	s.monClosed = true
	close(s.mon)
	s.monMu.Unlock()
	return err
}

// linger waits for the live connections to flush and for lingering connect
// endpoints to connect and flush, for at most the linger time, then cuts
// what is left.
func (s *Socket) linger(lingering []*connector, linger time.Duration) {
	s.mu.Lock()
	conns := make([]*streamConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	var deadline <-chan time.Time
	if linger >= 0 {
		t := time.NewTimer(linger)
		defer t.Stop()
		deadline = t.C
	}
	cut := func() {
		for _, c := range lingering {
			c.stopDialing()
		}
		s.mu.Lock()
		s.lingerOver = true
		for c := range s.conns {
			c.shutdown(ErrClosed)
		}
		s.mu.Unlock()
	}
	for _, c := range conns {
		select {
		case <-c.ended:
		case <-deadline:
			cut()
			return
		}
	}
	for _, c := range lingering {
		select {
		case <-c.done:
		case <-deadline:
			cut()
			return
		}
	}
	cut()
}
