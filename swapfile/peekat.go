package swapfile

// cursor remembers the data offset of the record with sequence number
// seq, so that reading the records behind the front one after another
// (a write-through pipe filling its read-ahead window) costs one record
// header per record rather than a walk from the head each time. It is
// valid while headSeq <= seq <= nextSeq: records between head and tail
// are never moved or overwritten, and seq == nextSeq names the tail,
// where the next record will go. Sequence numbers are never reused, so a
// cursor left over from before a Reset or a wrap cannot pass the test by
// accident, and the zero cursor (seq 0, never used) is never valid.
type cursor struct {
	seq uint64
	pos int64
}

// PeekAt appends the record i places behind the front (0 is the front
// record, Len()-1 the newest) to dst and returns the result, without
// removing anything. It allocates only if dst lacks the room. An index
// outside [0, Len()) fails with ErrRange.
//
// Reading i, i+1, i+2, ... in turn costs one record header read per step
// beyond the payloads; a lower index than the last one read walks from the
// front again.
func (r *Ring) PeekAt(i int, dst []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return dst, ErrClosed
	}
	if i < 0 || int64(i) >= r.count.Load() {
		return dst, ErrRange
	}
	want := r.headSeq + uint64(i)
	pos, seq := r.head, r.headSeq
	if c := r.cursor; c.seq >= r.headSeq && c.seq <= want && c.seq <= r.nextSeq {
		pos, seq = c.pos, c.seq
	}
	used := r.used.Load()
	for {
		// The bytes from pos to the tail bound the record there; pos is
		// inside the live span, so its distance from head is below used
		// (or zero when pos is head, which covers a full ring).
		avail := used - (pos-r.head+r.capacity)%r.capacity
		out, size, err := r.recordAt(pos, seq, avail, dst, seq == want)
		if err != nil {
			r.cursor = cursor{}
			return dst, err
		}
		pos = (pos + size) % r.capacity
		seq++
		r.cursor = cursor{seq: seq, pos: pos}
		if seq > want {
			return out, nil
		}
	}
}
