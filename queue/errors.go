package queue

import (
	"errors"
	"fmt"
	"net"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrFull is returned when a pipe is at its high-water mark (and its
	// swap, if any, cannot take the message) and the mute action is Block
	// (from TryPush) or Fail.
	ErrFull = errors.New("queue: pipe full")
	// ErrDropped is returned when the Drop mute action discarded the
	// message. The drop is counted in Stats.Dropped.
	ErrDropped = errors.New("queue: message dropped at high-water mark")
	// ErrClosed is returned by pushes on a closed pipe and by a closed
	// Retainer. It satisfies errors.Is(err, net.ErrClosed).
	ErrClosed = fmt.Errorf("queue: pipe closed: %w", net.ErrClosed)
	// ErrCorruptRecord is wrapped by errors about a swap record that does
	// not decode to a message.
	ErrCorruptRecord = errors.New("queue: corrupt swap record")
	// ErrSwapDir is wrapped by CheckDir's errors about an unusable swap
	// directory.
	ErrSwapDir = errors.New("queue: swap directory unusable")
	// ErrCommitRange is returned by Commit with a count larger than
	// the number of popped, uncommitted messages.
	ErrCommitRange = errors.New("queue: commit beyond popped messages")
)
