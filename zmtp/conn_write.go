package zmtp

import (
	"fmt"
	"time"
)

func (c *Conn) pong(pctx []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	// Through writeFrame, so that under CURVE the PONG is encrypted too.
	c.cmdTmp, _ = AppendCommandBody(c.cmdTmp[:0], CmdPong, pctx)
	if err := c.writeFrame(FlagCommand, c.cmdTmp); err != nil {
		c.writeErr = err
		return err
	}
	if err := c.fw.Flush(); err != nil {
		c.writeErr = err
		return err
	}
	return nil
}

// WriteMessage queues a message. Nothing is written until Flush unless the
// buffer fills or a frame is large (sent straight from the caller's slice);
// frames may be reused as soon as it returns. Errors are permanent.
func (c *Conn) WriteMessage(frames [][]byte) error {
	if len(frames) == 0 {
		return ErrEmptyMessage
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeMessageLocked(frames)
}

// lockWrites takes the write lock for a run of writeMessageLocked and
// writeSubscribeLocked calls by one goroutine: a socket's connection
// writer emptying its queue pays for one lock per batch instead of one
// per message (the lock was a seventh of a 16 B sender's profile).
// Anything else that writes meanwhile (the reader's PONG) waits for
// unlockWrites.
func (c *Conn) lockWrites()   { c.wmu.Lock() }
func (c *Conn) unlockWrites() { c.wmu.Unlock() }

// writeMessageLocked is WriteMessage with the write lock held.
func (c *Conn) writeMessageLocked(frames [][]byte) error {
	if len(frames) == 0 {
		return ErrEmptyMessage
	}
	if c.writeErr != nil {
		return c.writeErr
	}
	last := len(frames) - 1
	for i, f := range frames {
		flags := FlagMore
		if i == last {
			flags = 0
		}
		if err := c.writeFrame(flags, f); err != nil {
			c.writeErr = err
			return err
		}
	}
	return nil
}

func (c *Conn) writeFrame(flags byte, body []byte) error {
	if c.codec == nil {
		return c.fw.WriteFrame(flags, body)
	}
	var err error
	if c.encTmp, err = c.codec.EncodeFrame(c.encTmp[:0], flags, body); err != nil {
		return err
	}
	return c.fw.WriteRaw(c.encTmp)
}

// WriteCommand queues a command frame.
func (c *Conn) WriteCommand(name string, body []byte) error {
	if c.legacy != 0 {
		return fmt.Errorf("%w: %s", ErrLegacyNoCommand, name)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeCommandLocked(name, body)
}

// writeCommandLocked is WriteCommand with the write lock held.
func (c *Conn) writeCommandLocked(name string, body []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	var err error
	if c.cmdTmp, err = AppendCommandBody(c.cmdTmp[:0], name, body); err != nil {
		return err // a bad name is the caller's mistake, not a broken connection
	}
	if err := c.writeFrame(FlagCommand, c.cmdTmp); err != nil {
		c.writeErr = err
		return err
	}
	return nil
}

// WriteSubscribe queues a subscription (subscribe true) or its cancellation:
// a SUBSCRIBE/CANCEL command for a ZMTP 3.1 peer, a message \x01topic or
// \x00topic for a 3.0 peer, which does not know those commands.
func (c *Conn) WriteSubscribe(topic []byte, subscribe bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeSubscribeLocked(topic, subscribe)
}

// writeSubscribeLocked is WriteSubscribe with the write lock held.
func (c *Conn) writeSubscribeLocked(topic []byte, subscribe bool) error {
	if !c.subsAsMsgs {
		name := CmdCancel
		if subscribe {
			name = CmdSubscribe
		}
		if c.legacy != 0 {
			return fmt.Errorf("%w: %s", ErrLegacyNoCommand, name)
		}
		return c.writeCommandLocked(name, topic)
	}
	if c.writeErr != nil {
		return c.writeErr
	}
	c.cmdTmp = append(c.cmdTmp[:0], 0)
	if subscribe {
		c.cmdTmp[0] = 1
	}
	c.cmdTmp = append(c.cmdTmp, topic...)
	if err := c.writeFrame(0, c.cmdTmp); err != nil {
		c.writeErr = err
		return err
	}
	return nil
}

// WritePing queues a PING asking the peer to consider the connection dead if
// nothing arrives within ttl (rounded up to tenths of a second, 0 for none);
// context (at most 16 bytes) comes back in the PONG.
func (c *Conn) WritePing(ttl time.Duration, context []byte) error {
	if len(context) > MaxPingContext {
		return fmt.Errorf("%w: PING context over 16 bytes", ErrMalformedCommand)
	}
	t := PingTTL(ttl)
	var b [2 + MaxPingContext]byte
	b[0], b[1] = byte(t>>8), byte(t)
	n := copy(b[2:], context)
	return c.WriteCommand(CmdPing, b[:2+n])
}

// Flush writes everything queued, in one write call.
func (c *Conn) Flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	if err := c.fw.Flush(); err != nil {
		c.writeErr = err
		return err
	}
	return nil
}

// setDrained tells the writer whether the peer is believed to have read
// everything sent so far; see FrameWriter.setDrained. A connection's writer
// sets it before writing a lone message that followed an idle spell.
// progress returns the bytes written to the network so far and those
// still buffered.
func (c *Conn) progress() (int64, int) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.fw.pos, len(c.fw.buf)
}

func (c *Conn) setDrained(drained bool) {
	c.wmu.Lock()
	c.fw.setDrained(drained)
	c.wmu.Unlock()
}

// tryFlush writes what is queued as far as the network takes it now,
// without waiting; the rest stays queued, in order, for Flush. It reports
// whether nothing is left. Where the connection offers no non-blocking write
// (not a Unix socket, e.g. net.Pipe) it writes nothing and reports false.
func (c *Conn) tryFlush() (bool, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.writeErr != nil {
		return false, c.writeErr
	}
	if c.fw.Buffered() == 0 {
		return true, nil
	}
	if c.nbw == nil {
		return false, nil
	}
	done, err := c.fw.tryFlush(c.nbw.TryWrite)
	if err != nil {
		c.writeErr = err
	}
	return done, err
}

// Buffered returns the number of bytes queued and not yet written.
func (c *Conn) Buffered() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.fw.Buffered()
}
