package socket

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// rxStream is what a receiving socket knows of one sender's stream: how
// many of its messages reached the socket's inbound queues. It outlives the
// connection that carried them, so that the sender's next connection
// learns where to resume and nothing it sends again is delivered twice.
type rxStream struct {
	id    zmtp.AckStreamID
	count atomic.Uint64 // written by the owning connection's reader only

	// Under rxRegistry.mu: the one connection reading the stream now, and
	// a channel closed when it lets go.
	owner    *streamConn
	released chan struct{}
	gen      uint64 // counts releases, to tell a stale idle entry
	// lastIn is the inbound queue of the peer that last read the stream.
	// A new connection of the sender may come as a new peer (a receiver
	// without retention): its messages wait until the application has
	// taken the old peer's, so that they arrive in order.
	lastIn inbound
}

// rxRegistry holds a socket's receive counts by sender stream. Streams
// with no connection are kept up to rxIdleMax, the oldest forgotten first:
// a sender whose stream was forgotten resumes where it believes we are
// (PZSTREAM's next), having lost nothing it had not seen acknowledged.
type rxRegistry struct {
	mu   sync.Mutex
	m    map[zmtp.AckStreamID]*rxStream
	idle []idleStream // released streams, oldest first
}

type idleStream struct {
	id  zmtp.AckStreamID
	gen uint64
}

// rxIdleMax bounds the streams a socket remembers without a connection:
// about 100 bytes each.
const rxIdleMax = 4096

// rxStreams returns the socket's registry, made on first use.
func (s *Socket) rxStreams() *rxRegistry {
	s.rxOnce.Do(func() { s.rx = &rxRegistry{m: make(map[zmtp.AckStreamID]*rxStream)} })
	return s.rx
}

// claim makes c the reader of stream id. A stream still held by another
// connection is taken from it: the sender opened a new connection, so it
// is done with the old one, which is cut; claim waits until its reader has
// stopped, so that the count is final and no message of the old connection
// is delivered after one of the new.
func (r *rxRegistry) claim(ctx context.Context, id zmtp.AckStreamID, c *streamConn) (*rxStream, inbound, error) {
	for {
		r.mu.Lock()
		e := r.m[id]
		if e == nil {
			e = &rxStream{id: id}
			r.m[id] = e
		}
		if e.owner == nil {
			e.owner, e.released = c, make(chan struct{})
			before := e.lastIn
			if before == c.p.in {
				before = nil
			}
			r.mu.Unlock()
			return e, before, nil
		}
		old, ch := e.owner, e.released
		r.mu.Unlock()
		old.shutdown(errAckStreamMoved)
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// release ends c's hold on e (its reader stopped).
func (r *rxRegistry) release(e *rxStream, c *streamConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.owner != c {
		return
	}
	e.owner = nil
	e.lastIn = c.p.in
	close(e.released)
	e.gen++
	r.idle = append(r.idle, idleStream{e.id, e.gen})
	for len(r.idle) > rxIdleMax {
		old := r.idle[0]
		r.idle = r.idle[1:]
		if x := r.m[old.id]; x != nil && x.owner == nil && x.gen == old.gen {
			delete(r.m, old.id)
		}
	}
	if cap(r.idle) > 4*rxIdleMax {
		r.idle = append([]idleStream(nil), r.idle...)
	}
}

// awaitDrained waits until the application has taken every message of in
// (an earlier peer's inbound queue for the same stream), or ctx ends.
func awaitDrained(ctx context.Context, in inbound) error {
	if in.Len() == 0 {
		return nil
	}
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for in.Len() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
