// Package queue holds the per-peer pipes of a socket: a FIFO of whole
// multipart messages with a high-water mark, a mute action for when it is
// full, and readiness signalling for the socket's load balancing and fair
// queueing. It knows nothing about sockets or the network.
package queue

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// MuteAction is what Push does when the pipe is at its high-water mark.
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

// Sentinel errors.
var (
	ErrFull    = errors.New("queue: pipe full")
	ErrDropped = errors.New("queue: message dropped at high-water mark")
	ErrClosed  = fmt.Errorf("queue: pipe closed: %w", net.ErrClosed)
)

// Config configures a Pipe.
type Config struct {
	HWM  int        // messages; 0 means no limit
	Mute MuteAction // what happens at the HWM
	Key  string     // retention key ("" for an anonymous pipe)
	// Notify, when set, is called after the pipe became readable (a message
	// arrived) or writable (room appeared, or it closed). It runs without the
	// pipe's lock held and must not block.
	Notify func()
}

// Stats are a pipe's counters.
type Stats struct {
	Queued    int    // messages in the pipe now
	Bytes     int64  // payload bytes in the pipe now
	Pushed    uint64 // messages accepted
	Popped    uint64
	Dropped   uint64 // messages discarded by the Drop mute action
	HWMHits   uint64 // times a push found the pipe full
	PeakBytes int64
}

// Pipe is a FIFO of whole multipart messages. It is safe for concurrent use.
type Pipe struct {
	mu     sync.Mutex
	cfg    Config
	buf    [][][]byte // ring
	head   int
	n      int
	closed bool
	stats  Stats

	// Waiter channels are made lazily, only when someone waits, and closed
	// (then dropped) by the state change they wait for: no allocation on the
	// hot path while nobody is blocked.
	readable chan struct{}
	writable chan struct{}
}

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// New makes a pipe.
func New(cfg Config) *Pipe {
	c := 16
	if cfg.HWM > 0 && cfg.HWM < c {
		c = cfg.HWM
	}
	return &Pipe{cfg: cfg, buf: make([][][]byte, c)}
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

func (p *Pipe) full() bool { return p.cfg.HWM > 0 && p.n >= p.cfg.HWM }

func msgBytes(m [][]byte) int64 {
	var n int64
	for _, f := range m {
		n += int64(len(f))
	}
	return n
}

func (p *Pipe) enqueue(m [][]byte) {
	if p.n == len(p.buf) {
		nb := make([][][]byte, 2*len(p.buf))
		for i := 0; i < p.n; i++ {
			nb[i] = p.buf[(p.head+i)%len(p.buf)]
		}
		p.buf, p.head = nb, 0
	}
	p.buf[(p.head+p.n)%len(p.buf)] = m
	p.n++
	p.stats.Pushed++
	p.stats.Bytes += msgBytes(m)
	if p.stats.Bytes > p.stats.PeakBytes {
		p.stats.PeakBytes = p.stats.Bytes
	}
}

// TryPush adds msg without blocking. At the HWM it drops (Drop: ErrDropped)
// or refuses (Block, Fail: ErrFull).
func (p *Pipe) TryPush(msg [][]byte) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if p.full() {
		p.stats.HWMHits++
		if p.cfg.Mute == Drop {
			p.stats.Dropped++
			p.mu.Unlock()
			return ErrDropped
		}
		p.mu.Unlock()
		return ErrFull
	}
	wasEmpty := p.n == 0
	p.enqueue(msg)
	notify := p.wakeReadableLocked(wasEmpty)
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
	return nil
}

// Push adds msg, applying the mute action at the HWM: Drop returns
// ErrDropped, Fail returns ErrFull, Block waits for room, ctx's end or Close.
func (p *Pipe) Push(ctx context.Context, msg [][]byte) error {
	for {
		err := p.TryPush(msg)
		if err != ErrFull || p.cfg.Mute != Block {
			return err
		}
		select {
		case <-p.Writable():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *Pipe) wakeReadableLocked(wasEmpty bool) func() {
	if !wasEmpty {
		return nil
	}
	if p.readable != nil {
		close(p.readable)
		p.readable = nil
	}
	return p.cfg.Notify
}

// Pop removes and returns the oldest message.
func (p *Pipe) Pop() ([][]byte, bool) {
	p.mu.Lock()
	if p.n == 0 {
		p.mu.Unlock()
		return nil, false
	}
	wasFull := p.full()
	m := p.buf[p.head]
	p.buf[p.head] = nil
	p.head = (p.head + 1) % len(p.buf)
	p.n--
	p.stats.Popped++
	p.stats.Bytes -= msgBytes(m)
	var notify func()
	if wasFull {
		if p.writable != nil {
			close(p.writable)
			p.writable = nil
		}
		notify = p.cfg.Notify
	}
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
	return m, true
}

// Len is the number of queued messages.
func (p *Pipe) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// HasRoom reports whether a push would be accepted without muting.
func (p *Pipe) HasRoom() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.closed && !p.full()
}

// Readable returns a channel that is closed once the pipe holds a message
// or is closed (at once if it already does).
func (p *Pipe) Readable() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n > 0 || p.closed {
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
	if p.writable == nil {
		p.writable = make(chan struct{})
	}
	return p.writable
}

// Stats returns the pipe's counters.
func (p *Pipe) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Queued = p.n
	return s
}

// Close refuses further pushes and wakes every waiter. Queued messages can
// still be popped.
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
