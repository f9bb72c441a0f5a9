package socket

import "github.com/purezmq/purezmq/internal/buf"

// Msg is one multipart message. What Recv returns belongs to the caller
// until it calls Release, even after sending it on with Send, which copies.
// After Send returns, the frames given to it are the caller's again. Only
// SendOwned takes the frames themselves: after it, they belong to the
// socket (see SendOwned).
type Msg struct {
	Frames [][]byte
	md     *Metadata // the connection's, on a received message; see Metadata
}

// NewMsg makes a message of the given frames.
func NewMsg(frames ...[]byte) Msg { return Msg{Frames: frames} }

// Len returns the total payload size in bytes.
func (m Msg) Len() int {
	n := 0
	for _, f := range m.Frames {
		n += len(f)
	}
	return n
}

// Release hands the message's buffers back to the socket layer for reuse,
// as zmq_msg_close does in libzmq: a receiver that releases each message
// once done lets later reads and sends reuse the memory (the pooled bodies
// of large messages, the shared slabs small frames are carved from)
// instead of allocating and collecting it. It is optional: a message that
// is never released is garbage collected as usual.
//
// After Release the frames must not be used, by the caller or by anyone it
// shared them with, and m.Frames is set to nil: copy what you keep. Only
// the buffers of a message as Recv returned it are reused; releasing a
// message built with NewMsg or one whose Frames were replaced or appended
// to does nothing, so it is harmless. Releasing a message after Send is fine
// (Send copied it); after SendOwned it is not: it belongs to the socket.
func (m *Msg) Release() {
	buf.Release(m.Frames)
	m.Frames = nil
}
