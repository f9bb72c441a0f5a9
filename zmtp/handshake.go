package zmtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// errorLinger bounds how long a failing handshake waits for its last writes
// (an ERROR for the peer) to be taken by a transport that does not buffer.
const errorLinger = 250 * time.Millisecond

// aLongTimeAgo is a deadline in the past, used to abort blocked I/O at once.
var aLongTimeAgo = time.Unix(1, 0)

// Handshake runs the ZMTP handshake over nc and returns the connection ready for
// traffic. With the NULL mechanism it opens with RFC 23's staged greeting, so
// a ZMTP 1.0 or 2.0 peer is answered in its own protocol (legacy_conn.go);
// with PLAIN or CURVE (or Config.RefuseLegacy) it sends its whole greeting at
// once and refuses such peers, recognised without waiting for bytes they will
// not send. It then sends the mechanism's first command with the rest of the
// greeting, runs the mechanism and checks socket-type compatibility, sending
// ERROR before failing when the peer is refused.
//
// The handshake is bounded by ctx and cfg.HandshakeTimeout through nc's
// deadline, which is cleared on success. On failure nc is closed.
func Handshake(ctx context.Context, nc net.Conn, cfg Config) (*Conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	mech, err := NewMechanism(cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return handshakeWith(ctx, nc, cfg, mech)
}

// handshakeWith is Handshake with a given mechanism.
func handshakeWith(ctx context.Context, nc net.Conn, cfg Config, mech Mechanism) (conn *Conn, err error) {
	c := newConn(nc, cfg)
	c.mech = mech

	timeout := cfg.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := nc.SetDeadline(deadline); err != nil {
		nc.Close()
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(aLongTimeAgo) })
	if z, ok := mech.(zapUser); ok && z.zapper() != nil {
		// A ZAP handler gets until the handshake deadline, and the address.
		zctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		z.zapper().ctx, z.zapper().remote = zctx, nc.RemoteAddr()
	}
	c.hsw = c.startWriter()
	defer func() {
		// Wait for our writes, an ERROR for the peer included, before closing;
		// on failure only briefly, as the peer may have stopped reading.
		if err != nil {
			_ = nc.SetWriteDeadline(time.Now().Add(errorLinger))
		}
		if werr := c.hsw.finish(); err == nil {
			err = werr
		}
		c.hsw = nil
		if !stop() && err == nil {
			// ctx ended while we finished: the deadline may be in the past now.
			err = ctx.Err()
		}
		if err == nil {
			err = nc.SetDeadline(time.Time{})
		}
		if err != nil {
			conn, err = nil, handshakeError(ctx, err)
			nc.Close()
		}
	}()
	if err := c.handshake(); err != nil {
		return nil, err
	}
	return c, nil
}

// handshakeError makes timeouts and cancellation recognisable.
func handshakeError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			return fmt.Errorf("%w: %w", ErrHandshakeTimeout, cerr)
		}
		return fmt.Errorf("zmtp: handshake: %w", cerr)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The transport deadline may fire a hair before ctx's own timer.
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			return fmt.Errorf("%w: %w", ErrHandshakeTimeout, context.DeadlineExceeded)
		}
		return fmt.Errorf("%w: %w", ErrHandshakeTimeout, err)
	}
	return err
}

// handshake runs the greeting exchange, then the mechanism's commands, then
// takes what the handshake settled about the peer.
func (c *Conn) handshake() error {
	out, sent, legacy, err := c.exchangeGreetings()
	if err != nil || legacy {
		return err // a ZMTP 1.0/2.0 peer was set up by the version detection
	}
	if err := c.runMechanism(out, sent); err != nil {
		return err
	}
	c.adoptPeer()
	return nil
}

// exchangeGreetings sends our greeting with the mechanism's first command and
// reads the peer's greeting. It returns the buffer for reuse and the name of
// what we sent last, which names the point where a peer that hangs up did so
// (see PeerClosedError). legacy reports a ZMTP 1.0 or 2.0 peer, whose
// connection the version detection has already set up.
func (c *Conn) exchangeGreetings() (out []byte, sent string, legacy bool, err error) {
	greetSent := 0 // octets of our greeting already sent by the version detection
	if c.detectsLegacy() {
		if greetSent, legacy, err = c.negotiateVersion(); err != nil || legacy {
			// A peer that hangs up here saw only our signature.
			return nil, "", legacy, c.peerClosed(err, "signature", false) // legacy_conn.go
		}
	}
	out, err = AppendGreeting(nil, Greeting{Mechanism: c.mech.Name(), AsServer: c.mech.AsServer()})
	if err != nil {
		return nil, "", false, err
	}
	// The first command does not depend on the peer's greeting, so it goes in
	// the same write: one round trip fewer.
	if out, err = c.mech.Start(out); err != nil {
		return nil, "", false, err
	}
	c.queue(out[greetSent:])
	sent = lastCommandName(out[GreetingSize:], "greeting")
	if err := c.readGreeting(); err != nil {
		var le *LegacyPeerError
		if errors.As(err, &le) {
			le.Mechanism = c.mech.Name()
			return nil, "", false, err
		}
		return nil, "", false, c.peerClosed(err, sent, false)
	}
	if ag, ok := c.mech.(afterGreeting); ok {
		more, err := ag.afterGreeting(out[:0])
		if len(more) > 0 {
			c.queue(more)
		}
		if err != nil {
			return nil, "", false, err
		}
	}
	return out, sent, false, nil
}

// runMechanism reads the peer's handshake commands and answers them until
// the mechanism is done. Commands are bounded by maxHandshakeCommand until
// then; the socket's message limit applies afterwards.
func (c *Conn) runMechanism(out []byte, sent string) error {
	c.fr.MaxFrameSize = maxHandshakeCommand
	for {
		h, err := c.fr.ReadHeader()
		if err != nil {
			return c.peerClosed(err, sent, true)
		}
		if !h.Command() {
			return ErrUnexpectedMessage
		}
		body, err := c.readBody(nil, h.Size)
		if err != nil {
			return c.peerClosed(err, sent, true)
		}
		cmd, err := ParseCommand(body)
		if err != nil {
			return err
		}
		var done bool
		out, done, err = c.mech.Next(out[:0], cmd)
		if len(out) > 0 {
			c.queue(out)
			sent = lastCommandName(out, sent)
		}
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	c.fr.MaxFrameSize = c.cfg.MaxMessageSize
	return nil
}

// adoptPeer takes from the finished mechanism what the connection keeps:
// the frame codec, the peer's metadata, type and identity, and how
// subscriptions travel.
func (c *Conn) adoptPeer() {
	c.codec = c.mech.FrameCodec()
	c.peerMD = c.mech.PeerMetadata()
	c.userID = c.mech.UserID()
	if z, ok := c.mech.(zapUser); ok {
		c.authMD = z.AuthMetadata()
	}
	c.peerType = strings.ToUpper(c.peerMD.Get(PropSocketType))
	if id, ok := c.peerMD.Lookup(PropIdentity); ok && len(id) > 0 {
		c.peerIdentity = id
	}
	c.subsAsMsgs = c.peer.Major == 3 && c.peer.Minor == 0
	local := strings.ToUpper(c.cfg.SocketType)
	c.convertSubs = local == "PUB" || local == "XPUB"
}

// handshakeWriter performs the handshake's writes on a goroutine that lives
// only as long as Handshake, while Handshake reads. Both peers write before
// they read, so on a transport whose writes wait for the reader (net.Pipe)
// writing inline would deadlock.
type handshakeWriter struct {
	ch   chan []byte
	done chan error
}

func (c *Conn) startWriter() *handshakeWriter {
	w := &handshakeWriter{ch: make(chan []byte, 4), done: make(chan error, 1)}
	go func() {
		var err error
		for b := range w.ch {
			if err == nil {
				err = c.send(b)
			}
		}
		w.done <- err
	}()
	return w
}

// queue hands a copy of b to the handshake writer.
func (c *Conn) queue(b []byte) {
	c.hsw.ch <- append([]byte(nil), b...)
}

// finish waits until everything queued was written (or failed, bounded by the
// handshake deadline) and ends the writer.
func (w *handshakeWriter) finish() error {
	close(w.ch)
	return <-w.done
}

// send writes b and flushes, under the write lock.
func (c *Conn) send(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.fw.WriteRaw(b); err != nil {
		return err
	}
	return c.fw.Flush()
}

// greetingStages are the prefix lengths at which a legacy peer can be told
// apart (RFC 37 "Backwards Interoperability"); a ZMTP 1.0 peer may send as
// little as two bytes and then wait, so we must not ask for more first.
var greetingStages = [...]int{1, 10, 11, GreetingSize}

func (c *Conn) readGreeting() error {
	for _, k := range greetingStages {
		b, err := c.fr.br.Peek(k)
		if err != nil {
			return eofErr(err, 1)
		}
		g, n, err := ParseGreeting(b)
		if errors.Is(err, ErrShort) {
			continue
		}
		if err != nil {
			return err
		}
		_, _ = c.fr.br.Discard(n)
		if g.Mechanism != c.mech.Name() {
			return fmt.Errorf("%w: we use %s, peer %s", ErrMechanismMismatch, c.mech.Name(), g.Mechanism)
		}
		c.peer = g
		return nil
	}
	return ErrShort // unreachable: the last stage is a whole greeting
}
