package queue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/purezmq/purezmq/swapfile"
)

// Recovered is one keyed backlog found by RecoverDir.
type Recovered struct {
	Key      string
	Pipe     *Pipe // nil when Err is set
	Recovery swapfile.Recovery
	Path     string
	Err      error // the file could not be recovered; it was left in place
}

// RecoverDir reopens the keyed ring files a previous process left in dir
// (after Persist, or after being killed) and returns one pipe per key,
// configured by cfg (its Key is set from the file, its Swap.Dir to dir),
// holding the backlog in order. Records a write-through pipe had committed
// before a crash are skipped. A damaged file is reported in its entry's
// Err and skipped; anonymous rings of dead processes are removed. Only an
// unreadable directory is an error.
func RecoverDir(dir string, cfg Config) ([]Recovered, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &DirError{dir, err}
	}
	var out []Recovered
	for _, de := range ents {
		name := de.Name()
		if !strings.HasSuffix(name, ringSuffix) || de.IsDir() {
			continue
		}
		path := filepath.Join(dir, name)
		base := strings.TrimSuffix(name, ringSuffix)
		switch {
		case strings.HasPrefix(base, anonPrefix):
			removeOrphan(path)
			continue
		case strings.HasPrefix(base, keyPrefix), strings.HasPrefix(base, hashPrefix):
		default:
			continue
		}
		out = append(out, recoverOne(dir, base, path, cfg))
	}
	return out, nil
}

// removeOrphan deletes an anonymous ring unless a live process holds it.
func removeOrphan(path string) {
	r, _, err := swapfile.Open(path, swapfile.Options{})
	if errors.Is(err, swapfile.ErrLocked) {
		return
	}
	if err == nil {
		_ = r.Remove()
		return
	}
	_ = os.Remove(path)
}

func recoverOne(dir, base, path string, cfg Config) Recovered {
	rv := Recovered{Path: path}
	if strings.HasPrefix(base, keyPrefix) {
		rv.Key, rv.Err = keyFromName(base)
	} else {
		b, err := os.ReadFile(filepath.Join(dir, base+keySuffix))
		rv.Key, rv.Err = string(b), err
	}
	if rv.Err == nil && rv.Key == "" {
		rv.Err = fmt.Errorf("queue: ring %s has an empty key", path)
	}
	if rv.Err != nil {
		return rv
	}
	var sc SwapConfig
	if cfg.Swap != nil {
		sc = *cfg.Swap
	}
	sc.Dir = dir
	ring, rec, err := openRecovered(path, &sc)
	rv.Recovery = rec
	if err != nil {
		// Left in place: a damaged ring for whoever looks at it, and one
		// beyond this build's limits (swapfile.ErrArchLimit) untouched,
		// for a build that can read it.
		rv.Err = err
		return rv
	}
	cfg.Key = rv.Key
	cfg.Swap = &sc
	p := New(cfg)
	s := p.sw
	s.ring, s.path = ring, path
	s.n = ring.Len()
	s.reserved = ring.Used()
	s.bytes = s.reserved - int64(s.n)*recordOverhead
	ackPath := filepath.Join(dir, base+ackSuffix)
	s.skipSeq = readAck(ackPath)
	// Records carry consecutive numbers, the first at most skipSeq+1, so
	// none exceeds skipSeq+n: new ones continue above.
	s.seq = s.skipSeq + uint64(s.n)
	if sc.WriteThrough {
		if s.ack, err = createAck(ackPath); err != nil {
			p.st.swapErrors++
		}
	}
	if sc.Budget != nil {
		sc.Budget.charge(s.reserved)
	}
	rv.Pipe = p
	return rv
}

// reopen is swapfile.Open; a test plays a build that cannot read a ring.
var reopen = swapfile.Open

// openRecovered opens a ring found in the swap directory. A growable
// pipe's ring is charged to the budget's disk share at the size it has
// (even beyond the limit: it is already on disk) and shrinks back to the
// initial capacity once drained.
func openRecovered(path string, sc *SwapConfig) (*swapfile.Ring, swapfile.Recovery, error) {
	r, rec, err := reopen(path, sc.ringOptions())
	if err != nil || !sc.growable() {
		return r, rec, err
	}
	if err := r.SetFloor(sc.capacity()); err != nil {
		_ = r.Close()
		return nil, rec, err
	}
	return r, rec, nil
}
