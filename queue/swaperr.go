package queue

import (
	"errors"
	"time"

	"github.com/purezmq/purezmq/swapfile"
)

// SwapError is what a Budget's error handler receives when a pipe's swap
// failed to store a message for a reason other than the budget: the file
// system is full (errors.Is(err, swapfile.ErrDiskFull), and the system's
// ENOSPC or EDQUOT beneath) or a write failed. The message met the pipe's
// mute action.
type SwapError struct {
	Key string // the pipe's retention key ("" for an anonymous pipe)
	Err error
	// DiskFull and IOErrors are the budget's totals so far, this one
	// included.
	DiskFull, IOErrors uint64
}

func (e *SwapError) Error() string {
	what := "swap write failed"
	if errors.Is(e.Err, swapfile.ErrDiskFull) {
		what = "swap disk full"
	}
	return what + " (pipe " + quoteKey(e.Key) + "): " + e.Err.Error()
}

func (e *SwapError) Unwrap() error { return e.Err }

func quoteKey(k string) string {
	if k == "" {
		return "anonymous"
	}
	b := []byte{'"'}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 0x20 || c >= 0x7f || c == '"' {
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}

// alertEvery bounds how often a Budget's error handler is called while the
// swap keeps failing: a full disk refuses every spill, and one report a
// second (with the running counts) says as much as thousands.
const alertEvery = time.Second

// SetErrorHandler makes the budget call f (without any pipe's lock held)
// when a swap write fails for want of disk space or an I/O error: at the
// first failure, then at most once a second while failures go on. Set it
// before the budget is given to any pipe.
func (b *Budget) SetErrorHandler(f func(err *SwapError)) {
	b.errMu.Lock()
	b.onError = f
	b.errMu.Unlock()
}

// DiskFull returns how many spills the file system refused for want of
// space: the disk, not the budget, was the limit.
func (b *Budget) DiskFull() uint64 { return b.diskFull.Load() }

// IOErrors returns how many spills failed for another I/O error.
func (b *Budget) IOErrors() uint64 { return b.ioErrors.Load() }

// LastError returns the last swap write failure (nil if none).
func (b *Budget) LastError() error {
	b.errMu.Lock()
	defer b.errMu.Unlock()
	return b.lastErr
}

// noteError counts a failed spill and tells the handler, rate limited. It
// is called without the pipe's lock.
func (b *Budget) noteError(key string, err error) {
	if errors.Is(err, swapfile.ErrDiskFull) {
		b.diskFull.Add(1)
	} else {
		b.ioErrors.Add(1)
	}
	now := time.Now().UnixNano()
	b.errMu.Lock()
	b.lastErr = err
	f := b.onError
	if f == nil || now < b.nextAlert {
		b.errMu.Unlock()
		return
	}
	b.nextAlert = now + int64(alertEvery)
	b.errMu.Unlock()
	f(&SwapError{Key: key, Err: err, DiskFull: b.diskFull.Load(), IOErrors: b.ioErrors.Load()})
}
