package queue

// memQueue is the part of a pipe's backlog held in memory: whole messages,
// oldest first, with their payload bytes. It is a value of its own, guarded
// by the pipe's lock, so that the pipe's swap can be handed just this part
// (to fill it from disk, or to see whether it has room) without holding a
// pointer back to the pipe.
type memQueue struct {
	msgs  fifo[[][]byte]
	bytes int64 // payload bytes of msgs
	peak  int64 // highest bytes seen: the memory the pipe really used
	// limit is the number of messages memory holds before a push meets
	// the mute action or spills: the HWM, 0 for none (see setLimit).
	limit int
	// held is how many popped messages still await acknowledgement
	// (queue/unacked.go): they count against limit.
	held int
}

func newMemQueue(cfg Config) memQueue {
	c := 16
	if cfg.HWM > 0 && cfg.HWM < c {
		c = cfg.HWM
	}
	var m memQueue
	m.setLimit(cfg)
	m.msgs.buf = make([][][]byte, c)
	return m
}

// setLimit takes the limit from the pipe's config: at New, and again
// whenever the pipe's HWM changes (SetHWM), so the two never disagree. A
// conflating pipe has none: it replaces its one message instead of filling
// up.
func (m *memQueue) setLimit(cfg Config) {
	m.limit = cfg.HWM
	if cfg.Conflate {
		m.limit = 0
	}
}

func (m *memQueue) len() int { return m.msgs.n }

// full reports whether memory is at its limit.
func (m *memQueue) full() bool { return m.limit > 0 && m.msgs.n+m.held >= m.limit }

func (m *memQueue) push(msg [][]byte) {
	m.msgs.push(msg)
	m.bytes += msgBytes(msg)
	if m.bytes > m.peak {
		m.peak = m.bytes
	}
}

// pushFront puts msg before every queued message (Requeue).
func (m *memQueue) pushFront(msg [][]byte) {
	m.msgs.pushFront(msg)
	m.bytes += msgBytes(msg)
	if m.bytes > m.peak {
		m.peak = m.bytes
	}
}

func (m *memQueue) pop() [][]byte {
	msg := m.msgs.pop()
	m.bytes -= msgBytes(msg)
	return msg
}

// at returns the i-th message from the front, leaving it queued.
func (m *memQueue) at(i int) [][]byte { return m.msgs.at(i) }

// drainTo appends every message to dst, oldest first, and empties m.
func (m *memQueue) drainTo(dst [][][]byte) [][][]byte {
	dst = m.msgs.drainTo(dst)
	m.bytes = 0
	return dst
}

// reset empties m, releasing the messages it referenced (peak stays: it
// is a running total).
func (m *memQueue) reset() {
	m.msgs.reset()
	m.bytes = 0
}
