package swapfile

import (
	"errors"
	"fmt"
	"net"
	"os"
)

var (
	// ErrFull is returned by Append when the record does not fit in the
	// free space now; it may fit after Pop.
	ErrFull = errors.New("swapfile: ring full")
	// ErrEmpty is returned by Peek, Pop and Discard on an empty ring.
	ErrEmpty = errors.New("swapfile: ring empty")
	// ErrRange is returned by PeekAt for an index outside [0, Len()).
	ErrRange = errors.New("swapfile: record index out of range")
	// ErrCorrupt is wrapped by every error about damaged file contents
	// (see *HeaderError and *RecordError).
	ErrCorrupt = errors.New("swapfile: corrupt ring file")
	// ErrTooLarge is returned by Append for a record that can never fit:
	// 16+len(record) exceeds the capacity, or the record exceeds
	// MaxRecordSize.
	ErrTooLarge = errors.New("swapfile: record too large for ring")
	// ErrLocked is returned by Open when another Ring (in this or another
	// process) has the file open.
	ErrLocked = errors.New("swapfile: ring file in use")
	// ErrClosed is returned by every operation on a closed Ring. It
	// satisfies errors.Is(err, net.ErrClosed) and errors.Is(err,
	// os.ErrClosed), so callers can treat it like any closed resource.
	ErrClosed error = closedError{}
)

type closedError struct{}

func (closedError) Error() string { return "swapfile: ring closed" }

func (closedError) Is(target error) bool {
	return target == net.ErrClosed || target == os.ErrClosed
}

// HeaderError reports a file whose header cannot be used: neither slot is
// valid, or the file is too short to hold a header. It wraps ErrCorrupt.
type HeaderError struct {
	Path   string
	Reason string
	// Blank is set when the header area is all zeros: the file was
	// created but never initialised (Create was interrupted).
	Blank bool
}

func (e *HeaderError) Error() string {
	return fmt.Sprintf("swapfile: %s: bad header: %s", e.Path, e.Reason)
}

func (e *HeaderError) Unwrap() error { return ErrCorrupt }

// RecordError reports a damaged record met by Peek or Pop in a running
// ring (the file was changed under it). It wraps ErrCorrupt. The ring stays
// usable: Reset empties it.
type RecordError struct {
	Offset int64  // offset of the record in the data area
	Seq    uint64 // sequence number expected there
	Reason string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("swapfile: corrupt record %d at data offset %d: %s", e.Seq, e.Offset, e.Reason)
}

func (e *RecordError) Unwrap() error { return ErrCorrupt }
