package socket

import (
	"bufio"
	"context"
	"net"

	"github.com/purezmq/purezmq/internal/buf"
)

// streamReadSize is the most a STREAM reader takes from the network per
// message, as libzmq's raw decoder hands over at most 8 KiB per read.
const streamReadSize = 8 << 10

// serveRaw runs one STREAM connection, accepted (c nil) or made by the
// connect endpoint c, from attach to detach, in the calling goroutine. The
// peer gets c's routing id when it has one, or a generated one.
func (s *Socket) serveRaw(nc net.Conn, ep string, c *connector) {
	addr := nc.RemoteAddr().String()
	p := s.newPeer(ep, nil, false)
	p.addr = addr
	p.peerType = Stream.String()
	if c != nil && c.routingID != nil {
		p.routingID = c.routingID
	} else {
		p.routingID = s.generateRoutingID()
	}
	// Registered before the peer is attached, as openConn does for ZMTP
	// connections: a Close in between then waits (linger) for what the
	// application already queued to the new peer.
	sc, err := s.openRaw(nc)
	if err != nil {
		p.out.Close()
		p.in.Close()
		return // closing: the socket takes no new connection
	}
	if err := s.attachPeer(p); err != nil {
		sc.abandon()
		p.out.Close()
		p.in.Close()
		s.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Peer: addr, Err: err})
		return
	}
	if c != nil {
		c.track(p, true)
	}
	// No handshake: the peer is usable as soon as it is attached, which is
	// when libzmq reports the handshake of a raw connection as done.
	s.emit(Event{Kind: EventHandshakeSucceeded, Endpoint: ep, Peer: addr})
	err = s.runRaw(sc, p)
	if c != nil {
		c.track(p, false)
		if p.userClosed.Load() {
			// libzmq ends the session of a raw peer the application closed:
			// the endpoint does not reconnect.
			c.stopDialing()
		}
	}
	s.detachPeer(p, err)
	s.emit(Event{Kind: EventDisconnected, Endpoint: ep, Peer: addr, Err: err})
}

// openRaw registers a raw connection for Close's linger, or refuses it
// (closing nc) when the socket is closed.
func (s *Socket) openRaw(nc net.Conn) (*streamConn, error) {
	c := &streamConn{s: s, raw: nc, ended: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.cancel()
		nc.Close()
		return nil, ErrClosed
	}
	s.conns[c] = struct{}{}
	s.nconns.Store(int32(len(s.conns)))
	s.mu.Unlock()
	return c, nil
}

// runRaw is runConn for a raw connection from openRaw: it starts the writer
// and becomes the reader.
func (s *Socket) runRaw(c *streamConn, p *peer) error {
	c.p = p
	defer c.cancel()
	p.mu.Lock()
	if p.detached {
		p.mu.Unlock()
		c.shutdown(errPeerGone)
	} else {
		p.conn = c
		p.mu.Unlock()
	}

	writerDone := make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(writerDone)
		c.writeRaw()
	}()
	c.readRaw()
	<-writerDone
	close(c.ended)

	p.mu.Lock()
	if p.conn == c {
		p.conn = nil
	}
	p.mu.Unlock()
	s.mu.Lock()
	delete(s.conns, c)
	s.nconns.Store(int32(len(s.conns)))
	s.mu.Unlock()
	return c.err
}

// readRaw delivers each chunk read as [routing id, chunk], waiting while the
// inbound pipe is at its HWM (TCP back-pressure, as for ZMTP peers). With
// notifications on, [routing id, ""] comes first, and again when the peer
// goes, unless the application closed it or the socket is closing.
func (c *streamConn) readRaw() {
	p := c.p
	notify := !c.s.opt().stream.noNotify
	// One pooled block per message, id and data together: Msg.Release
	// gives it back.
	deliver := func(ctx context.Context, data []byte) bool {
		frames := [2][]byte{p.routingID, data}
		m := buf.Copy(frames[:], true)
		if err := p.in.Push(ctx, m); err != nil {
			buf.Release(m)
			return false
		}
		return true
	}
	if notify && !deliver(c.ctx, nil) {
		c.shutdown(ErrClosed)
		return
	}
	scratch := make([]byte, streamReadSize)
	for {
		n, err := c.raw.Read(scratch)
		if n > 0 && p.userClosed.Load() {
			// The application closed this peer: what still arrives
			// before the close takes effect is dropped, as libzmq does.
			n = 0
		}
		if n > 0 && !deliver(c.ctx, scratch[:n]) {
			// The peer was dropped or the socket is closing: stop reading
			// and let the writer finish flushing.
			return
		}
		if err != nil {
			peerLeft := c.ctx.Err() == nil
			c.shutdown(err)
			if peerLeft && notify && !p.userClosed.Load() && !c.s.closing.Load() {
				// The socket's context, not the connection's (cancelled
				// just now): the announcement waits for room like data.
				deliver(c.s.ctx, nil)
			}
			return
		}
	}
}

// writeRaw writes each queued message's data frames back to back, flushing
// once per batch, and closes the connection at a close tag (or once the
// pipe is closed and drained: Close with linger, or the peer dropped).
func (c *streamConn) writeRaw() {
	out := c.p.out
	w := bufio.NewWriterSize(c.raw, 16<<10)
	var batch [][][]byte
	for {
		select {
		case <-out.Readable():
		case <-c.ctx.Done():
			return
		}
		batch = out.PopBatch(batch[:0])
		for i, m := range batch {
			if isStreamClose(m) {
				clear(batch)
				if err := w.Flush(); err != nil {
					c.shutdown(err)
					return
				}
				c.shutdown(nil)
				return
			}
			for _, f := range m {
				if _, err := w.Write(f); err != nil {
					clear(batch)
					c.shutdown(err)
					return
				}
			}
			buf.Release(m)
			batch[i] = nil
		}
		if err := w.Flush(); err != nil {
			c.shutdown(err)
			return
		}
		if cap(batch) > maxKeptBatch {
			batch = nil
		}
		if out.Closed() && out.Len() == 0 {
			c.shutdown(nil)
			return
		}
	}
}
