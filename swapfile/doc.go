// Package swapfile is a ring of opaque records kept in one file, of fixed
// capacity or growing within a shared byte budget, built to survive the
// death of the process that writes it.
//
// It is the storage under a pipe's disk swap: when a pipe reaches its
// high-water mark it spills messages here, and the drain reads them back in
// order. The package knows nothing about messages; a record is a byte slice.
//
// # File layout
//
// A ring file is a 4 KiB header area followed by Cap() bytes of data area.
// The header area holds two header slots (at offsets 0 and 2048, so that a
// torn sector can damage at most one of them). Each slot carries magic,
// version, capacity, head, tail, used bytes, record count, the sequence
// number of the head record, a generation counter and a CRC-32C. Header
// writes alternate between the slots; on open the valid slot with the
// higher generation wins, so an interrupted header write falls back to the
// previous header, never to nothing (the bbolt meta-page scheme).
//
// A record is a 16-byte record header followed by its payload:
//
//	0  uint32 LE  payload length
//	4  uint32 LE  CRC-32C (Castagnoli) of bytes 0:4, 8:16 and the payload
//	8  uint64 LE  sequence number
//
// Records are laid end to end in the data area and simply continue at its
// start when they reach its end: a record (even its 16-byte header) may be
// split at the boundary. There is no wrap marker and no padding, so the
// whole capacity is usable and a record fits if and only if 16+len(payload)
// is at most the free space.
//
// # Recovery
//
// The header is written lazily (on Sync, Close, at sync points of the
// policy, and when space freed by Pop must be reused), so after a crash it
// can lag the data in both directions: records appended after it was
// written lie beyond its tail, and records popped after it was written lie
// after its head. Open therefore scans the chain of records starting at the
// header's head and accepts a record only if its length fits, its CRC
// matches and its sequence number is exactly one more than the previous
// one. Sequence numbers grow for the life of the file and are never reused,
// so stale bytes from earlier laps of the ring, which carry older numbers,
// end the scan. As a second guard every Append also zeroes the 16 bytes
// after its record (when they are free), so the chain always ends at a
// blank record header even after a recovery cut it short and older, still
// valid-looking records lie further on.
//
// Consequences, which callers should know:
//   - Append is never lost to a process crash (kill -9, panic) once it has
//     returned, whatever the sync policy: pwrite has put it in the page
//     cache, and the scan finds it. Surviving power loss needs SyncAlways
//     (every record) or the bounded windows of SyncEveryN and SyncInterval.
//   - Pop is at-least-once across a crash: records popped since the last
//     header write can reappear at the front after recovery. A clean Close
//     loses nothing and repeats nothing.
//   - Space freed by Pop is not overwritten until a header recording the
//     new head has been written (and, for every policy other than SyncNone,
//     made durable), so the scan from a stale head always finds intact
//     records.
//
// # Reading ahead
//
// Pop, Peek and Discard work on the front record. PeekAt reads the record
// i places behind it without removing anything, for a reader that must
// keep records in the ring until they are confirmed (a write-through
// pipe). It remembers where the last record it read ended, so reading
// records in order costs one record header each, not a walk from the front.
//
// # I/O
//
// Data is written with pwrite ((*os.File).WriteAt) into a file whose blocks
// were preallocated with fallocate where the system has it (at Create and
// at each growth); nothing is
// ever written through a memory mapping, because storing into a sparse
// mapped page on a full disk raises SIGBUS, which a Go program cannot
// recover from. Reads go through a read-only shared mmap of the file on
// unix systems; the mapping is windowed when the file is larger than the
// per-architecture limit (see limits_32bit.go), and other systems read with
// pread.
//
// # Growth, disk full and word size
//
// With Options.Budget a ring starts at the capacity given to Create and
// grows (at least doubling, page-rounded) when an Append does not fit,
// while the Budget, shared by all the rings of one socket, has room; a
// ring drained empty shrinks back. The growth is crash-safe at every step:
// the file is extended first, records that wrap around the old end are
// made contiguous by copying the shorter piece beyond the old end, and only
// then does a header name the new capacity (grow.go). The bytes mapped by
// all rings of a process are bounded too (maxMappedTotal: 512 MiB on
// 32-bit); a ring over the bound reads with pread.
//
// A full disk (ENOSPC, EDQUOT) on a write, a growth or Create is a
// *DiskFullError (errors.Is ErrDiskFull and the system's errno). Append is
// all or nothing: a refused record leaves the ring as it was, and a growth
// the disk refuses is retried with smaller steps down to what the record
// needs, so what fits is kept.
//
// A sound ring this build cannot use, a record over MaxRecordSize or a
// capacity over MaxCapacity (a 64-bit build's ring opened by a 32-bit
// one), is refused with an *ArchLimitError (ErrArchLimit, not ErrCorrupt)
// and never written to, so the build that wrote it still reads it all.
//
// # Concurrency
//
// A Ring is safe for concurrent use: every operation takes one mutex, so a
// writer goroutine and a reader goroutine may share it. Len, Used, Free and
// Cap read atomics and never block. The package starts no goroutines; the
// SyncInterval policy is checked on Append.
//
// On unix the file is locked with flock while a Ring has it open, so a
// second Open of the same file, in this or another process, fails with
// ErrLocked instead of corrupting it.
package swapfile
