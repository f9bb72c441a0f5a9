package queue

import "errors"

// Acknowledged delivery (the socket layer's acked connections) numbers the
// messages a pipe hands out from 1, over the pipe's whole life, and keeps
// each one after it was popped until the receiver acknowledges it. What a
// connection cut leaves unacknowledged goes back to the front of the pipe,
// in order, for the next connection.
//
// The kept messages count against the pipe's memory limit (its HWM): the
// pipe then holds at most HWM messages whether they wait to be sent or to
// be acknowledged, so the memory a peer can cost is what the user set, and
// putting them back on a cut never overfills it. A receiver that stops
// acknowledging meets the mute action like a slow one.

// ErrAckRange is returned by Ack for a count outside what was handed out:
// below what was acknowledged before, or beyond the last message popped
// (and, after a cut, put back).
var ErrAckRange = errors.New("queue: acknowledgement outside the messages sent")

// ackState is a pipe's acknowledged-delivery bookkeeping, under its lock.
type ackState struct {
	unacked fifo[[][]byte] // popped with PopBatchKeep, oldest first
	acked   uint64         // messages acknowledged over the pipe's life
	// requeued is how many messages at the front of memory were sent
	// before and put back by Requeue: numbers acked+1 to acked+requeued
	// (when unacked is empty; unacked's come first otherwise).
	requeued int
}

// setHeld tells memory how many popped messages await acknowledgement, so
// that they count against its limit.
func (p *Pipe) setHeldLocked() { p.mem.held = p.acks.unacked.n }

// PopBatchKeep is PopBatch for an acknowledged connection: the messages
// are appended to dst and also kept, numbered, until Ack covers them or
// Requeue puts them back.
func (p *Pipe) PopBatchKeep(dst [][][]byte) [][][]byte { return p.popBatch(dst, true) }

// keepLocked holds the popped batch until acknowledged.
func (p *Pipe) keepLocked(batch [][][]byte) {
	for _, m := range batch {
		p.acks.unacked.push(m)
	}
	p.acks.requeued = max(p.acks.requeued-len(batch), 0)
	p.setHeldLocked()
}

// NextSeq returns the number the next message popped with PopBatchKeep
// gets, when nothing is awaiting acknowledgement: one past the messages
// acknowledged.
func (p *Pipe) NextSeq() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acks.acked + uint64(p.unackedLocked()) + 1
}

// A write-through pipe keeps popped messages in its ring until Commit
// (queue/lifecycle.go): acknowledged delivery uses that instead of the
// unacked list. The connection writer pops them with Pop as usual, and
// commits nothing itself; Ack commits what the receiver acknowledged, and
// Requeue rolls back the rest. What was never acknowledged then survives a
// crash as well as a cut (delivered again after recovery: at least once).
func (p *Pipe) writesThroughLocked() bool { return p.sw != nil && p.sw.cfg.WriteThrough }

// unackedLocked counts the messages awaiting acknowledgement.
func (p *Pipe) unackedLocked() int {
	if p.writesThroughLocked() {
		return p.sw.inflight
	}
	return p.acks.unacked.n
}

// Ack records that the receiver holds the pipe's first total messages. It
// releases the kept ones that total covers, appending them to dst for the
// caller to recycle; when total reaches into the messages Requeue put back
// (the receiver had them before the cut), those are taken off the front of
// the queue too, so they are not sent twice. A total below an earlier one
// or beyond what was sent is ErrAckRange.
func (p *Pipe) Ack(total uint64, dst [][][]byte) ([][][]byte, error) {
	p.mu.Lock()
	a := &p.acks
	if total < a.acked || total-a.acked > uint64(p.unackedLocked()+a.requeued) {
		p.mu.Unlock()
		return dst, ErrAckRange
	}
	if p.writesThroughLocked() {
		return dst, p.ackThroughLocked(total)
	}
	k := int(total - a.acked)
	wasFull, wasReady := p.full(), p.readyLocked()
	n := min(k, a.unacked.n)
	for i := 0; i < n; i++ {
		dst = append(dst, a.unacked.pop())
	}
	for i := n; i < k; i++ {
		dst = append(dst, p.mem.pop())
		a.requeued--
		p.st.popped++
		p.st.acked++
	}
	a.acked = total
	p.st.acked += uint64(n)
	p.setHeldLocked()
	var notify func()
	if wasFull && !p.full() {
		notify = p.wakeWritableLocked()
	}
	if !wasReady && p.readyLocked() {
		// Room for the swap's backlog again.
		notify = p.wakeReadableLocked()
	}
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
	return dst, nil
}

// Unacked returns how many popped messages await acknowledgement.
func (p *Pipe) Unacked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unackedLocked()
}

// Requeue puts every message awaiting acknowledgement back at the front of
// the queue, in order: their connection ended, and the next one sends them
// again unless the receiver says it had them (Ack). It returns how many
// came back.
func (p *Pipe) Requeue() int {
	p.mu.Lock()
	if p.writesThroughLocked() {
		k := p.sw.inflight
		p.mu.Unlock()
		p.Rollback()
		p.mu.Lock()
		p.acks.requeued += k
		p.st.requeued += uint64(k)
		p.mu.Unlock()
		return k
	}
	a := &p.acks
	k := a.unacked.n
	if k == 0 {
		p.mu.Unlock()
		return 0
	}
	wasReady := p.readyLocked()
	for i := k - 1; i >= 0; i-- {
		p.mem.pushFront(a.unacked.at(i))
	}
	a.unacked.reset()
	a.requeued += k
	p.st.requeued += uint64(k)
	p.st.popped -= uint64(k)
	p.setHeldLocked()
	var notify func()
	if !wasReady {
		notify = p.wakeReadableLocked()
	}
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
	return k
}

// ackThroughLocked is Ack for a write-through pipe: the messages the
// receiver had before a cut (rolled back since) are popped off the front
// first, then the acknowledged ones committed. It unlocks the pipe.
func (p *Pipe) ackThroughLocked(total uint64) error {
	a, s := &p.acks, p.sw
	k := int(total - a.acked)
	for extra := k - s.inflight; extra > 0; extra-- {
		if p.mem.len() == 0 {
			s.refill(&p.mem, 1)
		}
		if p.mem.len() == 0 {
			p.mu.Unlock()
			return ErrAckRange // the ring lost them (read error)
		}
		p.mem.pop()
		p.st.popped++
		s.popped(1)
		a.requeued--
	}
	a.acked = total
	p.st.acked += uint64(k)
	p.mu.Unlock()
	return p.Commit(k)
}
