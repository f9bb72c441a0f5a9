package swapfile

import (
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Ring is an open ring file. See the package documentation for the format
// and the guarantees. All methods are safe for concurrent use.
type Ring struct {
	mu       sync.Mutex
	f        *os.File
	st       storage // writes and size changes of f
	rd       reader
	path     string
	opts     Options
	log      *slog.Logger
	capacity int64

	// Ring state, guarded by mu. head/tail are data-area offsets.
	head, tail int64
	headSeq    uint64 // sequence number of the record at head
	nextSeq    uint64 // sequence number the next Append gets
	gen        uint64 // generation of the last header written

	// protHead is the head recorded by the last completed header write
	// (made durable under every policy but SyncNone), and popped the
	// bytes between it and head. Recovery may restart from protHead, so
	// those bytes must not be overwritten until a header write moves it.
	protHead int64
	popped   int64

	sinceSync int       // appends since the last sync point (SyncEveryN)
	lastSync  time.Time // time of the last sync point (SyncInterval)
	wbuf      []byte    // scratch for building a record before one pwrite
	hbuf      [slotSize]byte
	rbuf      [recordHeaderSize]byte
	cursor    cursor // where the last PeekAt left off

	// Growth (Options.Budget set): charged is what this ring holds of
	// the budget (its capacity), floor the capacity it shrinks back to
	// when drained.
	charged int64
	floor   int64

	// Read without mu by Len, Used and Free.
	count atomic.Int64
	used  atomic.Int64
	capa  atomic.Int64 // capacity, which growth and shrinking change
	// capaGen counts capacity changes, so Free can tell that capa moved
	// between its loads of capa and used (see Free).
	capaGen atomic.Uint64
	closed  atomic.Bool
}

// maxKeptBuffer bounds the scratch buffer kept between Appends, so one huge
// record does not pin its size in memory for the life of the ring.
const maxKeptBuffer = 4 << 20

// Create makes a new ring file at path with capacity bytes of data area
// (the file is 4 KiB larger). It fails with an error satisfying
// errors.Is(err, fs.ErrExist) if the file exists: an existing ring is
// never truncated by accident, use Open or OpenOrCreate. The file's blocks
// are preallocated where the system supports it.
func Create(path string, capacity int64, opts Options) (*Ring, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if capacity < MinCapacity || capacity > MaxCapacity {
		return nil, fmt.Errorf("swapfile: capacity %d out of range [%d, %d]", capacity, MinCapacity, int64(MaxCapacity))
	}
	if b := opts.Budget; b != nil && !b.take(capacity) {
		return nil, fmt.Errorf("swapfile: create %s: %d bytes over the budget (%d of %d used): %w", path, capacity, b.Used(), b.Limit(), ErrFull)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		var r *Ring
		if r, err = initFile(f, path, capacity, opts); err == nil {
			r.charged, r.floor = capacity, capacity
			return r, nil
		}
		f.Close()
		os.Remove(path)
	} else {
		err = fmt.Errorf("swapfile: create: %w", err)
	}
	if opts.Budget != nil {
		opts.Budget.give(capacity)
	}
	return nil, err
}

func initFile(f *os.File, path string, capacity int64, opts Options) (*Ring, error) {
	if err := lockFile(f); err != nil {
		return nil, err
	}
	size := headerAreaSize + capacity
	st := newStorage(f)
	if err := st.extend(size); err != nil {
		return nil, ioError(path, "allocate", size, err)
	}
	// Sequence numbers start at 1: a blank (zeroed) record header carries
	// 0 and must never look like the next record.
	h := header{capacity: capacity, headSeq: 1}
	r := newRing(f, st, path, opts, h)
	// Both slots get a valid header, so a damaged slot 0 in a fresh file
	// still leaves a usable one.
	for range 2 {
		if err := r.writeHeader(false); err != nil {
			return nil, err
		}
	}
	if opts.durable() {
		if err := datasync(f); err != nil {
			return nil, fmt.Errorf("swapfile: sync: %w", err)
		}
		syncDir(filepath.Dir(path))
	}
	rd, err := newReader(f, size)
	if err != nil {
		return nil, err
	}
	r.rd = rd
	return r, nil
}

func newRing(f *os.File, st storage, path string, opts Options, h header) *Ring {
	r := &Ring{
		f: f, st: st, path: path, floor: h.capacity, opts: opts, log: opts.logger(), capacity: h.capacity,
		head: h.head, tail: h.tail, headSeq: h.headSeq, nextSeq: h.nextSeq(),
		gen: h.gen, protHead: h.head, lastSync: time.Now(),
	}
	r.count.Store(h.count)
	r.used.Store(h.used)
	r.capa.Store(h.capacity)
	return r
}

// syncDir makes a new directory entry durable. It is best effort: some
// systems cannot open or sync directories, and the ring itself is intact
// either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Append adds one record at the tail. It returns ErrFull if the record
// does not fit in the free space now (for a growable ring: nor after
// growing within the budget), ErrTooLarge if it never can, and a
// *DiskFullError if the file system has no room for it; in every failure
// the ring is left as it was.
// Once Append returns nil the record survives a crash of the process; what
// survives power loss depends on the sync policy. If the write succeeded
// but the policy's sync failed, the record is in the ring and the sync
// error is returned.
func (r *Ring) Append(rec []byte) error {
	parts := [1][]byte{rec}
	return r.appendParts(parts[:])
}

// AppendV adds one record made of the concatenation of parts, without the
// caller having to join them (a multipart message in one record).
func (r *Ring) AppendV(parts ...[]byte) error {
	return r.appendParts(parts)
}

func (r *Ring) appendParts(parts [][]byte) error {
	var total int64
	for _, p := range parts {
		total += int64(len(p))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return ErrClosed
	}
	if total > MaxRecordSize || total > r.maxCapacity()-recordHeaderSize {
		return ErrTooLarge
	}
	need := recordHeaderSize + total
	used := r.used.Load()
	if used+need > r.capacity {
		if r.opts.Budget == nil {
			return ErrFull
		}
		if err := r.grow(used + need); err != nil {
			return err
		}
	}
	if used+r.popped+need > r.capacity {
		// The record needs space freed by Pop; recovery might still start
		// from the old head, so record the new one first.
		if err := r.writeHeader(r.opts.durable()); err != nil {
			return err
		}
	}
	// The bytes after the record are blanked when free, so that a scan
	// never continues into whatever an earlier lap or a cut-off writer
	// left there.
	blank := min(recordHeaderSize, r.capacity-(used+r.popped+need))
	n := int(need + blank)
	if cap(r.wbuf) < n {
		r.wbuf = make([]byte, n)
	}
	buf := r.wbuf[:n]
	putRecordHeader(buf, uint32(total), r.nextSeq)
	crc := recordCRCStart(buf)
	off := recordHeaderSize
	for _, p := range parts {
		crc = crc32.Update(crc, castagnoli, p)
		off += copy(buf[off:], p)
	}
	clear(buf[off:])
	putRecordCRC(buf, crc)
	err := r.writeData(r.tail, buf)
	if cap(r.wbuf) > maxKeptBuffer {
		r.wbuf = nil
	}
	if err != nil {
		r.unwrite()
		return err
	}
	r.tail = (r.tail + need) % r.capacity
	r.nextSeq++
	r.used.Add(need)
	r.count.Add(1)
	return r.afterAppend()
}

// writeData writes b into the data area at pos, wrapping at its end.
func (r *Ring) writeData(pos int64, b []byte) error {
	first := min(int64(len(b)), r.capacity-pos)
	if _, err := r.st.WriteAt(b[:first], headerAreaSize+pos); err != nil {
		return ioError(r.path, "write", int64(len(b)), err)
	}
	if first < int64(len(b)) {
		if _, err := r.st.WriteAt(b[first:], headerAreaSize); err != nil {
			return ioError(r.path, "write", int64(len(b)), err)
		}
	}
	return nil
}

// afterAppend applies the sync policy.
func (r *Ring) afterAppend() error {
	switch r.opts.Sync {
	case SyncAlways:
		if err := datasync(r.f); err != nil {
			return fmt.Errorf("swapfile: sync: %w", err)
		}
	case SyncEveryN:
		r.sinceSync++
		if r.sinceSync >= r.opts.SyncEvery {
			return r.writeHeader(true)
		}
	case SyncInterval:
		if time.Since(r.lastSync) >= r.opts.SyncInterval {
			return r.writeHeader(true)
		}
	}
	return nil
}

// writeHeader records the current state in the older header slot. With
// durable set, records are synced before the header (so a durable header
// never points at records that are not) and the header after it (so the
// space it frees may be reused). The generation advances only on success:
// after a failed, possibly torn, write the next attempt goes to the same
// slot and the other slot keeps the last good header.
func (r *Ring) writeHeader(durable bool) error {
	if durable {
		if err := datasync(r.f); err != nil {
			return fmt.Errorf("swapfile: sync: %w", err)
		}
	}
	h := header{
		capacity: r.capacity, head: r.head, tail: r.tail,
		used: r.used.Load(), count: r.count.Load(), headSeq: r.headSeq, gen: r.gen + 1,
	}
	h.encode(r.hbuf[:])
	if _, err := r.st.WriteAt(r.hbuf[:], slotOffset(h.gen)); err != nil {
		return ioError(r.path, "write header", slotSize, err)
	}
	if durable {
		if err := datasync(r.f); err != nil {
			return fmt.Errorf("swapfile: sync header: %w", err)
		}
		r.sinceSync = 0
		r.lastSync = time.Now()
	}
	r.gen = h.gen
	r.protHead, r.popped = r.head, 0
	return nil
}

// Reset removes every record. The header is written at once.
func (r *Ring) Reset() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return ErrClosed
	}
	r.popped += r.used.Load()
	r.head, r.headSeq = r.tail, r.nextSeq
	r.used.Store(0)
	r.count.Store(0)
	if r.capacity > r.floor {
		return r.shrink()
	}
	return r.writeHeader(r.opts.durable())
}

// Len returns the number of records.
func (r *Ring) Len() int { return int(r.count.Load()) }

// Used returns the bytes taken by records, 16 bytes of header each
// included.
func (r *Ring) Used() int64 { return r.used.Load() }

// Cap returns the size of the data area.
func (r *Ring) Cap() int64 { return r.capa.Load() }

// Free returns the bytes available; a record of n bytes fits if 16+n <=
// Free().
//
// capa and used are two words, so Free takes them under a generation
// check: within one generation used never exceeds capa (growth raises capa
// before records fill it, shrinking lowers it only after the ring is
// drained), and capa is read before used, so the difference is never
// negative. Reading them bare once gave -11476 on a 4096-byte ring that
// grew between the two loads (seen under armv7 emulation, but the
// interleaving is possible on any machine).
func (r *Ring) Free() int64 {
	for {
		g := r.capaGen.Load()
		c := r.capa.Load()
		u := r.used.Load()
		if r.capaGen.Load() == g {
			return c - u
		}
	}
}

// Path returns the file name the ring was opened with.
func (r *Ring) Path() string { return r.path }

// Sync makes every appended record and the header durable, whatever the
// policy.
func (r *Ring) Sync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return ErrClosed
	}
	return r.writeHeader(true)
}

// Close writes the header (synced unless the policy is SyncNone), unmaps
// and closes the file. A second Close returns ErrClosed.
func (r *Ring) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return ErrClosed
	}
	r.closed.Store(true)
	return errors.Join(r.writeHeader(r.opts.durable()), r.release())
}

// release unmaps and closes without writing anything.
func (r *Ring) release() error {
	if r.opts.Budget != nil {
		r.opts.Budget.give(r.charged)
		r.charged = 0
	}
	return errors.Join(r.rd.close(), r.f.Close())
}

// Remove closes the ring without writing its header and deletes the file:
// for anonymous rings whose contents must not outlive them.
func (r *Ring) Remove() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	if !r.closed.Load() {
		r.closed.Store(true)
		err = r.release()
	}
	return errors.Join(err, os.Remove(r.path))
}
