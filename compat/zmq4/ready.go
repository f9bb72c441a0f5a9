package zmq4

import "github.com/purezmq/purezmq/socket"

// Readiness is package socket's (Socket.Events), which looks without taking
// a message off the socket. The one thing it cannot see is the rest of a
// multipart message this API has already taken off, frame by frame: that is
// POLLIN too.

// readyLocked returns the conditions of mask that hold now, making the
// socket if it is not made yet. soc.mu is held.
func (soc *Socket) readyLocked(mask State) (State, error) {
	s, err := soc.real()
	if err != nil {
		return 0, err
	}
	var r State
	if mask&POLLIN != 0 && soc.inNext < len(soc.in) {
		r |= POLLIN
	}
	ev := s.Events()
	if mask&POLLIN != 0 && ev&socket.PollIn != 0 {
		r |= POLLIN
	}
	if mask&POLLOUT != 0 && ev&socket.PollOut != 0 {
		r |= POLLOUT
	}
	return r, nil
}

// pollEvents maps a pebbe State mask to package socket's Events.
func pollEvents(st State) socket.Events {
	var ev socket.Events
	if st&POLLIN != 0 {
		ev |= socket.PollIn
	}
	if st&POLLOUT != 0 {
		ev |= socket.PollOut
	}
	return ev
}
