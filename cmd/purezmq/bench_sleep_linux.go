package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// sleepPrecise returns a sleep for remote_latdist's sender, which must be
// on a locked OS thread. It blocks that thread in nanosleep, which the
// kernel wakes within microseconds, where a runtime timer may fire a
// millisecond late; and it sets the thread's timer slack to 1 ns (default
// 50 us, by which the kernel may delay a wake-up to batch it with others),
// as zmqperf.c does for its own wait.
func sleepPrecise() func(time.Duration) {
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0) // best effort: only precision is at stake
	return func(d time.Duration) {
		ts := unix.NsecToTimespec(d.Nanoseconds())
		for unix.Nanosleep(&ts, &ts) == unix.EINTR {
		}
	}
}
