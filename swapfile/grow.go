package swapfile

// Growth and shrinking of a ring with Options.Budget.
//
// A ring grows by extending its file and then writing a header with the
// larger capacity: until that header is written the old one describes the
// ring exactly, and the bytes it covers are not touched. Records that wrap
// around the old end are made contiguous in the new area first: the
// smaller of the two pieces (the one before the old end, or the one at the
// start) is copied beyond the old end, so the old header's view stays
// intact while the copy is made. With a durable policy the data and the
// new size are synced before the header (writeHeader does that), the way
// bbolt syncs its pages before its meta page. A drained ring writes a
// header with its first capacity before it cuts the file.

const growAlign = 4096 // capacities grow in pages

// maxCapacity is the largest data area this ring may ever have.
func (r *Ring) maxCapacity() int64 {
	b := r.opts.Budget
	switch {
	case b == nil:
		return r.capacity
	case b.Limit() > 0:
		return max(min(b.Limit(), MaxCapacity), r.capacity)
	}
	return MaxCapacity
}

// grow makes the data area at least minCap bytes (in practice doubling it)
// within the budget. It returns ErrFull if the budget has not the room and
// a *DiskFullError if the file system refuses the space; either way the
// ring is as it was.
func (r *Ring) grow(minCap int64) error {
	b := r.opts.Budget
	oldCap, oldHead, oldTail := r.capacity, r.head, r.tail
	used := r.used.Load()
	wrapped := used > 0 && r.head+used > oldCap
	var part int64 // bytes copied beyond the old end
	moveFront := false
	need := minCap
	if wrapped {
		front, back := oldCap-r.head, r.tail
		part = back
		if front < back {
			part, moveFront = front, true
		}
		need = max(need, oldCap+part+1)
	}
	target := (max(need, 2*oldCap) + growAlign - 1) / growAlign * growAlign
	target = min(target, MaxCapacity, oldCap+b.Available())
	if target < need {
		b.refused.Add(1)
		return ErrFull
	}
	if !b.take(target - oldCap) {
		return ErrFull
	}
	// undo restores the ring. The file is cut back only before a header
	// with the new capacity was tried: one whose sync failed may still
	// be on disk, and must find its bytes there.
	undo := func(cut bool) {
		r.setCapacity(oldCap)
		r.head, r.tail = oldHead, oldTail
		if cut {
			_ = r.st.truncate(headerAreaSize + oldCap)
		}
		b.give(target - oldCap)
	}
	// A disk that refuses the doubling may still hold what the record
	// needs: halve the step down to that before giving up.
	for {
		err := r.st.extend(headerAreaSize + target)
		if err == nil {
			break
		}
		smaller := max(need, oldCap+(target-oldCap)/2)
		smaller = min((smaller+growAlign-1)/growAlign*growAlign, target)
		if !isNoSpace(err) || smaller >= target {
			undo(true)
			return ioError(r.path, "grow", target-oldCap, err)
		}
		_ = r.st.truncate(headerAreaSize + oldCap)
		b.give(target - smaller)
		target = smaller
	}
	switch {
	case moveFront:
		if err := r.copyData(r.head, target-part, part); err != nil {
			undo(true)
			return err
		}
		r.head = target - part
	case wrapped:
		if err := r.copyData(0, oldCap, part); err != nil {
			undo(true)
			return err
		}
		r.tail = oldCap + part
	default:
		r.tail = r.head + used
	}
	r.setCapacity(target)
	if err := r.writeHeader(r.opts.durable()); err != nil {
		undo(false)
		return err
	}
	r.charged += target - oldCap
	r.remap()
	r.log.Debug("swapfile: grew", "path", r.path, "from", oldCap, "to", target, "moved", part)
	return nil
}

// copyData copies n bytes of the data area from src to dst; the source
// lies within the mapped (old) area, the destination beyond it.
func (r *Ring) copyData(src, dst, n int64) error {
	buf := make([]byte, min(n, scanChunk))
	for done := int64(0); done < n; {
		k := min(n-done, int64(len(buf)))
		if err := r.rd.readAt(buf[:k], headerAreaSize+src+done); err != nil {
			return ioError(r.path, "read", k, err)
		}
		if _, err := r.st.WriteAt(buf[:k], headerAreaSize+dst+done); err != nil {
			return ioError(r.path, "grow", k, err)
		}
		done += k
	}
	return nil
}

// shrink takes an empty ring back to its first capacity and gives the
// rest of the file back to the disk and the budget.
func (r *Ring) shrink() error {
	oldCap, oldHead, oldTail := r.capacity, r.head, r.tail
	r.setCapacity(r.floor)
	r.head, r.tail = 0, 0
	if err := r.writeHeader(r.opts.durable()); err != nil {
		r.setCapacity(oldCap)
		r.head, r.tail = oldHead, oldTail
		return err
	}
	r.remap()
	if err := r.st.truncate(headerAreaSize + r.floor); err != nil {
		// The header no longer covers the extra bytes; a later grow
		// extends the file over them again.
		r.log.Warn("swapfile: cannot cut drained ring file", "path", r.path, "err", err)
	}
	r.opts.Budget.give(oldCap - r.floor)
	r.charged -= oldCap - r.floor
	r.log.Debug("swapfile: shrank", "path", r.path, "from", oldCap, "to", r.floor)
	return nil
}

func (r *Ring) setCapacity(c int64) {
	r.capacity = c
	// The generation moves before capa does: a Free that read the old
	// capa and then a used that counts records past it sees the change.
	r.capaGen.Add(1)
	r.capa.Store(c)
}

// SetFloor sets the capacity a drained growable ring (Options.Budget)
// shrinks back to, and shrinks it now if it is empty: for a ring reopened
// with Open, whose floor is otherwise the capacity it was found with.
// OpenOrCreate does this with its capacity argument.
func (r *Ring) SetFloor(c int64) error {
	if r.opts.Budget == nil {
		return nil
	}
	return r.setFloor(c)
}

// setFloor sets the capacity a drained ring shrinks to (OpenOrCreate's
// capacity for a ring that exists), and shrinks an empty ring to it now.
func (r *Ring) setFloor(c int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.floor = min(c, r.capacity)
	if r.used.Load() == 0 && r.capacity > r.floor {
		return r.shrink()
	}
	return nil
}

// remap replaces the reader after the capacity changed. If the new size
// cannot be mapped, reads fall back to pread: slower, never wrong.
func (r *Ring) remap() {
	r.cursor = cursor{}
	// The old mapping goes first, so that its bytes count for the new
	// one within the process's mapping bound.
	_ = r.rd.close()
	rd, err := newReader(r.f, headerAreaSize+r.capacity)
	if err != nil {
		r.log.Warn("swapfile: cannot map ring, reading with pread", "path", r.path, "err", err)
		rd = fileReader{r.f}
	}
	r.rd = rd
}

// unwrite is called after a failed record write: the prefix that may have
// reached the file is blanked, so that recovery does not find a torn
// record there and report it (best effort: the disk may refuse this too).
func (r *Ring) unwrite() {
	var blank [recordHeaderSize]byte
	_ = r.writeData(r.tail, blank[:])
}
