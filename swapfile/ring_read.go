package swapfile

import (
	"fmt"
	"hash/crc32"
)

// The read side of a Ring: the front record is read and checked (sequence
// number, length, checksum) before it is returned or dropped, and dropping
// it moves the head.

// Peek returns a copy of the front record without removing it.
func (r *Ring) Peek() ([]byte, error) { return r.PeekInto(nil) }

// PeekInto appends the front record to dst and returns the result,
// allocating only if dst lacks the room.
func (r *Ring) PeekInto(dst []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, _, err := r.front(dst, true)
	return out, err
}

// Pop removes the front record and returns a copy of it.
func (r *Ring) Pop() ([]byte, error) { return r.PopInto(nil) }

// PopInto removes the front record and appends it to dst.
func (r *Ring) PopInto(dst []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, size, err := r.front(dst, true)
	if err != nil {
		return dst, err
	}
	return out, r.advance(size)
}

// Discard removes the front record without reading its payload.
func (r *Ring) Discard() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, size, err := r.front(nil, false)
	if err != nil {
		return err
	}
	return r.advance(size)
}

// front reads the record at head. With payload false only its header is
// read and checked. It returns the record's size in the ring.
func (r *Ring) front(dst []byte, payload bool) ([]byte, int64, error) {
	if r.closed.Load() {
		return dst, 0, ErrClosed
	}
	used := r.used.Load()
	if used == 0 {
		return dst, 0, ErrEmpty
	}
	return r.recordAt(r.head, r.headSeq, used, dst, payload)
}

// recordAt reads the record that must start at data offset pos with
// sequence number seq, and that may take at most avail bytes (those from
// pos to the tail). With payload false only its header is read and
// checked. It returns the record's size in the ring.
func (r *Ring) recordAt(pos int64, seq uint64, avail int64, dst []byte, payload bool) ([]byte, int64, error) {
	hb := r.rbuf[:] // a field, not a local: passing a local to the reader interface would allocate
	if err := readData(r.rd, r.capacity, pos, hb); err != nil {
		return dst, 0, fmt.Errorf("swapfile: read: %w", err)
	}
	n, want, got := parseRecordHeader(hb)
	if got != seq {
		return dst, 0, &RecordError{Offset: pos, Seq: seq, Reason: fmt.Sprintf("found sequence number %d", got)}
	}
	size := recordHeaderSize + int64(n)
	if size > avail || uint64(n) > recordLimit {
		return dst, 0, &RecordError{Offset: pos, Seq: seq, Reason: fmt.Sprintf("length %d exceeds the %d bytes left", n, avail)}
	}
	if !payload {
		return dst, size, nil
	}
	start := len(dst)
	dst = extend(dst, int(n))
	if err := readData(r.rd, r.capacity, (pos+recordHeaderSize)%r.capacity, dst[start:]); err != nil {
		return dst[:start], 0, fmt.Errorf("swapfile: read: %w", err)
	}
	if sum := crc32.Update(recordCRCStart(hb), castagnoli, dst[start:]); sum != want {
		return dst[:start], 0, &RecordError{Offset: pos, Seq: seq, Reason: fmt.Sprintf("checksum %#08x, want %#08x", sum, want)}
	}
	return dst, size, nil
}

// extend lengthens dst by n bytes, allocating only when its capacity is
// short. The append(dst, make(...)...) idiom does the same without the
// race detector, but allocates under it, which would hide real
// allocations from the tests that count them.
func extend(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	nb := make([]byte, len(dst)+n, len(dst)+n+len(dst)/4)
	copy(nb, dst)
	return nb
}

// advance drops the front record of the given size.
func (r *Ring) advance(size int64) error {
	r.head = (r.head + size) % r.capacity
	r.headSeq++
	r.popped += size
	r.used.Add(-size)
	r.count.Add(-1)
	if r.used.Load() == 0 && r.capacity > r.floor {
		return r.shrink()
	}
	// Under SyncNone nothing else writes the header while the writer has
	// room; an occasional cheap header write bounds how many popped
	// records a crash can bring back.
	if r.opts.Sync == SyncNone && r.popped >= r.capacity/4 {
		return r.writeHeader(false)
	}
	return nil
}
