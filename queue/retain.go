package queue

import (
	"container/list"
	"sync"
	"time"
)

// EvictReason says why a Retainer let a pipe go.
type EvictReason uint8

const (
	// Expired: the pipe was parked longer than the TTL.
	Expired EvictReason = iota + 1
	// Evicted: MaxKeys was reached and this was the oldest parked pipe.
	Evicted
	// Replaced: a second Park under the same key displaced it.
	Replaced
	// Shutdown: the Retainer was closed.
	Shutdown
)

func (r EvictReason) String() string {
	switch r {
	case Expired:
		return "expired"
	case Evicted:
		return "evicted"
	case Replaced:
		return "replaced"
	case Shutdown:
		return "shutdown"
	}
	return "EvictReason(?)"
}

// RetainConfig bounds a Retainer.
type RetainConfig struct {
	TTL     time.Duration // how long a departed peer's pipe is kept; 0: forever
	MaxKeys int           // how many departed peers are kept; 0: no limit
	// Now is the clock (tests plug in a fake); nil is time.Now. With a
	// fake clock no timer runs: expiry happens on access.
	Now func() time.Time
	// OnEvict is told about every pipe the Retainer lets go, so the owner
	// can Discard it (or Persist it, on Shutdown). It runs without the
	// Retainer's lock held.
	OnEvict func(key string, p *Pipe, reason EvictReason)
}

// RetainStats are a Retainer's counters.
type RetainStats struct {
	Retained int    // pipes parked now
	Parked   uint64 // Park calls
	Claimed  uint64 // pipes handed back to a returning peer
	Expired  uint64 // let go after the TTL
	Evicted  uint64 // let go to stay under MaxKeys (or replaced under their key)
}

type retained struct {
	key   string
	pipe  *Pipe
	meta  any
	since time.Time
	elem  *list.Element
}

// Retainer keeps the pipes of departed peers by key, ZeroMQ 2.x durable
// identity semantics, bounded by a TTL and a maximum number of keys. A
// parked pipe keeps accepting pushes (under its HWM, mute action and
// swap); a returning peer with the same key Claims it and reads the
// backlog first, in order. It is safe for concurrent use.
type Retainer struct {
	mu     sync.Mutex
	cfg    RetainConfig
	byKey  map[string]*retained
	order  *list.List // parked order, oldest first: eviction and expiry order
	timer  *time.Timer
	closed bool
	st     RetainStats
}

// NewRetainer makes a Retainer.
func NewRetainer(cfg RetainConfig) *Retainer {
	return &Retainer{cfg: cfg, byKey: make(map[string]*retained), order: list.New()}
}

func (r *Retainer) now() time.Time {
	if r.cfg.Now != nil {
		return r.cfg.Now()
	}
	return time.Now()
}

type eviction struct {
	key    string
	pipe   *Pipe
	reason EvictReason
}

func (r *Retainer) fire(ev []eviction) {
	if r.cfg.OnEvict == nil {
		return
	}
	for _, e := range ev {
		r.cfg.OnEvict(e.key, e.pipe, e.reason)
	}
}

func (r *Retainer) removeLocked(e *retained) {
	r.order.Remove(e.elem)
	delete(r.byKey, e.key)
}

// expireLocked lets go of every pipe parked longer than the TTL.
func (r *Retainer) expireLocked(ev []eviction) []eviction {
	if r.cfg.TTL <= 0 {
		return ev
	}
	now := r.now()
	for f := r.order.Front(); f != nil; f = r.order.Front() {
		e := f.Value.(*retained)
		if now.Sub(e.since) < r.cfg.TTL {
			break
		}
		r.removeLocked(e)
		r.st.Expired++
		ev = append(ev, eviction{e.key, e.pipe, Expired})
	}
	return ev
}

// armLocked sets the timer for the oldest pipe's expiry. A timer, not a
// goroutine: nothing outlives Close, and an idle Retainer still lets
// expired pipes (and their swap files) go.
func (r *Retainer) armLocked() {
	if r.cfg.TTL <= 0 || r.cfg.Now != nil || r.closed {
		return
	}
	f := r.order.Front()
	if f == nil {
		if r.timer != nil {
			r.timer.Stop()
		}
		return
	}
	d := f.Value.(*retained).since.Add(r.cfg.TTL).Sub(r.now())
	if d < 0 {
		d = 0
	}
	if r.timer == nil {
		r.timer = time.AfterFunc(d, r.onTimer)
	} else {
		r.timer.Reset(d)
	}
}

func (r *Retainer) onTimer() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	ev := r.expireLocked(nil)
	r.armLocked()
	r.mu.Unlock()
	r.fire(ev)
}

// Park keeps p under key: its peer departed. A pipe already parked under
// key is let go (Replaced). On a closed Retainer, p is handed to OnEvict
// at once (Shutdown) and ErrClosed returned.
func (r *Retainer) Park(key string, p *Pipe, meta any) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		r.fire([]eviction{{key, p, Shutdown}})
		return ErrClosed
	}
	ev := r.expireLocked(nil)
	if old, ok := r.byKey[key]; ok {
		r.removeLocked(old)
		r.st.Evicted++
		ev = append(ev, eviction{old.key, old.pipe, Replaced})
	}
	for r.cfg.MaxKeys > 0 && len(r.byKey) >= r.cfg.MaxKeys {
		e := r.order.Front().Value.(*retained)
		r.removeLocked(e)
		r.st.Evicted++
		ev = append(ev, eviction{e.key, e.pipe, Evicted})
	}
	e := &retained{key: key, pipe: p, meta: meta, since: r.now()}
	e.elem = r.order.PushBack(e)
	r.byKey[key] = e
	r.st.Parked++
	r.armLocked()
	r.mu.Unlock()
	r.fire(ev)
	return nil
}

// Claim hands back the pipe parked under key, if any: the peer returned.
// The pipe still holds the backlog, to be delivered first and in order.
func (r *Retainer) Claim(key string) (p *Pipe, meta any, ok bool) {
	r.mu.Lock()
	ev := r.expireLocked(nil)
	e, ok := r.byKey[key]
	if ok && !r.closed {
		r.removeLocked(e)
		r.st.Claimed++
		p, meta = e.pipe, e.meta
	} else {
		ok = false
	}
	r.armLocked()
	r.mu.Unlock()
	r.fire(ev)
	return p, meta, ok
}

// Each calls f for every parked pipe, oldest first (a PUB keeps routing
// into retained pipes; meta carries e.g. the subscriptions). f runs
// without the Retainer's lock held, on a snapshot.
func (r *Retainer) Each(f func(key string, p *Pipe, meta any)) {
	r.mu.Lock()
	ev := r.expireLocked(nil)
	snap := make([]*retained, 0, len(r.byKey))
	for el := r.order.Front(); el != nil; el = el.Next() {
		snap = append(snap, el.Value.(*retained))
	}
	r.mu.Unlock()
	r.fire(ev)
	for _, e := range snap {
		f(e.key, e.pipe, e.meta)
	}
}

// Len returns how many pipes are parked (expired ones are let go first).
func (r *Retainer) Len() int {
	r.mu.Lock()
	ev := r.expireLocked(nil)
	n := len(r.byKey)
	r.mu.Unlock()
	r.fire(ev)
	return n
}

// Stats returns the Retainer's counters.
func (r *Retainer) Stats() RetainStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.st
	s.Retained = len(r.byKey)
	return s
}

// Close stops the timer and hands every parked pipe to OnEvict with
// reason Shutdown, oldest first.
func (r *Retainer) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
	var ev []eviction
	for f := r.order.Front(); f != nil; f = r.order.Front() {
		e := f.Value.(*retained)
		r.removeLocked(e)
		ev = append(ev, eviction{e.key, e.pipe, Shutdown})
	}
	r.mu.Unlock()
	r.fire(ev)
}
