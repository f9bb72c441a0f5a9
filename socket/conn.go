package socket

import (
	"context"
	"errors"
	"net"
	"runtime"
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
	// ack is the connection's acknowledged delivery (ack.go), nil when it
	// was not negotiated.
	ack *ackConn
	// dir is the read token a waiting Recv may borrow (direct.go).
	dir directState
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
	if o.acked {
		cfg.Properties = ackProps
	}
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

// openConn registers a connection for zc with the socket before its peer is
// attached. Close's linger waits only for the connections it finds
// registered, so a peer must never be visible to Send without its
// connection being registered already: otherwise a Close right after the
// Sends that the new peer unblocked finds no connection to wait for, cuts
// at once, and the connection is refused when it starts, discarding what
// was queued for it. While closing, only a connect endpoint still flushing
// its queue (persistent, linger not over) may open a connection. A
// connection opened but never run is given back with abandon.
func (s *Socket) openConn(zc *zmtp.Conn, persistent bool) (*streamConn, error) {
	c := &streamConn{s: s, zc: zc, ended: make(chan struct{}), kick: make(chan struct{}, 1)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	s.mu.Lock()
	if s.closed && (!persistent || s.lingerOver) {
		s.mu.Unlock()
		c.cancel()
		zc.Close()
		return nil, ErrClosed
	}
	s.conns[c] = struct{}{}
	s.nconns.Store(int32(len(s.conns)))
	s.mu.Unlock()
	return c, nil
}

// abandon ends a connection from openConn that will not run (its peer was
// refused): it closes it and stops Close's linger waiting for it.
func (c *streamConn) abandon() {
	c.shutdown(ErrClosed)
	close(c.ended)
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.nconns.Store(int32(len(c.s.conns)))
	c.s.mu.Unlock()
}

// runConn serves c (from openConn) for peer p until the connection ends and
// returns why (nil when we ended it in an orderly way, e.g. a flushed
// Close).
func (s *Socket) runConn(c *streamConn, p *peer) error {
	c.p = p
	defer c.cancel()
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

	s.negotiateAck(c)
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
	if c.ack != nil {
		// What the peer did not acknowledge goes back to the front of
		// the pipe for the next connection (or Close's accounting).
		c.ack.stop()
		p.out.Requeue()
	}
	close(c.ended)

	p.mu.Lock()
	if p.conn == c {
		p.conn = nil
	}
	p.direct.CompareAndSwap(c, nil)
	p.mu.Unlock()
	s.mu.Lock()
	delete(s.conns, c)
	s.nconns.Store(int32(len(s.conns)))
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
	c.setupDirect(in, sr, ur)
	for {
		msg, cmd, err := zmtphook.ReadNext(c.zc)
		if err != nil {
			if c.dir.ok && errors.Is(err, zmtp.ErrYield) {
				// A Recv waits and this is the socket's only
				// connection: it reads for now (direct.go).
				if c.lend() {
					continue
				}
				return
			}
			c.shutdown(err)
			return
		}
		if cmd != nil {
			if !c.onCommand(*cmd.(*zmtp.Command), sr, saveSubs) {
				return
			}
			continue
		}
		if ur != nil {
			ur.onUpstream(c.p, msg)
			continue
		}
		var seq uint64
		if c.ack != nil {
			var keep bool
			if seq, keep, err = c.numberAcked(); err != nil {
				return
			} else if !keep {
				buf.Release(msg) // a repeat: its buffers go back now
				continue
			}
		}
		if in != nil {
			// Counted before Stage: once staged, msg is Recv's, which
			// may already have released it.
			size := 0
			for _, f := range msg {
				size += len(f)
			}
			staged += size
			// After a large message the reader keeps its token: the
			// next is likely large too, and Recv could only hand it back.
			c.dir.big = size > directReadMax
			err = in.Stage(c.ctx, msg)
			if staged >= stagedMax {
				in.Publish()
				staged = 0
				if size >= yieldMinSize {
					yieldIfAhead(in)
				}
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
		if c.ack != nil {
			c.ack.delivered(seq)
		}
		if c.dir.ok && c.s.recvBusy.Load() > 0 && c.yieldMidStream(in) {
			staged = 0
			if !c.lend() {
				return
			}
		}
	}
}

// onCommand handles a command the peer sent after the handshake: an
// acknowledged-delivery command (ack.go), or a subscription for a socket
// that takes them as commands. It reports false when the connection must
// end (a broken acknowledgement protocol, already shut down).
func (c *streamConn) onCommand(cmd zmtp.Command, sr subReceiver, saveSubs bool) bool {
	if c.ack != nil && (cmd.Name == zmtp.CmdAck || cmd.Name == zmtp.CmdAckStream) {
		if err := c.ack.onCommand(c.ctx, cmd); err != nil {
			c.ackFailed(err)
			return false
		}
		return true
	}
	if sr != nil && (cmd.Name == zmtp.CmdSubscribe || cmd.Name == zmtp.CmdCancel) {
		sr.onSubscribe(c.p, cmd.Body, cmd.Name == zmtp.CmdSubscribe)
		if saveSubs {
			c.s.saveSubs(c.p)
		}
	}
	return true
}

// numberAcked numbers a message received under acknowledged delivery:
// keep is false for one the socket already had (counted, not delivered
// again); an error (the connection already shut down for it) ends reading.
func (c *streamConn) numberAcked() (seq uint64, keep bool, err error) {
	seq, dup, err := c.ack.number(c.ctx)
	if err != nil {
		c.ackFailed(err)
		return 0, false, err
	}
	if dup {
		c.s.ackDups.Add(1)
		return seq, false, nil
	}
	return seq, true, nil
}

// stagedMax bounds the bytes a connection reader stages before it
// publishes them to Recv even though more data is waiting: a consumer gets
// large messages a few at a time, and small ones in bursts of Inbox's own
// message bound.
const stagedMax = 256 << 10

// yieldIfAhead lets a runnable Recv have this P when the reader has
// published aheadMax messages or more that Recv has not taken: the reader
// found data after every read and would otherwise keep the P (on a loaded
// machine, the Recv goroutine it woke waits for a core), filling ever more
// pooled bodies that are cold in the cache by the time the kernel copies
// the next bodies into them again (a 64 KiB PULL went round ~100 of
// them). 64 KiB PUSH->PULL over tcp, receiver CPU per 20000 messages,
// medians of 6 interleaved runs: 623 -> 549 ms (bare TCP 476).
func yieldIfAhead(in *queue.Inbox) {
	if in.Len() >= aheadMax {
		runtime.Gosched()
	}
}

// aheadMax: see yieldIfAhead. yieldMinSize: only readers of large
// messages yield; at 4 KiB a yield every 64 messages cost a quarter of
// the throughput (tcp PUSH->PULL, 3 interleaved runs: 1.04 -> 0.77 M msg/s).
const (
	aheadMax     = 8
	yieldMinSize = 32 << 10
)

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
