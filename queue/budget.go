package queue

import (
	"sync"
	"sync/atomic"

	"github.com/purezmq/purezmq/swapfile"
)

// Budget is one byte budget for the swap of a whole socket, shared by all
// its pipes. A pipe may spill only while the budget has room; when it is
// spent, the pipe's mute action applies (counted in Stats.SpillRefused and
// Budget.Refused). Bytes are charged per record as stored in the ring,
// ring overhead included, and given back when the record leaves the ring.
//
// The same limit bounds the disk the ring files take (Disk): a pipe's ring
// starts small and grows within it, so the socket's swap uses at most the
// limit on disk however many keyed rings it has.
type Budget struct {
	limit   int64
	used    atomic.Int64
	refused atomic.Uint64
	disk    *swapfile.Budget

	diskFull  atomic.Uint64 // spills the file system refused (ENOSPC, EDQUOT)
	ioErrors  atomic.Uint64 // other swap write failures
	errMu     sync.Mutex
	lastErr   error
	onError   func(*SwapError) // see SetErrorHandler
	nextAlert int64            // unix nanoseconds before which onError stays quiet

	mu      sync.Mutex
	waiters []*Pipe // pipes blocked on the budget, woken by release
	nwait   atomic.Int32
	// releases counts calls to release. A pipe notes it before trying
	// to reserve; if it changed by the time the refused pipe registers
	// as a waiter, a release ran in between and found no waiter to wake.
	releases atomic.Uint64
}

// NewBudget makes a budget of limit bytes; limit <= 0 means unlimited
// (only ring capacity and disk space then bound the swap).
func NewBudget(limit int64) *Budget {
	return &Budget{limit: limit, disk: swapfile.NewBudget(limit)}
}

// Disk returns the budget of the ring files' data areas: what the swap
// holds on disk (Disk().Used()), as opposed to Used, the bytes of the
// records in them.
func (b *Budget) Disk() *swapfile.Budget { return b.disk }

// Limit returns the budget's size in bytes (<= 0: unlimited).
func (b *Budget) Limit() int64 { return b.limit }

// Used returns the bytes charged now.
func (b *Budget) Used() int64 { return b.used.Load() }

// Refused returns how many spills the budget turned away.
func (b *Budget) Refused() uint64 { return b.refused.Load() }

func (b *Budget) reserve(n int64) bool {
	if b.limit <= 0 {
		b.used.Add(n)
		return true
	}
	for {
		u := b.used.Load()
		if u+n > b.limit {
			b.refused.Add(1)
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// charge takes n bytes whatever the limit: a recovered backlog is already
// on disk and must be accounted for, even beyond the budget.
func (b *Budget) charge(n int64) { b.used.Add(n) }

// release gives n bytes back and wakes the pipes waiting for room. It must
// be called without any pipe's lock held.
func (b *Budget) release(n int64) {
	b.used.Add(-n)
	b.releases.Add(1)
	if b.nwait.Load() == 0 {
		return
	}
	b.mu.Lock()
	w := b.waiters
	b.waiters = nil
	b.nwait.Store(0)
	b.mu.Unlock()
	for _, p := range w {
		p.budgetFreed()
	}
}

// addWaiter is called with p's lock held; release takes pipe locks only
// after dropping b.mu, so the order pipe -> budget never inverts.
func (b *Budget) addWaiter(p *Pipe) {
	b.mu.Lock()
	b.waiters = append(b.waiters, p)
	b.nwait.Add(1)
	b.mu.Unlock()
}

// initialRingCapacity is where a budgeted pipe's ring starts: small, so
// that many keys with short backlogs take little disk; it grows (at least
// doubling) as the backlog needs, within the budget, and shrinks back when
// drained.
func (b *Budget) initialRingCapacity() int64 {
	const page, most int64 = 4096, 64 << 10
	c := most
	if b.limit > 0 {
		c = min(most, max(b.limit/16/page*page, page))
		c = min(c, b.limit)
	}
	return max(c, swapfile.MinCapacity)
}
