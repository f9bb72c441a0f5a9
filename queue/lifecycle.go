package queue

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// create makes the pipe's ring on its first spill: a uniquely named file
// for an anonymous pipe, a file named by the key (plus its ack file in
// write-through mode) for a keyed one.
func (s *swapState) create() error {
	key := s.key
	if key == "" {
		s.path = anonPath(s.cfg.Dir)
	} else {
		base, hashed := ringBase(key)
		s.path = filepath.Join(s.cfg.Dir, base+ringSuffix)
		if hashed {
			kp := filepath.Join(s.cfg.Dir, base+keySuffix)
			if err := os.WriteFile(kp, []byte(key), 0o600); err != nil {
				return err
			}
		}
	}
	r, err := s.cfg.open(s.path)
	if err != nil {
		return err
	}
	if key != "" && s.cfg.WriteThrough {
		a, err := createAck(strings.TrimSuffix(s.path, ringSuffix) + ackSuffix)
		if err != nil {
			_ = r.Remove()
			return err
		}
		s.ack = a
	}
	s.ring = r
	return nil
}

// takeFreed returns the budget bytes to give back after the lock is
// dropped.
func (p *Pipe) takeFreedLocked() int64 {
	if p.sw == nil {
		return 0
	}
	f := p.sw.freed
	p.sw.freed = 0
	return f
}

func (p *Pipe) releaseBudget(n int64) {
	if n > 0 && p.sw.cfg.Budget != nil {
		p.sw.cfg.Budget.release(n)
	}
}

// Commit confirms that the k oldest popped, uncommitted messages were
// written out, removing them from a write-through ring. On other pipes it
// does nothing (so a connection writer may call it unconditionally).
//
// The write-through guarantee, for a keyed pipe: once Push returned nil
// the message is in the ring file and survives the death of the process
// (kill -9, panic); after a restart RecoverDir returns, in push order,
// exactly the messages that were pushed and not committed — a committed
// message is never delivered again, an uncommitted one (even if popped) is.
// Surviving power loss as well needs a syncing policy in
// SwapConfig.Options, and even then a commit may be repeated once
// (at-least-once). Commit costs one 12-byte pwrite to the ack file.
func (p *Pipe) Commit(k int) error {
	p.mu.Lock()
	s := p.sw
	if s == nil || !s.cfg.WriteThrough {
		p.mu.Unlock()
		return nil
	}
	if k < 0 || k > s.inflight {
		p.mu.Unlock()
		return ErrCommitRange
	}
	if k == 0 || s.ring == nil {
		p.mu.Unlock()
		return nil
	}
	var err error
	if s.ack != nil {
		// The ack goes first: a crash between it and the discards
		// leaves records the ack already covers, which recovery skips.
		if err = s.ack.write(s.recs.at(k - 1).seq); err != nil {
			p.st.swapErrors++
		}
	}
	for i := 0; i < k; i++ {
		if derr := s.ring.Discard(); derr != nil && err == nil {
			err = derr
			p.st.swapErrors++
		}
		ri := s.recs.pop()
		s.reserved -= ri.size
		s.freed += ri.size
	}
	s.inflight -= k
	p.st.committed += uint64(k)
	wasReady := p.readyLocked()
	if p.mem.len() == 0 {
		s.refill(&p.mem, p.refillTarget())
	}
	var notify func()
	if !wasReady && p.readyLocked() {
		notify = p.wakeReadableLocked()
	}
	if s.blocked {
		s.blocked = false
		notify = p.wakeWritableLocked()
	}
	p.releaseDrainedRingLocked()
	freed := p.takeFreedLocked()
	p.mu.Unlock()
	p.releaseBudget(freed)
	if notify != nil {
		notify()
	}
	return err
}

// Rollback returns every popped, uncommitted message of a write-through
// pipe to the front of the queue, in order, for delivery again (the
// connection they were popped for died before Commit). It returns how many
// messages came back; other pipes return 0.
func (p *Pipe) Rollback() int {
	p.mu.Lock()
	s := p.sw
	if s == nil || !s.cfg.WriteThrough || s.inflight == 0 {
		p.mu.Unlock()
		return 0
	}
	k := s.inflight
	// Everything in memory is also in the ring: forget the window and
	// read the ring again from its front.
	for i := 0; i < s.recs.n; i++ {
		s.bytes += s.recs.at(i).size - recordOverhead
	}
	s.n += s.recs.n
	s.recs.reset()
	p.mem.reset()
	s.inflight = 0
	var notify func()
	if p.readyLocked() {
		notify = p.wakeReadableLocked()
	}
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
	return k
}

// Discard closes the pipe, throws its backlog away (counted in
// Stats.Discarded) and removes its ring file, keyed or not: for a peer
// that is gone for good (not retained, or evicted from retention).
func (p *Pipe) Discard() {
	p.Close()
	p.mu.Lock()
	p.st.discarded += uint64(p.mem.len() + p.acks.unacked.n)
	p.mem.reset()
	p.acks.unacked.reset()
	p.acks.requeued = 0
	p.setHeldLocked()
	var freed int64
	if s := p.sw; s != nil {
		p.st.discarded += uint64(s.n)
		s.n, s.bytes, s.inflight = 0, 0, 0
		s.recs.reset()
		s.dropRing()
		freed = p.takeFreedLocked()
	}
	p.mu.Unlock()
	if freed > 0 {
		p.releaseBudget(freed)
	}
}

// Persist closes the pipe and, for a keyed pipe with swap, leaves its
// whole backlog in its ring file for RecoverDir: the shutdown path of a
// socket with retention. In spill mode the messages still in memory are
// older than those on disk, so the ring is rewritten with them in front
// (one pass over the backlog). Uncommitted write-through messages stay and
// are delivered again after recovery. Other pipes are discarded.
func (p *Pipe) Persist() error {
	// Messages awaiting acknowledgement are older than anything queued.
	p.Requeue()
	p.mu.Lock()
	s := p.sw
	keyed := s != nil && p.cfg.Key != ""
	p.mu.Unlock()
	if !keyed {
		p.Discard()
		return nil
	}
	p.Close()
	p.mu.Lock()
	defer func() {
		freed := p.takeFreedLocked()
		p.mu.Unlock()
		p.releaseBudget(freed)
	}()
	var err error
	if !s.cfg.WriteThrough && p.mem.len() > 0 {
		err = s.prependMemory(&p.mem)
	}
	if s.ring != nil {
		if cerr := s.ring.Close(); cerr != nil && err == nil {
			err = cerr
		}
		s.ring = nil
	}
	if s.ack != nil {
		s.ack.close()
		s.ack = nil
	}
	p.mem.reset()
	s.n, s.bytes, s.inflight = 0, 0, 0
	s.recs.reset()
	s.freed += s.reserved
	s.reserved = 0
	return err
}

// prependMemory rewrites a spill-mode ring as mem's messages (the pipe's
// memory part, older than the ring's records) followed by the ring's
// records, through a temporary file renamed over the ring. mem is left as
// it was: the caller empties it.
func (s *swapState) prependMemory(mem *memQueue) error {
	if s.ring == nil {
		if err := s.create(); err != nil {
			s.st.lost += uint64(mem.len())
			return err
		}
	}
	tmpPath := s.path + ".tmp"
	_ = os.Remove(tmpPath)
	tmp, err := s.cfg.openRewrite(tmpPath)
	if err != nil {
		s.st.lost += uint64(mem.len())
		return err
	}
	var seq uint64
	var hdr []byte
	var parts [][]byte
	for i := 0; i < mem.len(); i++ {
		m := mem.at(i)
		seq++
		hdr = appendRecordHeader(hdr[:0], seq, m)
		parts = append(append(parts[:0], hdr), m...)
		if err = tmp.AppendV(parts...); err != nil {
			break
		}
	}
	var rec []byte
	for err == nil && s.ring.Len() > 0 {
		if rec, err = s.ring.PeekInto(rec[:0]); err != nil {
			break
		}
		if err = tmp.AppendV(rec); err != nil {
			break
		}
		err = s.ring.Discard()
	}
	if err != nil {
		_ = tmp.Remove()
		s.st.lost += uint64(mem.len())
		return err
	}
	if err = errors.Join(tmp.Close(), s.ring.Remove()); err == nil {
		err = os.Rename(tmpPath, s.path)
	}
	s.ring = nil
	return err
}
