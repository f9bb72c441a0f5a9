// Package queue holds the per-peer pipes of a socket: a FIFO of whole
// multipart messages with a high-water mark, a mute action for when it is
// full, an optional disk swap, readiness signalling for the socket's load
// balancing and fair queueing, and a Retainer that keeps the pipes of
// departed peers by identity. It knows nothing about sockets or the
// network.
package queue

import (
	"context"
	"fmt"
	"sync"
)

// MuteAction is what Push does when the pipe is at its high-water mark and
// its swap (if any) cannot take the message.
type MuteAction uint8

const (
	// Drop discards the message, counts it and returns ErrDropped (PUB, XPUB, ROUTER).
	Drop MuteAction = iota
	// Block waits for room, the context's end or Close (PUSH, DEALER, REQ, PAIR).
	Block
	// Fail returns ErrFull at once (XPUB with no-drop, ROUTER mandatory).
	Fail
)

func (a MuteAction) String() string {
	switch a {
	case Drop:
		return "drop"
	case Block:
		return "block"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("MuteAction(%d)", uint8(a))
}

// Config configures a Pipe.
type Config struct {
	// HWM is the number of messages the pipe holds in memory; 0 means no
	// limit. Without swap it is the pipe's limit; with swap, messages past
	// it go to disk and the swap's space is the limit.
	HWM  int
	Mute MuteAction // what happens when the pipe cannot take a message
	Key  string     // retention key ("" for an anonymous pipe)
	// Notify, when set, is called after the pipe became readable (a message
	// arrived), writable (room appeared) or closed. It runs without the
	// pipe's lock held and must not block.
	Notify func()
	// Swap, when set, gives the pipe a disk swap (see SwapConfig).
	Swap *SwapConfig
	// Conflate keeps only the newest message (ZMQ_CONFLATE): a push
	// replaces what is queued, so the pipe holds at most one message, is
	// never full and HWM does not apply. It is not combined with Swap.
	Conflate bool
}

// Pipe is a FIFO of whole multipart messages. It is safe for concurrent
// use; typically one goroutine pushes and one pops.
//
// Push takes ownership of the message's slices and Pop hands them over: a
// message that stayed in memory comes back as the very slices pushed,
// without a copy. A message that went through the swap comes back as a new
// allocation.
type Pipe struct {
	mu     sync.Mutex
	cfg    Config
	mem    memQueue
	closed bool
	st     counters
	// sw is the pipe's swap, nil without one. The pipe owns it and hands
	// it what it works on (mem) with each call; it holds no pointer back.
	sw *swapState
	// acks keeps what an acknowledged connection popped until the
	// receiver confirms it (queue/unacked.go).
	acks ackState

	// Waiter channels are made lazily, only when someone waits, and closed
	// (then dropped) by the state change they wait for: no allocation on
	// the hot path while nobody is blocked.
	readable chan struct{}
	writable chan struct{}
}

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// New makes a pipe. It does not touch the disk: a swap ring is created on
// the first spill (use CheckDir to validate a swap directory up front).
func New(cfg Config) *Pipe {
	p := &Pipe{cfg: cfg, mem: newMemQueue(cfg)}
	if cfg.Swap != nil {
		p.sw = newSwapState(*cfg.Swap, cfg.Key, &p.st)
	}
	return p
}

// Key returns the pipe's retention key.
func (p *Pipe) Key() string { return p.cfg.Key }

// SetNotify replaces the readiness callback, e.g. when a retained pipe is
// attached to a new connection.
func (p *Pipe) SetNotify(f func()) {
	p.mu.Lock()
	p.cfg.Notify = f
	p.mu.Unlock()
}

// full reports whether a push would meet the mute action now. Without swap
// that is the memory limit; with swap, the swap's last refusal stands
// until something is freed.
func (p *Pipe) full() bool {
	if p.sw != nil {
		return p.sw.blocked
	}
	return p.mem.full()
}

// readyLocked reports whether Pop would return a message now.
func (p *Pipe) readyLocked() bool {
	// Messages awaiting acknowledgement take memory's room: the swap is
	// not read into it until they are acknowledged (queue/unacked.go).
	return p.mem.len() > 0 || (p.sw != nil && p.mem.held < p.refillTarget() && p.sw.canRefill(&p.mem))
}

// TryPush adds msg without blocking. When the pipe cannot take it, it
// drops it (Drop: ErrDropped) or refuses it (Block, Fail: ErrFull).
func (p *Pipe) TryPush(msg [][]byte) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	wasReady := p.readyLocked()
	var ok bool
	if p.sw != nil {
		ok = p.sw.push(msg, &p.mem)
	} else if p.cfg.Conflate {
		for p.mem.len() > 0 {
			p.mem.pop() // superseded: conflation drops it by design
			p.st.conflated++
		}
		p.mem.push(msg)
		ok = true
	} else if !p.mem.full() {
		p.mem.push(msg)
		ok = true
	}
	freed := p.takeFreedLocked()
	if !ok {
		p.st.hwmHits++
		err := ErrFull
		if p.cfg.Mute == Drop {
			p.st.dropped++
			err = ErrDropped
		}
		report := p.takeReportLocked()
		p.mu.Unlock()
		if freed > 0 {
			p.releaseBudget(freed)
		}
		p.noteSwapError(report)
		return err
	}
	p.st.pushed++
	var notify func()
	if !wasReady {
		notify = p.wakeReadableLocked()
	}
	p.mu.Unlock()
	if freed > 0 {
		p.releaseBudget(freed)
	}
	if notify != nil {
		notify()
	}
	return nil
}

// Push adds msg, applying the mute action when the pipe cannot take it:
// Drop returns ErrDropped, Fail returns ErrFull, Block waits for room,
// ctx's end (returning ctx.Err()) or Close (returning ErrClosed).
func (p *Pipe) Push(ctx context.Context, msg [][]byte) error {
	for {
		err := p.TryPush(msg)
		if err != ErrFull || p.mute() != Block {
			return err
		}
		select {
		case <-p.Writable():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *Pipe) wakeReadableLocked() func() {
	if p.readable != nil {
		close(p.readable)
		p.readable = nil
	}
	return p.cfg.Notify
}

func (p *Pipe) wakeWritableLocked() func() {
	if p.writable != nil {
		close(p.writable)
		p.writable = nil
	}
	return p.cfg.Notify
}

// Pop removes and returns the oldest message. With a write-through swap
// the message stays on disk until Commit.
func (p *Pipe) Pop() ([][]byte, bool) { return p.popHead(nil) }

// popHead is Pop; when head is set, it pops only if the oldest message is
// that very list (DropHead).
func (p *Pipe) popHead(head [][]byte) ([][]byte, bool) {
	p.mu.Lock()
	wasFull := p.full()
	if p.mem.len() == 0 && p.sw != nil {
		p.sw.refill(&p.mem, 1)
	}
	if p.mem.len() == 0 || (head != nil && !sameList(p.mem.at(0), head)) {
		p.mu.Unlock()
		return nil, false
	}
	m := p.mem.pop()
	p.st.popped++
	if p.sw != nil {
		p.sw.popped(1)
	}
	notify := p.afterPopLocked(wasFull)
	freed := p.takeFreedLocked()
	p.mu.Unlock()
	p.finishPop(freed, notify)
	return m, true
}

// PopBatch appends every message held in memory to dst, oldest first, and
// returns the extended slice: what a connection writer takes to write in
// one syscall. With swap, memory is then refilled from disk (up to the
// HWM) for the next call, so one call returns at most HWM messages while
// a backlog is on disk. Reusing dst makes it allocation free.
func (p *Pipe) PopBatch(dst [][][]byte) [][][]byte { return p.popBatch(dst, false) }

// popBatch is PopBatch; keep also holds the messages for acknowledgement
// (PopBatchKeep), under the same lock.
func (p *Pipe) popBatch(dst [][][]byte, keep bool) [][][]byte {
	p.mu.Lock()
	wasFull := p.full()
	if p.mem.len() == 0 && p.sw != nil {
		p.sw.refill(&p.mem, p.refillTarget())
	}
	n := p.mem.len()
	if n == 0 {
		p.mu.Unlock()
		return dst
	}
	dst = p.mem.drainTo(dst)
	if keep {
		p.keepLocked(dst[len(dst)-n:])
	}
	p.st.popped += uint64(n)
	if p.sw != nil {
		p.sw.popped(n)
	}
	notify := p.afterPopLocked(wasFull)
	freed := p.takeFreedLocked()
	p.mu.Unlock()
	p.finishPop(freed, notify)
	return dst
}

// afterPopLocked refills memory from the swap and wakes writers when the
// pop made room.
func (p *Pipe) afterPopLocked(wasFull bool) func() {
	if p.sw != nil {
		p.sw.refill(&p.mem, p.refillTarget())
		p.sw.unblock()
		p.releaseDrainedRingLocked()
	}
	if wasFull && !p.full() {
		return p.wakeWritableLocked()
	}
	return nil
}

// finishPop runs the work a pop must do without the lock: giving swap
// space back to the shared budget (which may wake other pipes) and the
// readiness callback.
func (p *Pipe) finishPop(freed int64, notify func()) {
	if freed > 0 {
		p.releaseBudget(freed)
	}
	if notify != nil {
		notify()
	}
}

// refillTarget is how many messages memory may hold while a backlog sits
// in the swap.
func (p *Pipe) refillTarget() int {
	if p.cfg.HWM > 0 {
		return p.cfg.HWM
	}
	return defaultReadAhead
}

// Len is the number of queued messages, in memory and in the swap (not
// counting popped messages awaiting Commit).
func (p *Pipe) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.mem.len()
	if p.sw != nil {
		n += p.sw.n
	}
	return n
}

// HasRoom reports whether a push would be accepted without muting, as far
// as the pipe can tell without trying (a swap may still refuse it).
func (p *Pipe) HasRoom() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.closed && !p.full()
}

// Readable returns a channel that is closed once Pop would return a
// message, or the pipe is closed (at once if either holds already).
func (p *Pipe) Readable() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.readyLocked() || p.closed {
		return closedCh
	}
	if p.readable == nil {
		p.readable = make(chan struct{})
	}
	return p.readable
}

// Writable returns a channel that is closed once the pipe has room or is
// closed (at once if it already has).
func (p *Pipe) Writable() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.full() || p.closed {
		return closedCh
	}
	if p.sw != nil && p.waitBudgetLocked() {
		// Space came back between the refusal and now: let the caller
		// try again rather than wait for a release that already ran.
		p.sw.blocked = false
		return closedCh
	}
	if p.writable == nil {
		p.writable = make(chan struct{})
	}
	return p.writable
}

// Close refuses further pushes and wakes every waiter. Queued messages,
// in memory and in the swap, can still be popped; an anonymous swap file
// is removed once drained. Use Discard to throw the backlog away, or
// Persist to keep a keyed backlog on disk for RecoverDir.
func (p *Pipe) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.readable != nil {
		close(p.readable)
		p.readable = nil
	}
	if p.writable != nil {
		close(p.writable)
		p.writable = nil
	}
	p.releaseDrainedRingLocked()
	notify := p.cfg.Notify
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// Closed reports whether Close was called.
func (p *Pipe) Closed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}
