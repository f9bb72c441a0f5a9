package socket

import "github.com/purezmq/purezmq/queue"

// swapFailed is the swap budget's error handler: a full disk or a failed
// write turned messages away (they met the mute action). It is called at
// the first failure and at most once a second after, with running counts,
// so the log and the monitor say what the disk did without a flood.
func (s *Socket) swapFailed(err *queue.SwapError) {
	s.log.Warn("swap cannot store messages; the mute action applies",
		"key", err.Key, "err", err.Err, "disk_full", err.DiskFull, "io_errors", err.IOErrors)
	s.emit(Event{Kind: EventSwapFailed, Peer: err.Key, Err: err})
}

// swapStats fills the swap's disk figures of st.
func (s *Socket) swapStats(st *Stats) {
	b := s.budget
	if b == nil {
		return
	}
	st.SwapDiskBytes = b.Disk().Used()
	st.SwapDiskFull = b.DiskFull()
	st.SwapIOErrors = b.IOErrors()
	st.SwapLastError = b.LastError()
}
