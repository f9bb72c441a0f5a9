package queue

import "unsafe"

// Peek and DropHead let a socket answer "would Recv return a message now?"
// (a poller's readiness) without taking the message: it looks at the oldest
// message and drops it only when Recv would drop it too (a SUB's unmatched
// topic, a REQ's stale reply). The judgement runs outside the queue's lock,
// so a socket may take its own locks for it; DropHead then removes the
// message only if it is still the oldest, so a concurrent Pop never loses a
// message it should have had.

// Peek returns the oldest message without removing it, or false when the
// inbox is empty. The message stays the inbox's: the caller only reads it.
func (q *Inbox) Peek() ([][]byte, bool) {
	q.cmu.Lock()
	defer q.cmu.Unlock()
	if q.nPopped == q.seenPush {
		q.seenPush = q.pushed.Load()
		if q.nPopped == q.seenPush {
			return nil, false
		}
	}
	seg, pos := q.head, q.headPos
	if pos == len(seg.slots) {
		seg, pos = seg.next.Load(), 0
	}
	return seg.slots[pos], true
}

// DropHead removes the oldest message if it is m (the list Peek returned)
// and reports whether it did.
func (q *Inbox) DropHead(m [][]byte) bool {
	if m == nil {
		return false
	}
	q.cmu.Lock()
	_, ok := q.popLocked(m)
	q.cmu.Unlock()
	return ok
}

// Peek returns the oldest message without removing it, or false when the
// pipe is empty. A message in the swap is read back into memory first.
func (p *Pipe) Peek() ([][]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mem.n == 0 && p.sw != nil {
		p.sw.refill(1)
	}
	if p.mem.n == 0 {
		return nil, false
	}
	return p.mem.at(0), true
}

// DropHead removes the oldest message if it is m (the list Peek returned)
// and reports whether it did.
func (p *Pipe) DropHead(m [][]byte) bool {
	if m == nil {
		return false
	}
	_, ok := p.popHead(m)
	return ok
}

// sameList reports whether a and b are the same frame list (not merely
// equal frames).
func sameList(a, b [][]byte) bool {
	return len(a) == len(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
}
