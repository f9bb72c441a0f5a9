package queue

import (
	"context"
	"sync"
	"sync/atomic"
)

// Inbox is the FIFO between one connection's reader goroutine and the
// socket's Recv: a queue of whole messages with a high-water mark at which
// Push blocks (TCP back-pressure) and nothing else: no swap, no drop, no
// readiness channels.
//
// Why not a Pipe: at small message sizes the reader and Recv run on two
// cores and take a Pipe's one mutex several million times a second each;
// the profile showed a third of the receive side in that lock. Here the
// producer and the consumer each keep their own state and meet only through
// two counters (pushed, popped) that each side re-reads only when its cached
// copy says the queue is empty or full, so in steady state a message costs
// no cache line moving but its own slot's.
//
// The queue is a list of fixed segments, so an unlimited one (HWM 0) grows
// without copying; the consumer hands one drained segment back for reuse,
// which makes a steady state allocation free.
//
// Any number of goroutines may call Pop, serialised by a mutex that is
// uncontended in the usual case of one Recv. The producer side (Push,
// Stage, Publish) takes no lock: one goroutine produces at a time, and a
// caller that changes producers (a connection reader that takes over a
// peer after the previous one ended) orders them itself. Two atomic
// operations per message were a tenth of a 16 B receiver's CPU.
type Inbox struct {
	// Read-mostly, shared.
	hwm    uint64 // 0: no limit
	lwm    uint64 // a blocked producer is woken when the queue is down to this
	notify func()
	closed atomic.Bool
	_      cacheLinePad

	// Producer side: one producer at a time (see the type's comment).
	tail      *segment
	tailPos   int
	nPushed   uint64 // messages written into slots, staged or published
	published uint64 // == pushed, without the atomic load
	seenPop   uint64 // the last value of popped the producer looked at
	_         cacheLinePad

	// Consumer side, under cmu.
	cmu      sync.Mutex
	head     *segment
	headPos  int
	nPopped  uint64 // == popped
	seenPush uint64 // the last value of pushed the consumer looked at
	_        cacheLinePad

	pushed atomic.Uint64 // messages published: their slots are written
	_      cacheLinePad
	popped atomic.Uint64 // messages taken: their slots are free
	_      cacheLinePad

	// Drained segments for the producer's reuse, up to maxSpares: as many
	// as a queue at its HWM spans, so a queue that fills and drains over
	// and over (a subscriber between bursts) allocates none. Touched once
	// per segment, so a plain mutex.
	smu       sync.Mutex
	spares    []*segment
	maxSpares int

	// A producer blocked at the HWM announces itself in pwaiting and waits
	// on wch; the consumer (or Close) closes wch.
	pwaiting atomic.Bool
	wmu      sync.Mutex
	wch      chan struct{}
	onPark   func() // tests: called when a producer is about to block
}

// segSize is the number of slots of a segment: 6 KiB of slice headers, big
// enough that moving to the next segment is rare. An inbox starts with a
// segment of firstSegSize slots, so that an idle connection's inbox costs
// 400 bytes, not 6 KiB; the consumer does not hand that one back for
// reuse, so a busy inbox settles on full segments.
const (
	segSize      = 256
	firstSegSize = 16
)

type segment struct {
	slots [][][]byte
	next  atomic.Pointer[segment]
}

func newSegment(n int) *segment { return &segment{slots: make([][][]byte, n)} }

// cacheLinePad keeps the producer's and the consumer's fields on separate
// cache lines (64 bytes on the machines we run on; 128 would cost only
// memory).
type cacheLinePad [64]byte

// NewInbox makes an inbox holding up to hwm messages (0: no limit). notify,
// if set, is called after every Push and after Close, without any lock
// held; it must be cheap (the socket's is one atomic load while nobody
// waits in Recv) and must not block.
func NewInbox(hwm int, notify func()) *Inbox {
	q := &Inbox{notify: notify}
	if hwm > 0 {
		q.hwm = uint64(hwm)
		q.lwm = lowWater(q.hwm)
	}
	s := newSegment(firstSegSize)
	q.head, q.tail = s, s
	// An unlimited inbox keeps as many spares as a 1000-message one.
	q.maxSpares = int(min(max(q.hwm, 1000)/segSize+1, 64))
	return q
}

// takeSpare returns a drained segment, or a new one when none is kept.
func (q *Inbox) takeSpare() *segment {
	q.smu.Lock()
	if n := len(q.spares); n > 0 {
		s := q.spares[n-1]
		q.spares[n-1] = nil
		q.spares = q.spares[:n-1]
		q.smu.Unlock()
		return s
	}
	q.smu.Unlock()
	return newSegment(segSize)
}

// putSpare keeps a drained segment for takeSpare, unless enough are kept.
func (q *Inbox) putSpare(s *segment) {
	q.smu.Lock()
	if len(q.spares) < q.maxSpares {
		q.spares = append(q.spares, s)
	}
	q.smu.Unlock()
}

// lowWater is where a producer blocked at hwm is woken: half way down for
// small marks, a fixed 1024 below larger ones (libzmq's rule), so that a
// full queue wakes its producer once per many messages, not once per pop.
func lowWater(hwm uint64) uint64 {
	const maxDelta = 1024
	if hwm > 2*maxDelta {
		return hwm - maxDelta
	}
	return (hwm + 1) / 2
}

// Push appends msg, taking ownership of its slices, and makes it visible
// to Pop at once. At the HWM it waits until the consumer has made room, ctx
// ends (ctx.Err()) or the inbox is closed (ErrClosed).
func (q *Inbox) Push(ctx context.Context, msg [][]byte) error {
	return q.add(ctx, msg, true)
}

// Stage appends msg like Push but leaves it invisible to Pop until the next
// Publish (or until maxStaged messages are staged, or Stage has to wait at
// the HWM, which publish on their own). A connection reader stages the
// messages parsed out of one network read and publishes before the next
// read: the consumer then sees a burst through one atomic load instead of
// racing the reader message by message.
func (q *Inbox) Stage(ctx context.Context, msg [][]byte) error {
	return q.add(ctx, msg, false)
}

// add is Push (publish set) and Stage.
func (q *Inbox) add(ctx context.Context, msg [][]byte, publish bool) error {
	for {
		if q.closed.Load() {
			return ErrClosed
		}
		if q.hwm == 0 || q.nPushed-q.seenPop < q.hwm {
			break
		}
		q.seenPop = q.popped.Load()
		if q.nPushed-q.seenPop < q.hwm {
			break
		}
		// Full: what is staged must be visible, or the consumer could
		// never make the room we wait for.
		if q.publishNow() {
			if q.notify != nil {
				q.notify()
			}
			continue
		}
		if err := q.waitRoom(ctx); err != nil {
			return err
		}
	}
	if q.tailPos == len(q.tail.slots) {
		s := q.takeSpare()
		q.tail.next.Store(s)
		q.tail, q.tailPos = s, 0
	}
	q.tail.slots[q.tailPos] = msg
	q.tailPos++
	q.nPushed++
	if publish || q.nPushed-q.published >= maxStaged {
		q.publishNow()
		if q.notify != nil {
			q.notify()
		}
	}
	return nil
}

// Full reports whether the next Stage or Push would wait for room. Called
// by the producer only.
func (q *Inbox) Full() bool {
	if q.hwm == 0 || q.nPushed-q.seenPop < q.hwm {
		return false
	}
	q.seenPop = q.popped.Load()
	return q.nPushed-q.seenPop >= q.hwm
}

// maxStaged bounds how many messages Stage holds back, so a consumer keeps
// getting work while the producer parses a large read.
const maxStaged = 128

// Publish makes every staged message visible to Pop and calls notify.
func (q *Inbox) Publish() {
	n := q.publishNow()
	if n && q.notify != nil {
		q.notify()
	}
}

// publishNow stores the producer's count, which publishes the staged
// slots (and any new segment's link) to Pop. It reports whether there was
// anything to publish.
func (q *Inbox) publishNow() bool {
	if q.published == q.nPushed {
		return false
	}
	q.published = q.nPushed
	q.pushed.Store(q.nPushed)
	return true
}

// waitRoom blocks the producer until the consumer may have
// made room. It announces the wait, then looks at popped once more: a
// consumer that popped before seeing the announcement is seen by that look
// (both are sequentially consistent atomics), so no wake-up is lost.
func (q *Inbox) waitRoom(ctx context.Context) error {
	q.wmu.Lock()
	if q.wch == nil {
		q.wch = make(chan struct{})
	}
	ch := q.wch
	q.pwaiting.Store(true)
	q.wmu.Unlock()
	if q.closed.Load() || q.nPushed-q.popped.Load() < q.hwm {
		q.wmu.Lock()
		q.pwaiting.Store(false)
		q.wmu.Unlock()
		return nil
	}
	if q.onPark != nil {
		q.onPark()
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		q.wmu.Lock()
		q.pwaiting.Store(false)
		q.wmu.Unlock()
		return ctx.Err()
	}
}

// wakeProducer releases a producer waiting in waitRoom.
func (q *Inbox) wakeProducer() {
	q.wmu.Lock()
	if q.wch != nil {
		close(q.wch)
		q.wch = nil
	}
	q.pwaiting.Store(false)
	q.wmu.Unlock()
}

// Pop removes and returns the oldest message, or false when there is none.
// Messages pushed before Close are still returned after it.
func (q *Inbox) Pop() ([][]byte, bool) {
	q.cmu.Lock()
	m, ok := q.popLocked(nil)
	q.cmu.Unlock()
	return m, ok
}

// popLocked pops the oldest message, under cmu; when head is set, only if
// the oldest message is that very list (DropHead).
func (q *Inbox) popLocked(head [][]byte) ([][]byte, bool) {
	if q.nPopped == q.seenPush {
		q.seenPush = q.pushed.Load()
		if q.nPopped == q.seenPush {
			return nil, false
		}
	}
	if q.headPos == len(q.head.slots) {
		// The producer linked the next segment before publishing the
		// message in it, which we just saw.
		old := q.head
		q.head, q.headPos = old.next.Load(), 0
		old.next.Store(nil)
		if len(old.slots) == segSize {
			q.putSpare(old)
		}
	}
	m := q.head.slots[q.headPos]
	if head != nil && !sameList(m, head) {
		return nil, false
	}
	q.head.slots[q.headPos] = nil // do not keep the caller's buffers alive
	q.headPos++
	q.nPopped++
	q.popped.Store(q.nPopped)
	if q.pwaiting.Load() && q.pushed.Load()-q.nPopped <= q.lwm {
		q.wakeProducer()
	}
	return m, true
}

// Len is the number of queued messages.
func (q *Inbox) Len() int {
	popped := q.popped.Load() // first: pushed only grows, so the difference is never negative
	return int(q.pushed.Load() - popped)
}

// Close refuses further pushes and wakes a blocked producer. Queued
// messages can still be popped.
func (q *Inbox) Close() {
	if q.closed.Swap(true) {
		return
	}
	q.wakeProducer()
	if q.notify != nil {
		q.notify()
	}
}

// Closed reports whether Close was called.
func (q *Inbox) Closed() bool { return q.closed.Load() }
