package socket

import (
	"time"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/internal/zmtphook"
	"github.com/purezmq/purezmq/queue"
)

// write is a connection's writer goroutine: it waits for the outbound pipe
// to become readable, takes everything queued, writes it and flushes once:
// one syscall per batch. With heartbeats it also sends PINGs and ends a
// connection silent for too long.
//
// A write-through pipe (WithWriteThrough) keeps popped messages in its ring
// until Commit: the writer commits a batch only once it was written and
// flushed, and when the connection fails it rolls the batch back, so the
// next connection with the same key gets those messages again, in order.
// Other pipes take the loop without either call.
func (c *streamConn) write() {
	w := c.newWriter()
	defer w.stop()
	// The writer holds wmu except while parked, when a Send may take it to
	// write directly (tryDirect).
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.ack != nil && c.ack.keeps {
		if err := c.ack.start(); err != nil {
			c.shutdown(err)
			return
		}
	}
	for {
		why, newTTL, parked := w.await()
		switch why {
		case wakeDone:
			return
		case wakeTTLSet:
			w.ttl.set(newTTL)
			continue
		case wakeTTLCheck:
			if err := w.ttl.expired(c.zc.LastRead()); err != nil {
				c.shutdown(err)
				return
			}
			continue
		case wakeTick:
			if err := w.heartbeat(); err != nil {
				c.shutdown(err)
				return
			}
			continue
		}
		var n, unsent int
		var err error
		if c.ack != nil && c.ack.keeps {
			// Nothing is lost to a failed write: the pipe keeps it.
			n, err = w.writeAcked()
			unsent = n
		} else if w.wt {
			n, err = w.writeThroughBatch()
			unsent = n
		} else if err = w.ackDue(); err == nil {
			n, unsent, err = w.writeBatch(parked)
		}
		if err == nil {
			err = w.flush(n, unsent)
		}
		if err != nil {
			w.fail(err)
			return
		}
		if w.out.Closed() && w.out.Len() == 0 {
			if c.ack != nil && w.out.Unacked() > 0 {
				c.ack.drained = true // wait for the last acknowledgements
				continue
			}
			// Closed and drained (Close with linger, or the peer left).
			if c.ack != nil {
				c.ack.finish()
			}
			c.shutdown(nil)
			return
		}
	}
}

// writer is the state of one connection's writer goroutine, kept between
// batches so that the loop allocates nothing per message.
type writer struct {
	c   *streamConn
	out *queue.Pipe
	// wt: the pipe writes through to a swap file (commit or roll back).
	wt bool
	// hbTimeout and hbTTL are the socket's heartbeat options, read once.
	hbTimeout, hbTTL time.Duration
	tick             <-chan time.Time // heartbeat ticks; nil without heartbeats
	ticker           *time.Ticker
	ttl              ttlWatch   // the peer's PING TTL, once it sent one
	batch            [][][]byte // reused: PopBatch appends to it without allocating
	win              unsentWindow
}

func (c *streamConn) newWriter() *writer {
	o := c.s.opt()
	w := &writer{
		c:         c,
		out:       c.p.out,
		hbTimeout: o.hbTimeout,
		hbTTL:     o.hbTTL,
	}
	w.wt = c.s.budget != nil && c.s.writesThrough(w.out.Key())
	// ZMTP 1.0 and 2.0 have no PING: no heartbeats on such a connection.
	if o.hbInterval > 0 && c.zc.Legacy() == 0 {
		w.ticker = time.NewTicker(o.hbInterval)
		w.tick = w.ticker.C
	}
	return w
}

func (w *writer) stop() {
	w.ttl.stop()
	if w.ticker != nil {
		w.ticker.Stop()
	}
}

// fail ends the connection after a write error; a write-through pipe gets
// back the messages popped since its last commit, for the next connection.
func (w *writer) fail(err error) {
	w.c.shutdown(err)
	if w.wt && w.c.ack == nil {
		// (An acknowledged connection's are rolled back by runConn's
		// Requeue, which counts them for the peer's position.)
		w.out.Rollback()
	}
}

// wakeup says what ended a writer's wait.
type wakeup int

const (
	wakeWrite    wakeup = iota // messages queued, or a kick after a direct write
	wakeDone                   // the connection was shut down
	wakeTick                   // time for a heartbeat
	wakeTTLCheck               // time to check the peer's PING TTL
	wakeTTLSet                 // the peer's PING asked for a new TTL
)

// await waits for work. With nothing queued it parks, releasing wmu so a
// Send may write directly, and counts the park: the next Send pays for
// waking it. It returns with wmu held again and reports whether it parked,
// which tells writeBatch the peer had likely read everything.
func (w *writer) await() (why wakeup, newTTL time.Duration, parked bool) {
	c := w.c
	ready := w.readable()
	select {
	case <-ready:
	default:
		c.s.writerParks.Add(1)
		parked = true
		c.wmu.Unlock()
	}
	why, newTTL = wakeWrite, -1
	select {
	case <-ready:
	case <-c.kick:
	case <-c.ctx.Done():
		why = wakeDone
	case <-w.tick:
		why = wakeTick
	case <-w.ttl.C:
		why = wakeTTLCheck
	case newTTL = <-c.ttlSet:
		if newTTL >= 0 {
			why = wakeTTLSet
		}
	}
	if parked {
		c.wmu.Lock()
	}
	return why, newTTL, parked
}

// heartbeat ends a connection from which nothing arrived within the
// heartbeat timeout, and otherwise sends a PING now: the writer is the only
// goroutine that writes to zc, so PINGs go out between batches.
func (w *writer) heartbeat() error {
	zc := w.c.zc
	if time.Since(zc.LastRead()) > w.hbTimeout {
		return ErrHeartbeatTimeout
	}
	if err := zc.WritePing(w.hbTTL, nil); err != nil {
		return err
	}
	return zc.Flush()
}

// writeThroughBatch pops and writes messages one by one, at most
// writeThroughBatch of them: each popped message stays in the swap ring
// until the batch is committed, so a bounded batch bounds what a failed
// connection sends again.
func (w *writer) writeThroughBatch() (n int, err error) {
	for n < writeThroughBatch {
		m, ok := w.out.Pop()
		if !ok {
			break
		}
		n++
		if err := w.c.writeOne(m); err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeBatch pops everything queued under one lock, so that a Send racing
// with the writer meets a pipe lock held once per batch, not once per
// message, and writes it into zc's buffer (large frames go out at once).
// It returns the batch's length and the first message that may still sit
// in zc's buffer (see unsentWindow; 0, all of them, unless Close lingers).
// On error it has counted the lost messages already.
func (w *writer) writeBatch(parked bool) (n, unsent int, err error) {
	c := w.c
	w.batch = w.out.PopBatch(w.batch[:0])
	batch := w.batch
	n = len(batch)
	// A lone message after an idle spell (request/reply) most likely meets
	// a connection whose peer has read everything, which decides how large
	// bodies are best written.
	zmtphook.SetDrained(c.zc, parked && n == 1)
	w.win.reset(0)
	i, err := w.writeRun(batch)
	if err != nil {
		c.s.noteUnwritten(n)
		clear(batch)
		return n, 0, err
	}
	if i < n {
		return w.writeCounting(batch, i)
	}
	return n, 0, nil
}

// writeRun writes batch under one hold of zc's write lock until it is
// done or Close begins, and returns how many messages it wrote. Written
// messages that carry a pool mark give their buffers back (see writeOne).
func (w *writer) writeRun(batch [][][]byte) (int, error) {
	c := w.c
	zmtphook.LockWrites(c.zc)
	var recycled uint64
	var err error
	i := 0
	for ; i < len(batch) && !c.s.closing.Load(); i++ {
		m := batch[i]
		if isSubMessage(m) {
			err = zmtphook.WriteSubscribeLocked(c.zc, m[1][1:], m[1][0] == 1)
		} else if err = zmtphook.WriteMessageLocked(c.zc, m); err == nil && buf.Release(m) {
			recycled++
		}
		if err != nil {
			break
		}
	}
	zmtphook.UnlockWrites(c.zc)
	if recycled > 0 {
		c.s.recycled.Add(recycled)
	}
	return i, err
}

// writeCounting writes batch[from:] after Close began during the batch,
// tracking which messages may still sit in zc's buffer, so that a cut
// connection's losses are counted exactly (an atomic load per message
// spared the common case this work).
func (w *writer) writeCounting(batch [][][]byte, from int) (n, unsent int, err error) {
	c := w.c
	n = len(batch)
	// Hand what is buffered to the kernel, so every message before this
	// one is out. If that fails, the previous message may be lost too:
	// count it.
	if err := c.zc.Flush(); err != nil {
		c.s.noteUnwritten(n - max(from-1, 0))
		clear(batch)
		return n, 0, err
	}
	w.win.reset(from)
	for _, m := range batch[from:] {
		if err := c.writeOne(m); err != nil {
			written, _ := zmtphook.Progress(c.zc)
			w.win.gone(written)
			c.s.noteUnwritten(n - w.win.first)
			clear(batch)
			return n, 0, err
		}
		w.win.wrote(zmtphook.Progress(c.zc))
	}
	return n, w.win.first, nil
}

// flush hands the n messages just written (and anything a direct write
// left behind) to the kernel. A write-through batch is committed only
// then; a flush that fails counts the messages of a plain batch it lost.
// The batch's slots are cleared so that the caller's buffers are not kept
// alive until the next batch, nor a huge backlog's array.
func (w *writer) flush(n, unsent int) error {
	c := w.c
	if n == 0 && c.zc.Buffered() == 0 {
		return nil
	}
	if err := c.zc.Flush(); err != nil {
		if !w.wt {
			if unsent < n {
				written, _ := zmtphook.Progress(c.zc)
				w.win.gone(written)
				unsent = w.win.first
			}
			c.s.noteUnwritten(n - unsent)
		}
		return err
	}
	if w.wt && c.ack == nil {
		// (An acknowledged connection commits on the peer's PZACK.)
		c.commit(n)
	}
	clear(w.batch)
	if cap(w.batch) > maxKeptBatch {
		w.batch = nil
	}
	return nil
}

// unsentWindow follows, while Close lingers, the messages of a batch that
// have not yet left whole for the network: zmtp keeps small frames and the
// sub-page tail of large ones in its buffer until the next write, and a
// write cut by Close may have carried part of the buffer. first is the
// oldest such message; ends holds, for batch[first:], the stream offset of
// each one's last byte. A connection cut now lost batch[first:].
type unsentWindow struct {
	first int
	ends  []int64
}

func (w *unsentWindow) reset(first int) { w.first, w.ends = first, w.ends[:0] }

// wrote records that batch[i] was written into the connection's buffer,
// given the writer's progress after it.
func (w *unsentWindow) wrote(written int64, buffered int) {
	w.ends = append(w.ends, written+int64(buffered))
	w.gone(written)
}

// gone drops the messages whose last byte is below written.
func (w *unsentWindow) gone(written int64) {
	k := 0
	for k < len(w.ends) && w.ends[k] <= written {
		k++
	}
	if k > 0 {
		w.first += k
		w.ends = append(w.ends[:0], w.ends[k:]...)
	}
}

// maxKeptBatch bounds the batch array a writer keeps between batches; a
// larger one (an unlimited HWM's backlog) is dropped after use.
const maxKeptBatch = 4096

// writeOne writes one popped message: a queued subscription as a
// SUBSCRIBE/CANCEL command (or message, for ZMTP 3.0), anything else as is.
// Once WriteMessage returns, zmtp holds no reference to the frames (small
// ones were copied into its buffer, large ones written), so a message that
// carries a pool mark (Send's copy, or a received message given to
// SendOwned; see internal/buf) gives its buffers back for reuse.
func (c *streamConn) writeOne(m [][]byte) error {
	if isSubMessage(m) {
		return c.zc.WriteSubscribe(m[1][1:], m[1][0] == 1)
	}
	if err := c.zc.WriteMessage(m); err != nil {
		return err
	}
	if buf.Release(m) {
		c.s.recycled.Add(1)
	}
	return nil
}

// commit confirms n flushed messages of a write-through pipe. They did
// reach the connection, so a failure to record that on disk costs at most
// a repeat after a crash; it is logged, not treated as a connection error.
func (c *streamConn) commit(n int) {
	if err := c.p.out.Commit(n); err != nil {
		c.s.log.Warn("write-through commit", "peer", c.p.out.Key(), "err", err)
	}
}
