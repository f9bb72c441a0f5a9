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
	// ErrArchLimit is wrapped by *ArchLimitError: a sound ring this build
	// cannot use because it exceeds the limits of its word size.
	ErrArchLimit = errors.New("swapfile: ring exceeds this build's limits")
	// ErrDiskFull is wrapped by *DiskFullError: the file system refused
	// the space a write or an allocation needed.
	ErrDiskFull = errors.New("swapfile: no space left on device")
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

// ArchLimitError reports a ring that is intact but holds more than this
// build can handle: a record over MaxRecordSize (written by a 64-bit
// build, read by a 32-bit one) or a capacity over MaxCapacity. Open refuses
// such a file without writing to it, so the build that wrote it can still
// read every record. It wraps ErrArchLimit, not ErrCorrupt.
type ArchLimitError struct {
	Path   string
	What   string // "record" or "capacity"
	Offset int64  // data offset of the record (What == "record")
	Seq    uint64 // its sequence number
	Size   uint64 // the record's payload length or the ring's capacity
	Limit  uint64 // this build's limit for it
}

func (e *ArchLimitError) Error() string {
	where := e.Path
	if where == "" {
		where = "ring"
	}
	if e.What == "capacity" {
		return fmt.Sprintf("swapfile: %s: capacity %d exceeds the limit of %d of this build (%d-bit); the file was left unchanged for a build that allows it",
			where, e.Size, e.Limit, wordBits)
	}
	return fmt.Sprintf("swapfile: %s: record %d at data offset %d holds %d bytes, over the limit of %d of this build (%d-bit); the file was left unchanged for a build that allows it",
		where, e.Seq, e.Offset, e.Size, e.Limit, wordBits)
}

func (e *ArchLimitError) Unwrap() error { return ErrArchLimit }

// DiskFullError reports that the file system ran out of space while a ring
// wrote a record, extended its file or created it. The operation was not
// done (an Append is all or nothing) and the ring stays valid with the
// records it had. It matches ErrDiskFull and unwraps to the system's error
// (errors.Is(err, syscall.ENOSPC) or EDQUOT).
type DiskFullError struct {
	Path string
	Op   string // "write", "allocate", "grow"
	Want int64  // bytes the operation needed
	Err  error  // the system's error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("swapfile: %s: %s of %d bytes: %v", e.Path, e.Op, e.Want, e.Err)
}

func (e *DiskFullError) Unwrap() error { return e.Err }

func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }
