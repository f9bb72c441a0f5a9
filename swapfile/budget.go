package swapfile

import "sync/atomic"

// Budget is a number of disk bytes shared by growable rings (Options.
// Budget): each ring charges its data area, grows only while the budget
// has room and gives bytes back when it shrinks or closes. One budget per
// socket bounds the swap's disk use in total, however many rings it has.
type Budget struct {
	limit   int64
	used    atomic.Int64
	refused atomic.Uint64
}

// NewBudget makes a budget of limit bytes; limit <= 0 means unlimited
// (rings then grow until MaxCapacity or the disk refuses).
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// Limit returns the budget's size (<= 0: unlimited).
func (b *Budget) Limit() int64 { return b.limit }

// Used returns the bytes charged by open rings.
func (b *Budget) Used() int64 { return b.used.Load() }

// Available returns the bytes a ring may still grow by (MaxCapacity when
// unlimited).
func (b *Budget) Available() int64 {
	if b.limit <= 0 {
		return MaxCapacity
	}
	return max(b.limit-b.used.Load(), 0)
}

// Refused returns how many times a ring could not grow for lack of budget.
func (b *Budget) Refused() uint64 { return b.refused.Load() }

// take charges n bytes if they fit.
func (b *Budget) take(n int64) bool {
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

// force charges n bytes whatever the limit: a ring found on disk takes
// the space it already has.
func (b *Budget) force(n int64) { b.used.Add(n) }

func (b *Budget) give(n int64) { b.used.Add(-n) }
