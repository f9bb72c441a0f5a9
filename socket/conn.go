package socket

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/purezmq/purezmq/internal/buf"
	"github.com/purezmq/purezmq/internal/zmtphook"
	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// streamConn runs one ZMTP connection of a peer: a reader goroutine (the one
// that made the connection) and a writer goroutine.
type streamConn struct {
	s  *Socket
	zc *zmtp.Conn
	p  *peer
	// raw is a STREAM connection's socket, read and written without ZMTP
	// (conn_stream.go); zc is nil then.
	raw net.Conn

	ctx    context.Context // cancelled by shutdown
	cancel context.CancelFunc
	once   sync.Once
	err    error         // why the connection ended; set once by shutdown
	ended  chan struct{} // closed when both goroutines are done

	// wmu is held by whoever writes messages to zc: the writer goroutine
	// while it drains the outbound pipe, or a Send writing directly
	// (tryDirect). Holding it with an empty pipe means every message sent
	// before was written, which is what keeps a direct write in order.
	wmu sync.Mutex
	// kick wakes the parked writer to finish what a direct write left in
	// zc's buffer because the socket would not take it all at once.
	kick chan struct{}
	// ttlSet carries the peer's PING TTL from the reader to the writer
	// (heartbeat_ttl.go).
	ttlSet chan time.Duration
}

// shutdown ends the connection: it records the cause, wakes the reader
// (blocked on the network or on a full inbound pipe) and the writer.
func (c *streamConn) shutdown(cause error) {
	c.once.Do(func() {
		c.err = cause
		c.cancel()
		if c.raw != nil {
			c.raw.Close()
			return
		}
		c.zc.Close()
	})
}

func (s *Socket) zmtpConfig() zmtp.Config {
	o := s.opt()
	cfg := zmtp.Config{
		SocketType:       s.typ.String(),
		Identity:         o.identity,
		MaxMessageSize:   o.maxMsgSize,
		HandshakeTimeout: o.handshakeIvl,
		Security:         o.sec,
		Announce:         o.legacy.announce,
		RefuseLegacy:     o.legacy.refuse || refusesLegacyForZAP(o),
	}
	cfg.Security.ZAP = s.zapFunc()
	return cfg
}

// fillPeer records what the handshake told us about the peer.
func fillPeer(p *peer, zc *zmtp.Conn) {
	if id := zc.PeerIdentity(); len(id) > 0 {
		p.identity = append([]byte(nil), id...)
	}
	p.userID = zc.UserID()
	p.authMD = zc.AuthMetadata()
	p.peerType = zc.PeerSocketType()
	if a := zc.NetConn().RemoteAddr(); a != nil {
		p.addr = a.String()
	}
	p.md.Store(newConnInfo(zc).metadata())
}

// errPeerGone reports a connection whose peer was detached before it started.
var errPeerGone = errors.New("socket: peer detached")

// runConn serves zc for peer p until the connection ends and returns why
// (nil when we ended it in an orderly way, e.g. a flushed Close).
func (s *Socket) runConn(zc *zmtp.Conn, p *peer) error {
	c := &streamConn{s: s, zc: zc, p: p, ended: make(chan struct{}), kick: make(chan struct{}, 1)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer c.cancel()
	s.mu.Lock()
	// While closing, only a connect endpoint still flushing its queue
	// (linger) may start a connection.
	if s.closed && (!p.persistent || s.lingerOver) {
		s.mu.Unlock()
		zc.Close()
		return ErrClosed
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	p.mu.Lock()
	if p.detached {
		p.mu.Unlock()
		c.shutdown(errPeerGone)
	} else {
		p.conn = c
		if s.directWrites(p) {
			p.direct.Store(c)
		}
		p.mu.Unlock()
	}

	c.watchPeerTTL()
	if s.opt().ext.probeRouter {
		c.probe()
	}
	writerDone := make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(writerDone)
		c.write()
	}()
	c.read()
	<-writerDone
	close(c.ended)

	p.mu.Lock()
	if p.conn == c {
		p.conn = nil
	}
	p.direct.CompareAndSwap(c, nil)
	p.mu.Unlock()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	return c.err
}

// read pushes each message into the peer's inbound pipe, waiting while the
// pipe is at its HWM: that wait stops us reading the socket, which is how
// TCP back-pressure reaches the sender. PUB and XPUB take subscriptions (and
// XPUB upstream messages) directly instead.
func (c *streamConn) read() {
	sr, _ := c.s.h.(subReceiver)
	ur, _ := c.s.h.(upstreamReceiver)
	saveSubs := sr != nil && c.s.savesSubs(c.p)
	// Messages are staged into the inbox and published in bursts: while
	// data keeps arriving they pile up, and they become visible to Recv
	// together when the stream pauses (zmtphook.SetBeforeWait), when stagedMax
	// bytes are staged, or at the inbox's own bounds. So Recv and this
	// reader do not meet for every message, and a Recv that has caught up
	// is woken once per burst rather than once per message.
	in, _ := c.p.in.(*queue.Inbox)
	if c.s.typ == Router && in != nil {
		// The routing id goes in front of each message as it is read,
		// carved from the reader's slabs, instead of a copy and a new
		// frame list per message in Recv.
		zmtphook.SetPrefix(c.zc, c.p.routingID)
	}
	staged := 0
	if in != nil {
		zmtphook.SetBeforeWait(c.zc, func() {
			in.Publish()
			staged = 0
		})
		defer in.Publish()
	}
	for {
		msg, cmd, err := c.zc.ReadMessage()
		if err != nil {
			c.shutdown(err)
			return
		}
		if cmd.Name != "" {
			if sr != nil && (cmd.Name == zmtp.CmdSubscribe || cmd.Name == zmtp.CmdCancel) {
				sr.onSubscribe(c.p, cmd.Body, cmd.Name == zmtp.CmdSubscribe)
				if saveSubs {
					c.s.saveSubs(c.p)
				}
			}
			continue
		}
		if ur != nil {
			ur.onUpstream(c.p, msg)
			continue
		}
		if in != nil {
			err = in.Stage(c.ctx, msg)
			for _, f := range msg {
				staged += len(f)
			}
			if staged >= stagedMax {
				in.Publish()
				staged = 0
			}
		} else {
			err = c.p.in.Push(c.ctx, msg)
		}
		if err != nil {
			if errors.Is(err, queue.ErrClosed) {
				// The socket is closing or dropped this peer: stop reading
				// and let the writer finish flushing.
				return
			}
			return // ctx: shut down already
		}
	}
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

// stagedMax bounds the bytes a connection reader stages before it
// publishes them to Recv even though more data is waiting: a consumer gets
// large messages a few at a time, and small ones in bursts of Inbox's own
// message bound.
const stagedMax = 256 << 10

// write waits for the outbound pipe to become readable, takes everything
// queued, writes it and flushes once: one syscall per batch. With
// heartbeats it also sends PINGs and ends a connection silent for too long.
//
// A write-through pipe (WithWriteThrough) keeps popped messages in its ring
// until Commit: the writer commits a batch only once it was written and
// flushed, and when the connection fails it rolls the batch back, so the
// next connection with the same key gets those messages again, in order.
// Other pipes take the loop without either call.
func (c *streamConn) write() {
	o := c.s.opt()
	var tick <-chan time.Time
	// ZMTP 1.0 and 2.0 have no PING: no heartbeats on such a connection.
	if o.hbInterval > 0 && c.zc.Legacy() == 0 {
		t := time.NewTicker(o.hbInterval)
		defer t.Stop()
		tick = t.C
	}
	out := c.p.out
	wt := c.s.budget != nil && c.s.writesThrough(out.Key())
	fail := func(err error) {
		c.shutdown(err)
		if wt {
			out.Rollback()
		}
	}
	var ttl ttlWatch // the peer's PING TTL, once it sent one
	defer ttl.stop()
	var batch [][][]byte // reused: PopBatch appends to it without allocating
	// unsent: the first message of the batch that may still sit, whole or
	// in part, in zc's buffer (tracked only while Close lingers).
	unsent := 0
	var win unsentWindow
	// The writer holds wmu except while parked, when a Send may take it to
	// write directly (tryDirect).
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for {
		ready := out.Readable()
		parked := false
		select {
		case <-ready:
		default:
			// Nothing queued: this goroutine parks and the next Send pays
			// for waking it, unless that Send writes directly.
			c.s.writerParks.Add(1)
			parked = true
			c.wmu.Unlock()
		}
		ticked, done := false, false
		ttlCheck, newTTL := false, time.Duration(-1)
		select {
		case <-ready:
		case <-c.kick:
		case <-c.ctx.Done():
			done = true
		case <-tick:
			ticked = true
		case <-ttl.C:
			ttlCheck = true
		case newTTL = <-c.ttlSet:
		}
		if parked {
			c.wmu.Lock()
		}
		if done {
			return
		}
		if newTTL >= 0 {
			ttl.set(newTTL)
			continue
		}
		if ttlCheck {
			if err := ttl.expired(c.zc.LastRead()); err != nil {
				c.shutdown(err)
				return
			}
			continue
		}
		if ticked {
			if time.Since(c.zc.LastRead()) > o.hbTimeout {
				c.shutdown(ErrHeartbeatTimeout)
				return
			}
			if err := c.zc.WritePing(o.hbTTL, nil); err != nil {
				c.shutdown(err)
				return
			}
			if err := c.zc.Flush(); err != nil {
				c.shutdown(err)
				return
			}
			continue
		}
		n := 0
		if wt {
			// Write-through pops one by one, a bounded batch per commit.
			for n < writeThroughBatch {
				m, ok := out.Pop()
				if !ok {
					break
				}
				n++
				if err := c.writeOne(m); err != nil {
					fail(err)
					return
				}
			}
		} else {
			// Everything queued under one lock: a Send racing with us
			// meets a pipe lock held once per batch, not once per message.
			batch = out.PopBatch(batch[:0])
			n = len(batch)
			// A lone message after an idle spell (request/reply) most
			// likely meets a connection whose peer has read everything,
			// which decides how large bodies are best written.
			zmtphook.SetDrained(c.zc, parked && n == 1)
			// While Close lingers, track which messages may still sit in
			// zc's buffer, so that a cut connection's losses are counted
			// exactly (see unsentWindow); otherwise this costs an atomic
			// load per message.
			counting := false
			win.reset(0)
			for i, m := range batch {
				if counting || c.s.closing.Load() {
					if !counting {
						// Close began during this batch: hand what is
						// buffered to the kernel, so every message
						// before this one is out. If that fails, the
						// previous message may be lost too: count it.
						counting = true
						if err := c.zc.Flush(); err != nil {
							c.s.noteUnwritten(len(batch) - max(i-1, 0))
							clear(batch)
							fail(err)
							return
						}
						win.reset(i)
					}
				}
				if err := c.writeOne(m); err != nil {
					if counting {
						written, _ := zmtphook.Progress(c.zc)
						win.gone(written)
					}
					c.s.noteUnwritten(len(batch) - win.first)
					clear(batch)
					fail(err)
					return
				}
				if counting {
					win.wrote(zmtphook.Progress(c.zc))
				}
			}
			unsent = win.first
		}
		if n > 0 || c.zc.Buffered() > 0 {
			if err := c.zc.Flush(); err != nil {
				if !wt {
					if unsent < n {
						written, _ := zmtphook.Progress(c.zc)
						win.gone(written)
						unsent = win.first
					}
					c.s.noteUnwritten(n - unsent)
				}
				fail(err)
				return
			}
			if wt {
				c.commit(n)
			}
			// The frames were written: do not keep the caller's buffers
			// alive until the next batch, nor a huge backlog's array.
			clear(batch)
			if cap(batch) > maxKeptBatch {
				batch = nil
			}
		}
		if out.Closed() && out.Len() == 0 {
			// Closed and drained (Close with linger, or the peer left).
			c.shutdown(nil)
			return
		}
	}
}

// tryDirect writes m to the peer's connection from the sending goroutine
// when the connection's writer is parked and nothing is queued ahead of m:
// the message leaves in this Send, without waking the writer goroutine,
// which is one scheduler hand-off less per message (what a REQ/REP round
// trip waits for). The write never waits for the network: what the socket
// does not take at once stays in the connection's buffer and the writer is
// woken to finish it. It reports whether m was taken; if not, the caller
// queues m as usual.
func (p *peer) tryDirect(m [][]byte) bool {
	c := p.direct.Load()
	if c == nil || !directSize(m) || !c.wmu.TryLock() {
		return false
	}
	defer c.wmu.Unlock()
	if c.ctx.Err() != nil || p.out.Len() != 0 || c.zc.Buffered() != 0 {
		return false
	}
	if err := c.writeOne(m); err != nil {
		c.shutdown(err)
		return false
	}
	done, err := zmtphook.TryFlush(c.zc)
	if err != nil {
		// The connection failed before m went out whole: nothing of it
		// reached the peer as a message, so it is queued for the next
		// connection like any other.
		c.shutdown(err)
		return false
	}
	if !done {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	c.s.directSent.Add(1)
	return true
}

// directSize reports whether m is small enough for a direct write: every
// frame copied into the connection's buffer (none written on its own, which
// would block) and the whole well inside the buffer.
func directSize(m [][]byte) bool {
	total := 0
	for _, f := range m {
		if len(f) >= directMaxFrame {
			return false
		}
		total += len(f)
	}
	return total <= directMaxMsg
}

const (
	directMaxFrame = 16 << 10 // zmtp writes frames from this size on their own
	directMaxMsg   = 32 << 10 // half the connection's write buffer
)

// directWrites reports whether Send may write to p's connection itself: only
// for REQ and REP, whose sends alternate with receives. There a message
// written directly is the only one in flight; elsewhere a stream of Sends
// would each make a syscall instead of sharing the writer's batches (16 B
// PUSH throughput fell from 7 M to 0.3 M msg/s when PUSH wrote directly),
// and a PUB could block on a subscriber's full TCP buffer.
func (s *Socket) directWrites(p *peer) bool {
	switch s.typ {
	case Req, Rep:
		return !(s.budget != nil && s.writesThrough(p.out.Key()))
	}
	return false
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
