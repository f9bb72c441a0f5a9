package socket

import "github.com/purezmq/purezmq/zmtp"

// Msg is one multipart message. What Recv returns belongs to the caller;
// what is given to Send belongs to the socket afterwards (it may sit in
// several peers' queues) and must be neither modified nor read: a received
// message sent on by a socket with one destination (anything but PUB, XPUB
// and XSUB) has its buffers recycled once written, as zmq_msg_send leaves
// the message empty.
type Msg struct{ Frames [][]byte }

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
// as zmq_msg_close does in libzmq: a receiver of large messages (4 KiB and
// more over tcp or ipc) that releases each one once done lets later reads
// reuse the memory instead of allocating and collecting a buffer per
// message. It is optional: a message that is never released is garbage
// collected as usual.
//
// After Release the frames must not be used, by the caller or by anyone it
// shared them with, and m.Frames is set to nil. Only the buffers of a
// message as Recv returned it are reused; releasing a message built with
// NewMsg, one whose Frames were replaced or appended to, or a small message
// does nothing, so it is harmless. Do not release a message after giving it
// to Send: it belongs to the socket then.
func (m *Msg) Release() {
	zmtp.ReleaseMessage(m.Frames)
	m.Frames = nil
}
