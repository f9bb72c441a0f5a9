package zmtp

import (
	"errors"
	"math"
)

// The socket layer lets the goroutine waiting in Recv read a connection
// itself (socket/direct.go), so that a message reaches the application
// without a hand-off from the connection's reader goroutine. These are the
// Conn's parts of that: the reader goroutine steps aside at a message
// boundary (setYield), and the other goroutine reads only whole messages
// that are already in the read buffer (directReady), waiting for bytes
// with directFill, whose only state is the buffer itself, so a wait cut
// short by a read deadline loses nothing.

// ErrYield is returned (wrapped) by ReadMessage when the read found nothing
// to read at a message boundary and the function given to setYield asked
// it to step aside instead of waiting. Like a timeout before the first
// byte of a message, it can be retried.
var ErrYield = errors.New("zmtp: read handed to another goroutine")

// setYield makes a read that finds nothing to read ask f, after the
// before-wait callback, whether to return ErrYield instead of waiting. f is
// asked only at message boundaries. Call it from the reading goroutine, or
// before reading starts; a Conn without a non-blocking reader ignores it.
func (c *Conn) setYield(f func() bool) {
	if c.nbr == nil {
		return
	}
	c.nbr.yield = func() bool { return !c.partial && f() }
}

// directCapable reports whether directReady can find message boundaries in
// the read buffer: a ZMTP 3 connection without a frame codec (CURVE hides
// the MORE flag inside each box), read by a non-blocking reader.
func (c *Conn) directCapable() bool {
	return c.nbr != nil && c.codec == nil && c.fr.legacy == 0
}

// directReady reports whether the read buffer holds the whole of the next
// message or command, so that ReadMessage will not read from the network.
// fits is false when the next message cannot be whole in the buffer at
// all: only a reader that may wait in the middle of a message can take it.
// A malformed header counts as ready: ReadMessage fails on it at once.
func (c *Conn) directReady() (ready, fits bool) {
	if ra := &c.fr.ra; ra.n > 0 {
		// The next message was read ahead (readahead.go), outside the
		// buffer: whole, or to be finished by a read that may wait.
		g := ra.q[ra.head]
		whole := g.got == len(g.body)
		return whole, whole
	}
	br := c.fr.br
	if br.buf == nil {
		return false, true
	}
	b := br.buf[br.r:br.w]
	off := 0
	for {
		h, n, err := ParseFrameHeader(b[off:])
		if errors.Is(err, ErrShort) {
			return false, true
		}
		if err != nil {
			return true, true
		}
		if h.Size > math.MaxInt-off-n {
			return false, false
		}
		end := off + n + h.Size
		if end > br.size {
			return false, false
		}
		if end > len(b) {
			return false, true
		}
		if h.Command() || !h.More() {
			return true, true
		}
		off = end
	}
}

// directFill waits until bytes arrive and reads them into the read buffer,
// behind what it holds. A read deadline ends the wait with a timeout error
// and leaves the connection as it was; any other error stays with the
// connection, for its next ReadMessage.
func (c *Conn) directFill() error {
	br := c.fr.br
	c.fr.fillCap = 0
	br.fill()
	if br.err == nil {
		return nil
	}
	if ne, ok := br.err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		return br.readErr()
	}
	return br.err
}
