// Counters the socket keeps and the Stats snapshot.

package socket

func (s *Socket) notePeak(b int64) {
	for {
		old := s.peakBytes.Load()
		if b <= old || s.peakBytes.CompareAndSwap(old, b) {
			return
		}
	}
}

// countDrops records n messages dropped at a high-water mark, with a monitor
// event at the first drop and at every power of two after it, so a flood of
// drops is visible without flooding the monitor.
func (s *Socket) countDrops(n int) {
	if n <= 0 {
		return
	}
	for i := 0; i < n; i++ {
		t := s.dropped.Add(1)
		if t&(t-1) == 0 {
			s.emit(Event{Kind: EventDropped, Err: &DropError{Total: t}})
		}
	}
}

// Stats are a socket's counters.
type Stats struct {
	Sent, Received  uint64 // messages through Send and Recv
	Dropped         uint64 // messages dropped at a high-water mark or unroutable
	Peers           int    // attached peers (including connect endpoints awaiting a connection)
	Queued          int    // messages waiting in outbound pipes
	QueuedBytes     int64  // their payload bytes
	InQueued        int    // messages waiting in inbound pipes
	PeakQueuedBytes int64  // the largest backlog one outbound pipe has held
	SwappedBytes    int64  // swap space held now by outbound pipes (WithSwap)
	Spilled         uint64 // messages that went through the swap (of pipes still held)
	SpillRefused    uint64 // messages the swap could not take (budget spent, disk full): the mute action applied
	SwapDiskBytes   int64  // bytes the swap's ring files take on disk (WithSwap), within its budget
	SwapDiskFull    uint64 // spills the file system refused for want of space (ENOSPC, EDQUOT)
	SwapIOErrors    uint64 // spills that failed for another I/O error
	SwapLastError   error  // the last of those failures (nil if none)
	Retained        int    // departed peers kept under their key (WithRetention)
	MonitorDropped  uint64 // monitor events lost to a full Monitor channel
	LingerDropped   uint64 // queued messages Close discarded when linger ran out

	// Acknowledged delivery (WithAckedDelivery).
	AckConnections uint64 // connections that negotiated it (with purezmq peers only)
	Unacked        int    // messages written and awaiting the receiver's acknowledgement
	Resent         uint64 // unacknowledged messages put back for a later connection after a cut
	AckDuplicates  uint64 // repeated messages this receiver dropped (it had them already)
}

// Stats returns the socket's counters.
func (s *Socket) Stats() Stats {
	st := Stats{
		Sent:           s.sent.Load(),
		Received:       s.received.Load(),
		Dropped:        s.dropped.Load(),
		MonitorDropped: s.monDropped.Load(),
		LingerDropped:  s.lingerDropped.Load(),
		AckConnections: s.ackConns.Load(),
		AckDuplicates:  s.ackDups.Load(),
	}
	s.mu.Lock()
	peers := make([]*peer, 0, len(s.peers))
	for p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	st.Peers = len(peers)
	peak := s.peakBytes.Load()
	for _, p := range peers {
		os := p.out.Stats()
		st.Queued += os.Queued
		st.QueuedBytes += os.Bytes
		peak = max(peak, os.PeakBytes)
		st.SwappedBytes += os.SwapUsed
		st.Spilled += os.Spilled
		st.SpillRefused += os.SpillRefused
		st.InQueued += p.in.Len()
		st.Unacked += os.Unacked
		st.Resent += os.Requeued
	}
	st.PeakQueuedBytes = peak
	st.Retained = s.retained()
	s.swapStats(&st)
	return st
}
