package socket

// Msg is one multipart message. What Recv returns belongs to the caller;
// what is given to Send belongs to the socket afterwards (it may sit in
// several peers' queues) and must not be modified.
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
