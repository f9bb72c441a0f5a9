package queue

import (
	"errors"
	"time"

	"github.com/purezmq/purezmq/swapfile"
)

// Spiller is the on-disk ring of records a pipe spills to. *swapfile.Ring
// satisfies it; tests use an in-memory fake.
type Spiller interface {
	AppendV(parts ...[]byte) error
	PeekInto(dst []byte) ([]byte, error)
	Discard() error
	Len() int
	Used() int64
	Sync() error
	Close() error
	Remove() error
}

// SpillReaderAt is implemented by a Spiller that can read the record i
// places behind the front without removing anything. A write-through pipe
// needs it to read ahead: its ring keeps every unconfirmed message, so the
// record to load next is not the front one. Without it a write-through
// pipe whose backlog outgrew memory loads one message at a time, each
// only after the previous one was committed.
type SpillReaderAt interface {
	PeekAt(i int, dst []byte) ([]byte, error)
}

// The real ring reads ahead; a change of either signature must not quietly
// turn write-through back into one message per Commit.
var _ SpillReaderAt = (*swapfile.Ring)(nil)

// recInfo remembers a write-through record held in memory or in flight.
type recInfo struct {
	size int64  // bytes in the ring, overhead included
	seq  uint64 // its sequence number, for the ack file
}

// recordOverhead is what the ring adds to each record (its header); it is
// charged to the budget with the record.
const recordOverhead = 16

// defaultReadAhead is how many messages a pipe without HWM loads from its
// swap at a time.
const defaultReadAhead = 1000

// DefaultRingCapacity is the data size of a pipe's ring file when neither
// SwapConfig.RingCapacity nor a budget says otherwise. With a budget the
// ring starts at 64 KiB (less for a budget under 1 MiB) and grows within
// the budget's limit.
const DefaultRingCapacity = 64 << 20

// SwapConfig gives a pipe a disk swap.
//
// Without WriteThrough (spill mode) memory holds up to HWM messages; a
// push that finds memory full, or finds messages already on disk (order is
// kept), is appended to the pipe's ring instead, and Pop refills memory
// from the ring as the reader drains. The mute action applies only when
// the swap refuses: budget spent, ring full, I/O error.
//
// With WriteThrough every push is appended to the ring first and memory
// holds a read-ahead window of at most HWM of those messages. A message
// leaves the ring only when Commit confirms it was written out. See
// Commit for the exact guarantee.
type SwapConfig struct {
	Dir    string  // where ring files live (see CheckDir)
	Budget *Budget // shared by the socket's pipes; nil: only ring capacity limits
	// RingCapacity fixes the data bytes of each ring file; 0: with a
	// Budget, rings start small and grow within it (their files' total
	// bounded by the budget's limit), without one DefaultRingCapacity.
	RingCapacity int64
	WriteThrough bool
	Options      swapfile.Options // sync policy of the ring files
	// Open creates a pipe's ring at path; nil uses swapfile.Create. Tests
	// plug in fakes here.
	Open func(path string, capacity int64) (Spiller, error)
}

// growable reports whether the pipe's ring starts small and grows within
// the budget's disk share (a budget and no fixed RingCapacity).
func (c *SwapConfig) growable() bool { return c.RingCapacity <= 0 && c.Budget != nil }

func (c *SwapConfig) capacity() int64 {
	switch {
	case c.RingCapacity > 0:
		return c.RingCapacity
	case c.Budget != nil:
		return c.Budget.initialRingCapacity()
	}
	return DefaultRingCapacity
}

// ringOptions are the ring files' options: a growable ring is charged to
// the budget's disk share.
func (c *SwapConfig) ringOptions() swapfile.Options {
	o := c.Options
	if c.growable() {
		o.Budget = c.Budget.disk
	}
	return o
}

func (c *SwapConfig) open(path string) (Spiller, error) {
	if c.Open != nil {
		return c.Open(path, c.capacity())
	}
	r, err := swapfile.Create(path, c.capacity(), c.ringOptions())
	if err != nil {
		return nil, err
	}
	return r, nil
}

// openRewrite creates the ring that Persist rewrites a backlog into. A
// growable one has a budget of its own, without limit: it holds what the
// pipe's ring holds (charged to the socket's budget until it is removed)
// plus what was in memory, only for the moment of the rewrite.
func (c *SwapConfig) openRewrite(path string) (Spiller, error) {
	if !c.growable() || c.Open != nil {
		return c.open(path)
	}
	o := c.Options
	o.Budget = swapfile.NewBudget(0)
	return swapfile.Create(path, c.capacity(), o)
}

// swapState is a pipe's swap, owned by the pipe and guarded by its lock.
//
// Spill mode: the pipe's messages are memory (oldest) then ring (newest);
// n counts the ring's records.
//
// Write-through mode: the ring holds, in order, inflight popped messages
// awaiting Commit, the messages also held in memory, and n messages held
// only on disk.
//
// Ownership runs one way: the pipe calls the swap, never the reverse. The
// swap holds no pointer to its pipe; the pipe's memory part is passed to
// the methods that fill it or depend on it (push, refill, canRefill), and
// what the pipe alone decides (whether it is closed, whom the budget
// wakes) stays in the pipe's methods. The swap only adds to the pipe's
// counters, through st.
type swapState struct {
	cfg      SwapConfig
	key      string    // the pipe's retention key: names a keyed ring
	st       *counters // the owning pipe's counters
	ring     Spiller
	path     string
	ack      *ackFile // write-through keyed rings: last committed sequence number
	n        int      // records only on disk
	bytes    int64    // their record bytes (payload plus frame table)
	reserved int64    // budget bytes held by the ring's records
	freed    int64    // budget bytes given up under the lock, released after it
	inflight int
	recs     fifo[recInfo] // write-through: inflight+memory records, oldest first
	seq      uint64        // sequence number of the last record written
	skipSeq  uint64        // records up to this one were committed before a crash
	blocked  bool          // the swap refused a push; cleared when space frees
	// releasesSeen is the budget's release count before the last push
	// tried to reserve (see waitBudgetLocked).
	releasesSeen uint64
	waiting      bool      // registered with the budget for a wake-up
	err          error     // sticky read failure: the disk backlog is lost
	report       error     // a write failure for the budget's handler, told after the lock
	fullUntil    time.Time // the disk refused to grow the ring: until then, don't ask again
	hdr          []byte    // scratch record header
	parts        [][]byte  // scratch AppendV arguments
	rbuf         []byte    // scratch record read buffer
}

func newSwapState(cfg SwapConfig, key string, st *counters) *swapState {
	return &swapState{cfg: cfg, key: key, st: st}
}

// push takes msg into mem (the pipe's memory part) or the swap; false
// means refused.
func (s *swapState) push(msg [][]byte, mem *memQueue) bool {
	if !s.cfg.WriteThrough {
		if s.n == 0 && !mem.full() {
			mem.push(msg)
			return true
		}
		size, ok := s.append(msg)
		if !ok {
			return false
		}
		s.n++
		s.bytes += size - recordOverhead
		return true
	}
	size, ok := s.append(msg)
	if !ok {
		return false
	}
	if s.n == 0 && !mem.full() {
		mem.push(msg)
		s.recs.push(recInfo{size, s.seq})
	} else {
		s.n++
		s.bytes += size - recordOverhead
	}
	return true
}

// append writes msg as one record, charging the budget; it returns the
// record's size in the ring.
func (s *swapState) append(msg [][]byte) (int64, bool) {
	st := s.st
	s.hdr = appendRecordHeader(s.hdr[:0], s.seq+1, msg)
	size := int64(len(s.hdr)) + msgBytes(msg) + recordOverhead
	b := s.cfg.Budget
	if b != nil {
		s.releasesSeen = b.releases.Load()
	}
	if s.diskFullFor(size) {
		st.spillRefused++
		st.diskFull++
		s.blocked = true
		if b != nil {
			b.diskFull.Add(1)
		}
		return 0, false
	}
	if b != nil && !b.reserve(size) {
		return s.refuse(nil)
	}
	if s.ring == nil {
		if err := s.create(); err != nil {
			if b != nil {
				s.freed += size
			}
			if errors.Is(err, swapfile.ErrFull) {
				err = nil // the budget's disk share is spent
			}
			return s.refuse(err)
		}
	}
	s.parts = append(append(s.parts[:0], s.hdr), msg...)
	err := s.ring.AppendV(s.parts...)
	clear(s.parts) // do not keep the caller's buffers alive
	if err != nil {
		if b != nil {
			s.freed += size
		}
		if errors.Is(err, swapfile.ErrFull) || errors.Is(err, swapfile.ErrTooLarge) {
			err = nil
		}
		return s.refuse(err)
	}
	s.seq++
	s.reserved += size
	st.spilled++
	return size, true
}

func (s *swapState) refuse(ioErr error) (int64, bool) {
	s.st.spillRefused++
	if ioErr != nil {
		s.st.swapErrors++
		if errors.Is(ioErr, swapfile.ErrDiskFull) {
			s.st.diskFull++
			s.fullUntil = time.Now().Add(diskFullBackoff)
		}
		s.report = ioErr
	}
	s.blocked = true
	return 0, false
}

// canRefill reports whether a message can be loaded from disk into mem
// now.
func (s *swapState) canRefill(mem *memQueue) bool {
	if s.n == 0 || s.ring == nil || s.err != nil {
		return false
	}
	if !s.cfg.WriteThrough || s.inflight+mem.len() == 0 {
		return true
	}
	_, ok := s.ring.(SpillReaderAt)
	return ok
}

// refill loads messages from disk until mem holds target of them.
func (s *swapState) refill(mem *memQueue, target int) {
	for mem.len()+mem.held < target && s.canRefill(mem) {
		idx := s.inflight + mem.len()
		var rec []byte
		var err error
		switch {
		case !s.cfg.WriteThrough || idx == 0:
			rec, err = s.ring.PeekInto(s.rbuf[:0])
		default:
			rec, err = s.ring.(SpillReaderAt).PeekAt(idx, s.rbuf[:0])
		}
		if err != nil {
			s.fail(err)
			return
		}
		if cap(rec) <= 1<<20 {
			s.rbuf = rec[:0] // keep a modest read buffer for the next record
		}
		size := int64(len(rec)) + recordOverhead
		seq, msg, derr := decodeRecord(rec)
		s.n--
		s.bytes -= int64(len(rec))
		if derr == nil && seq > s.skipSeq {
			s.seq = max(s.seq, seq)
		}
		if s.cfg.WriteThrough && idx != 0 && derr != nil {
			// Only the front record can be removed: a damaged record
			// further on ends what can be read.
			s.n++
			s.bytes += int64(len(rec))
			s.fail(derr)
			return
		}
		if !s.cfg.WriteThrough || derr != nil || seq <= s.skipSeq {
			// The record leaves the ring now: spill mode hands it to
			// memory; a corrupt record, or one committed before a
			// crash, is dropped.
			if err := s.ring.Discard(); err != nil {
				s.fail(err)
				return
			}
			s.reserved -= size
			s.freed += size
			if derr != nil {
				s.st.swapErrors++
				s.st.lost++
				continue
			}
			if seq <= s.skipSeq {
				continue
			}
		} else {
			s.recs.push(recInfo{size, seq})
		}
		mem.push(msg)
		s.st.refilled++
	}
}

// fail gives up on the disk backlog after a read error.
func (s *swapState) fail(err error) {
	s.err = err
	s.st.swapErrors++
	s.st.lost += uint64(s.n)
	s.n, s.bytes = 0, 0
}

// popped accounts for k messages handed to the reader.
func (s *swapState) popped(k int) {
	if s.cfg.WriteThrough {
		s.inflight += k
	}
}

func (s *swapState) unblock() { s.blocked = false }

// waitBudgetLocked asks the budget to wake this pipe when space is
// released. It reports whether space was released since the refused push
// looked at the budget: that release found no waiter to wake, so the
// caller must not wait for another one. Registering first and checking
// after closes the window: a release either sees the waiter or is seen
// here. It is the pipe's method, not the swap's: the pipe is what the
// budget wakes (budgetFreed).
func (p *Pipe) waitBudgetLocked() bool {
	s := p.sw
	b := s.cfg.Budget
	if b == nil {
		return false
	}
	if !s.waiting {
		s.waiting = true
		b.addWaiter(p)
	}
	return b.releases.Load() != s.releasesSeen
}

// budgetFreed is the budget's wake-up call.
func (p *Pipe) budgetFreed() {
	p.mu.Lock()
	p.sw.waiting = false
	var notify func()
	if p.sw.blocked {
		p.sw.blocked = false
		notify = p.wakeWritableLocked()
	}
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// empty reports whether nothing is left for the ring to hold, mem being
// the pipe's memory part (in write-through mode, copies of ring records).
func (s *swapState) empty(mem *memQueue) bool {
	return s.n == 0 && s.inflight == 0 && (!s.cfg.WriteThrough || mem.len() == 0)
}

// releaseDrainedRingLocked removes the ring of a closed pipe once it holds
// nothing anyone will read. An open pipe keeps its ring for the next
// spill; only the pipe knows which it is, so the check is its own.
func (p *Pipe) releaseDrainedRingLocked() {
	if s := p.sw; s != nil && p.closed && s.ring != nil && s.empty(&p.mem) {
		s.dropRing()
	}
}

// dropRing removes the ring file and gives its space back.
func (s *swapState) dropRing() {
	if s.ring != nil {
		if err := s.ring.Remove(); err != nil {
			s.st.swapErrors++
		}
		s.ring = nil
	}
	if s.ack != nil {
		s.ack.remove()
		s.ack = nil
	}
	s.freed += s.reserved
	s.reserved = 0
}

// takeReport returns the write failure to tell the budget about, if any;
// the caller tells it after dropping the pipe's lock (noteError).
func (p *Pipe) takeReportLocked() error {
	if p.sw == nil || p.sw.report == nil {
		return nil
	}
	err := p.sw.report
	p.sw.report = nil
	return err
}

func (p *Pipe) noteSwapError(err error) {
	if err != nil && p.sw.cfg.Budget != nil {
		p.sw.cfg.Budget.noteError(p.cfg.Key, err)
	}
}

// diskFullBackoff is how long a pipe whose ring the file system refused to
// grow stops asking it for more: every refused growth costs a failed
// fallocate (on tmpfs, a page allocation undone), and a publisher facing a
// full disk would pay it for every message.
const diskFullBackoff = 100 * time.Millisecond

// diskFullFor reports whether a record of size bytes must be refused
// without trying: the disk refused growth moments ago and the ring has no
// free room for it. Counted as disk full, not told to the handler again.
func (s *swapState) diskFullFor(size int64) bool {
	if s.fullUntil.IsZero() {
		return false
	}
	if time.Now().After(s.fullUntil) {
		s.fullUntil = time.Time{}
		return false
	}
	r, ok := s.ring.(interface{ Free() int64 })
	return ok && r.Free() < size
}
