package zmtp

import (
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/purezmq/purezmq/internal/buf"
)

// setBeforeWait makes ReadMessage call f whenever a read from the network
// finds nothing to read, just before it waits (on transports that are not
// sockets, e.g. net.Pipe: before every read). A reader that hands messages
// on in bursts (queue.Inbox's Stage) uses it to publish the burst: while
// data keeps arriving, messages pile up and go to the consumer together;
// the moment the stream pauses, everything read so far is handed on. Call
// it from the reading goroutine, or before reading starts.
func (c *Conn) setBeforeWait(f func()) {
	c.beforeWait = f
	if c.nbr != nil {
		c.nbr.idle = f
	}
}

// ReadMessage reads the next whole message: every frame up to the first
// without MORE. Commands are handled on the way: PING is answered with a PONG,
// PONG and unknown commands are dropped, ERROR ends the connection as a
// *PeerError, and SUBSCRIBE and CANCEL are returned in cmd (msg is nil) for the
// socket to apply. On a PUB or XPUB connection a one-frame message starting
// with 1 or 0 (how ZMTP 3.0 peers subscribe) is returned as SUBSCRIBE or
// CANCEL too.
//
// The frames belong to the caller. Frames of up to 2 KiB and the frame
// list are carved from shared slabs (buf.RecvSlab) to save allocations, so
// holding one small frame keeps its slab alive; copy small frames that are
// kept for long. Bodies of 4 KiB and more come from a buffer pool. The list
// carries a mark: buf.Release gives the pooled bodies back and counts the
// message back to its slab, which is reused once all its messages were
// released (see internal/buf). A message or frame over MaxMessageSize (each frame after
// the first counting FrameCost bytes besides its body) is a
// *MessageSizeError, which matches ErrMessageTooLarge. io.EOF means the peer closed between messages. A read
// timeout before the first byte of a message can be retried; every other error
// is permanent.
func (c *Conn) ReadMessage() ([][]byte, Command, error) {
	msg, cmd, err := c.readNext()
	if cmd != nil {
		return nil, *cmd, nil
	}
	return msg, Command{}, err
}

// readNext is ReadMessage returning the command by pointer (to c.cmd,
// valid until the next read): the socket layer's reader calls it through
// zmtphook. Why: ReadMessage's results take ten words, one more than Go
// passes in registers, and copying them through the stack at each of the
// three levels of the read path stalled on store forwarding, ~12% of a
// 16 B receiver's profile.
func (c *Conn) readNext() ([][]byte, *Command, error) {
	if c.readErr != nil {
		return nil, nil, c.readErr
	}
	if c.subscribeAll {
		// A ZMTP 1.0 subscriber never subscribes: it wants everything.
		c.subscribeAll = false
		c.cmd = Command{Name: CmdSubscribe, Body: []byte{}}
		return nil, &c.cmd, nil
	}
	msg, err := c.readMessage()
	if err != nil {
		if !c.retryable(err) {
			c.readErr = err
		}
		return nil, nil, err
	}
	if msg == nil {
		return nil, &c.cmd, nil
	}
	return msg, nil, nil
}

func (c *Conn) retryable(err error) bool {
	if errors.Is(err, ErrYield) {
		return !c.partial
	}
	var ne net.Error
	return !c.partial && errors.As(err, &ne) && ne.Timeout()
}

// readMessage reads frames up to the end of a message (see ReadMessage):
// the frame loop; nextFrame, frameBody and finishMessage do the work. A
// command for the caller is left in c.cmd, with a nil message.
func (c *Conn) readMessage() ([][]byte, error) {
	c.frames = c.frames[:0]
	c.partial = false
	c.rx.Begin()
	var total int64 // the message's size so far, as MaxMessageSize counts it
	for {
		h, raw, err := c.nextFrame()
		if err != nil {
			c.dropFrames()
			return nil, err
		}
		if h.Command() {
			if len(c.frames) > 0 {
				c.dropFrames()
				return nil, fmt.Errorf("%w: command inside a multipart message", ErrMalformedCommand)
			}
			cmd, err := c.readCommand(h, raw)
			if err != nil {
				return nil, err
			}
			if cmd.Name != "" {
				c.cmd = cmd
				return nil, nil
			}
			c.partial = false // back at a message boundary
			continue
		}
		frame, err := c.frameBody(h, raw, &total)
		if err != nil {
			c.dropFrames()
			return nil, err
		}
		c.frames = append(c.frames, frame)
		if !h.More() {
			return c.finishMessage()
		}
	}
}

// nextFrame reads the next frame's header and, when a FrameCodec is in
// use, its decoded body (raw); without one the body is left for frameBody
// or readCommand to read.
func (c *Conn) nextFrame() (h FrameHeader, raw []byte, err error) {
	if h, err = c.fr.ReadHeader(); err != nil {
		if len(c.frames) > 0 && err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if errors.Is(err, ErrFrameTooLarge) {
			err = fmt.Errorf("%w: %w", ErrMessageTooLarge, err)
		}
		return h, nil, err
	}
	c.partial = true
	if c.codec == nil {
		return h, nil, nil
	}
	if raw, err = c.readBody(nil, h.Size); err != nil {
		return h, nil, err
	}
	return c.codec.DecodeFrame(h, raw)
}

// frameBody counts a data frame against MaxMessageSize (total holds the
// message so far) before any buffer is sized for it, and returns its body:
// raw when a FrameCodec decoded it already, else read now.
func (c *Conn) frameBody(h FrameHeader, raw []byte, total *int64) ([]byte, error) {
	*total += int64(h.Size)
	if len(c.frames) > 0 {
		*total += FrameCost
	}
	if m := c.cfg.MaxMessageSize; m > 0 && *total > m {
		return nil, &MessageSizeError{Limit: m, Size: *total, Frames: len(c.frames) + 1}
	}
	if c.codec != nil {
		return raw, nil
	}
	return c.readFrameBody(h.Size, len(c.frames) == 0 && !h.More())
}

// finishMessage hands over the frames read into c.frames: as a SUBSCRIBE
// or CANCEL when the connection converts ZMTP 3.0 subscriptions, else as
// the message's frame list (behind the prefix, if one is set), carved from
// the receive slab with its mark. A command is left in c.cmd (nil message).
func (c *Conn) finishMessage() ([][]byte, error) {
	if c.convertSubs && len(c.frames) == 1 && len(c.frames[0]) > 0 && c.frames[0][0] <= 1 {
		f := c.frames[0]
		c.dropFrames()
		name := CmdCancel
		if f[0] == 1 {
			name = CmdSubscribe
		}
		// A copy: the slab the frame lies in is not held by any message
		// and may be reused.
		c.cmd = Command{Name: name, Body: append([]byte(nil), f[1:]...)}
		return nil, nil
	}
	msg := c.rx.List(c.frames, c.prefix)
	c.dropFrames()
	return msg, nil
}

// setPrefix makes ReadMessage put a copy of frame in front of every message
// it returns from now on (a ROUTER's routing id for the peer): the copy
// comes from the same slab as the message, so the prefix costs no
// allocation. Call it from the reading goroutine, or before reading starts.
func (c *Conn) setPrefix(frame []byte) {
	c.prefix = append(make([]byte, 0, len(frame)+1), frame...)
}

// dropFrames empties the frame list without keeping the frames alive.
func (c *Conn) dropFrames() {
	if len(c.frames) == 1 {
		c.frames[0] = nil // cheaper than clear's bulk write barrier
	} else {
		clear(c.frames)
	}
	c.frames = c.frames[:0]
}

// readFrameBody returns a fresh buffer holding the next size bytes, carved from
// the receive slab when small and taken from the buffer pool when large.
// lone says the frame is a whole message: such bodies, when large, are
// read with frames guessed ahead (zmtp/readahead.go), and one that was
// comes in the buffer it was read into.
func (c *Conn) readFrameBody(size int, lone bool) ([]byte, error) {
	if size >= buf.MinPooled {
		if b, got, ok := c.fr.takeGuess(); ok {
			return b, c.fr.readLone(b[got:], size)
		}
		// Past growChunk a body is only taken from the pool when one is
		// there: a fresh class-sized buffer would commit memory for a size
		// the peer may never send, which readBody's growth avoids.
		if b := buf.Get(size, size <= growChunk); b != nil {
			if lone && size >= directReadMin && size <= growChunk && c.legacy == 0 {
				return b, c.fr.readLone(b, size)
			}
			return b, c.fr.ReadBody(b)
		}
	}
	if size > buf.RecvMaxFrame {
		return c.readBody(nil, size)
	}
	b := c.rx.Frame(c.frames, size)
	return b, c.fr.ReadBody(b)
}

// readCommand reads a command frame's body and acts on it. It returns a
// Command with a Name only for those the caller must see.
// body is the decoded body when a FrameCodec is in use, else nil.
func (c *Conn) readCommand(h FrameHeader, body []byte) (Command, error) {
	if c.codec == nil {
		var err error
		if body, err = c.readBody(c.cmdBuf, h.Size); err != nil {
			return Command{}, err
		}
		if cap(body) <= growChunk {
			c.cmdBuf = body[:0] // keep for the next command, but never a huge one
		}
	}
	cmd, err := ParseCommand(body)
	if err != nil {
		return Command{}, err
	}
	switch cmd.Name {
	case CmdPing:
		ttl, pctx, err := ParsePing(cmd.Body)
		if err != nil {
			return Command{}, err
		}
		c.notePeerTTL(ttl)
		return Command{}, c.pong(pctx)
	case CmdError:
		return Command{}, peerErrorFrom(cmd.Body)
	case CmdSubscribe, CmdCancel:
		return Command{Name: cmd.Name, Body: append([]byte(nil), cmd.Body...)}, nil
	case CmdAck, CmdAckStream:
		// The socket layer decodes these at once (zmtp/ack.go): the body
		// is not copied and is valid until the next read.
		return cmd, nil
	}
	// PONG (the read itself proved liveness) and unknown commands: RFC 37 says
	// to ignore what we do not understand.
	return Command{}, nil
}

// readBody reads a body of size bytes into dst (reused when large enough).
// A body within what may be allocated on the peer's word (see eagerLimit)
// is allocated once at its size. A larger one is first received into
// pooled chunks of growChunk bytes, so that memory follows the bytes that
// really arrive, until the peer has sent 1/proofShare of it; then the body
// is allocated once at its full size and the rest read straight into it.
// Before, such bodies grew by doubling with a copy at each step: 2.5 times
// their size allocated, where this costs at most 1+1/proofShare times.
func (c *Conn) readBody(dst []byte, size int) ([]byte, error) {
	if cap(dst) >= size || size <= c.eagerLimit() {
		if cap(dst) < size {
			dst = make([]byte, size)
		}
		dst = dst[:size]
		return dst, c.fr.ReadBody(dst)
	}
	proof := max(size/proofShare, growChunk)
	var chunks [][]byte
	defer func() {
		for _, ch := range chunks {
			buf.Put(ch)
		}
	}()
	for got := 0; got < proof; {
		ch := buf.Get(growChunk, true)[:min(growChunk, proof-got)]
		chunks = append(chunks, ch)
		if err := c.fr.ReadBody(ch); err != nil {
			return nil, err
		}
		got += len(ch)
	}
	body := make([]byte, size)
	off := 0
	for _, ch := range chunks {
		off += copy(body[off:], ch)
	}
	return body, c.fr.ReadBody(body[off:])
}

// eagerLimit is the largest body allocated at its announced size before
// any of it arrived: the configured MaxMessageSize (whoever set it
// accepted that much per message), else growChunk.
func (c *Conn) eagerLimit() int {
	if m := c.cfg.MaxMessageSize; m > 0 {
		return int(min(m, int64(maxInt)))
	}
	return growChunk
}

const maxInt = int(^uint(0) >> 1)

// proofShare: a body over eagerLimit is allocated whole once 1/proofShare
// of it has arrived, so a forged size costs at most proofShare times the
// bytes the peer really sent.
const proofShare = 16
