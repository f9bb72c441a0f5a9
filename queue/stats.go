package queue

// counters are a pipe's running totals, guarded by the pipe's lock.
type counters struct {
	pushed, popped, dropped, hwmHits uint64
	spilled, refilled, spillRefused  uint64
	swapErrors, lost, discarded      uint64
	committed, conflated, diskFull   uint64
	acked, requeued                  uint64
}

// Stats are a pipe's counters, so that no drop or refusal is silent.
type Stats struct {
	Queued      int   // messages in the pipe now, in memory and in the swap
	Bytes       int64 // payload bytes of those (swap part approximate after recovery)
	MemQueued   int   // messages held in memory
	MemBytes    int64 // payload bytes held in memory
	SwapQueued  int   // messages only on disk
	SwapUsed    int64 // bytes of swap space held, including popped uncommitted records
	Uncommitted int   // popped messages still in a write-through ring, awaiting Commit

	Pushed    uint64 // messages accepted
	Popped    uint64 // messages handed to the reader
	Dropped   uint64 // messages discarded by the Drop mute action
	HWMHits   uint64 // pushes that met the mute action (dropped or refused)
	PeakBytes int64  // highest MemBytes seen: the memory the pipe really used

	Spilled      uint64 // messages written to the swap
	Refilled     uint64 // messages read back from the swap
	SpillRefused uint64 // pushes the swap could not take (budget spent, ring full, I/O error)
	SwapErrors   uint64 // swap I/O errors (each also counted where it hurt)
	SwapDiskFull uint64 // of SpillRefused: the file system had no room (ENOSPC, EDQUOT)
	SwapDisk     int64  // bytes of the pipe's ring file data area (what it takes on disk)
	Lost         uint64 // accepted messages lost to swap corruption or I/O errors
	Discarded    uint64 // queued messages thrown away by Discard
	Committed    uint64 // write-through messages confirmed by Commit
	Conflated    uint64 // messages replaced by a newer one (Config.Conflate)
	Unacked      int    // popped messages awaiting the receiver's acknowledgement
	Acked        uint64 // messages the receiver acknowledged (PopBatchKeep, Ack)
	Requeued     uint64 // unacknowledged messages put back by Requeue after a cut
}

// Stats returns the pipe's counters.
func (p *Pipe) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &p.st
	s := Stats{
		MemQueued: p.mem.len(), MemBytes: p.mem.bytes,
		Pushed: c.pushed, Popped: c.popped, Dropped: c.dropped, HWMHits: c.hwmHits,
		PeakBytes: p.mem.peak, Spilled: c.spilled, Refilled: c.refilled,
		SpillRefused: c.spillRefused, SwapErrors: c.swapErrors, Lost: c.lost,
		Discarded: c.discarded, Committed: c.committed, Conflated: c.conflated, SwapDiskFull: c.diskFull,
		Unacked: p.unackedLocked(), Acked: c.acked, Requeued: c.requeued,
	}
	s.Queued, s.Bytes = p.mem.len(), p.mem.bytes
	if p.sw != nil {
		s.SwapQueued = p.sw.n
		s.SwapUsed = p.sw.reserved
		s.Uncommitted = p.sw.inflight
		if r, ok := p.sw.ring.(interface{ Cap() int64 }); ok && p.sw.ring != nil {
			s.SwapDisk = r.Cap()
		}
		s.Queued += p.sw.n
		s.Bytes += p.sw.bytes
	}
	return s
}
