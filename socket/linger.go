package socket

import (
	"errors"
	"fmt"
	"time"
)

// ErrLingerDiscard: Close's linger time ran out (or was zero) while
// messages were still queued for peers, and they were thrown away. Close
// returns it as a *LingerError, which says how many.
var ErrLingerDiscard = errors.New("socket: close discarded queued messages")

// LingerError is Close's report of messages it discarded. It matches
// ErrLingerDiscard.
type LingerError struct {
	Discarded uint64        // messages queued for peers that were not sent
	Linger    time.Duration // the linger time Close used
}

func (e *LingerError) Error() string {
	how := fmt.Sprintf("the linger time (%v) ran out", e.Linger)
	switch {
	case e.Linger == 0:
		how = "linger is 0"
	case e.Linger < 0:
		how = "their connections failed"
	}
	return fmt.Sprintf("socket: close discarded %d queued messages: %s", e.Discarded, how)
}

// Is makes errors.Is(err, ErrLingerDiscard) hold.
func (e *LingerError) Is(target error) bool { return target == ErrLingerDiscard }

// noteUnwritten counts messages a connection writer had taken from its pipe
// but could not write because Close cut the connection: they are lost as
// surely as those still queued. Failures outside Close are not counted
// here (the peer went away; that is not linger).
func (s *Socket) noteUnwritten(n int) {
	if n > 0 && s.closing.Load() {
		s.lingerDropped.Add(uint64(n))
	}
}

// countDiscarded adds up, once every connection has ended, the messages
// left in outbound pipes that nobody will send: not those an inproc peer
// still reads, not a keyed backlog persisted to the swap directory, not the
// subscriptions a SUB queued.
func (s *Socket) countDiscarded(peers []*peer) {
	if s.typ == Sub {
		return
	}
	persists := s.recovers()
	var n int
	for _, p := range peers {
		if p.remote != nil || p.orphaned || (persists && p.out.Key() != "") {
			continue
		}
		n += p.out.Len()
	}
	if n > 0 {
		s.lingerDropped.Add(uint64(n))
	}
}

// lingerReport is Close's result: a *LingerError when messages were
// discarded, raised as an event and logged too.
func (s *Socket) lingerReport(linger time.Duration) error {
	n := s.lingerDropped.Load()
	if n == 0 {
		return nil
	}
	err := &LingerError{Discarded: n, Linger: linger}
	s.log.Warn("close discarded queued messages", "discarded", n, "linger", linger)
	s.emit(Event{Kind: EventLingerDiscarded, Err: err})
	return err
}
