package zmtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Security selects and configures the security mechanism.
type Security struct {
	Mechanism          string // "NULL" (default when ""), "PLAIN" or "CURVE"
	Server             bool   // PLAIN/CURVE role: the server authenticates the client
	Username, Password string // PLAIN client credentials
	// Authenticate is called on the PLAIN server side; it returns the user id for
	// the connection (ZAP "User-Id"; the user name when it returns "") or an
	// error whose text becomes the ERROR reason sent to the client. A PLAIN
	// server without it is a configuration error: it would admit anyone.
	// A CURVE server calls it with mechanism "CURVE", the client's long-term
	// public key in Z85 as username and "" as password (see NewCurveServer);
	// without it a CURVE server admits any client key, as libzmq does.
	Authenticate func(mechanism string, username, password string) (userID string, err error)
	// CURVE keys (zero = unset). CurvePublicKey and CurveSecretKey are our
	// long-term pair (the public key is derived when unset); a client also
	// needs CurveServerKey, the server's long-term public key.
	CurvePublicKey, CurveSecretKey, CurveServerKey [32]byte
}

// Config configures one connection.
type Config struct {
	SocketType       string            // our type, e.g. "DEALER" (sent as Socket-Type)
	Identity         []byte            // sent as Identity property when non-empty (0-255 bytes)
	Properties       map[string]string // extra metadata, optional
	Security         Security
	MaxMessageSize   int64         // <=0: unlimited; applies to a frame and to a whole message
	HandshakeTimeout time.Duration // 0: DefaultHandshakeTimeout (libzmq's ZMQ_HANDSHAKE_IVL)
	ReadBufferSize   int           // 0: DefaultBufferSize
	WriteBufferSize  int           // 0: DefaultBufferSize
}

// DefaultHandshakeTimeout bounds a handshake when Config.HandshakeTimeout is 0.
const DefaultHandshakeTimeout = 30 * time.Second

// maxHandshakeCommand bounds each command read during the handshake, before the
// peer is authenticated, so an anonymous peer cannot make us allocate much.
const maxHandshakeCommand = 1 << 20

// growChunk is how much body buffer is allocated ahead of the data actually
// received; larger bodies grow as their bytes arrive, so a forged size costs
// nothing until the peer really sends that much.
const growChunk = 1 << 20

// Small message frames are carved from a shared slab to save an allocation per
// frame; a retained small frame keeps at most one slab alive.
const (
	slabSize     = 16 << 10
	slabMaxFrame = 512
	hdrSlabSize  = 256
)

// Conn is a ZMTP connection after a successful handshake. One goroutine may
// read while others write; writes are serialised by an internal mutex.
type Conn struct {
	nc   net.Conn
	cfg  Config
	peer Greeting
	mech Mechanism

	codec        FrameCodec
	peerType     string
	peerIdentity []byte
	peerMD       Metadata
	userID       string
	subsAsMsgs   bool // peer speaks 3.0: subscriptions travel as messages
	convertSubs  bool // we are PUB/XPUB: turn \x01topic / \x00topic into commands

	lastRead atomic.Int64

	// Reader state, used by the single reading goroutine.
	fr      *FrameReader
	readErr error
	cmdBuf  []byte
	frames  [][]byte
	partial bool // part of a frame or message has been consumed
	pooled  bool // a frame of the message being read came from the buffer pool
	slab    []byte
	hdrs    [][]byte

	hsw *handshakeWriter // during Handshake only

	wmu      sync.Mutex
	fw       *FrameWriter
	writeErr error
	cmdTmp   []byte
	encTmp   []byte

	prefix     []byte      // see SetPrefix; nil: none
	beforeWait func()      // see SetBeforeWait
	nbr        *waitReader // reads reporting when they would wait; nil where there is none
	nbw        *nbWriter   // TryFlush's non-blocking write; nil where there is none
}

// readTracker records the time of every successful read from the transport,
// which is cheaper than stamping every frame and just as good for liveness.
type readTracker struct{ c *Conn }

func (t readTracker) Read(p []byte) (int, error) {
	var n int
	var err error
	if r := t.c.nbr; r != nil {
		n, err = r.Read(p)
	} else {
		if f := t.c.beforeWait; f != nil {
			f()
		}
		n, err = t.c.nc.Read(p)
	}
	if n > 0 {
		t.c.lastRead.Store(time.Now().UnixNano())
	}
	return n, err
}

func newConn(nc net.Conn, cfg Config) *Conn {
	c := &Conn{nc: nc, cfg: cfg}
	c.nbr = newWaitReader(nc)
	c.fr = NewFrameReader(readTracker{c}, cfg.ReadBufferSize)
	c.fw = NewFrameWriter(nc, cfg.WriteBufferSize)
	c.nbw = newNBWriter(nc)
	c.lastRead.Store(time.Now().UnixNano())
	return c
}

// metadataFor builds the metadata we announce. Socket-Type and Identity come
// first and spelled as libzmq expects.
func metadataFor(cfg Config) (Metadata, error) {
	if !ValidSocketType(cfg.SocketType) {
		return nil, fmt.Errorf("%w: %w %q", ErrBadConfig, ErrBadSocketType, cfg.SocketType)
	}
	md := Metadata{{Name: PropSocketType, Value: []byte(strings.ToUpper(cfg.SocketType))}}
	if len(cfg.Identity) > math.MaxUint8 {
		return nil, fmt.Errorf("%w: identity longer than 255 bytes", ErrBadConfig)
	}
	if len(cfg.Identity) > 0 {
		md = append(md, Property{Name: PropIdentity, Value: cfg.Identity})
	}
	names := make([]string, 0, len(cfg.Properties))
	for k := range cfg.Properties {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic bytes on the wire
	for _, k := range names {
		if !ValidPropertyName(k) || strings.EqualFold(k, PropSocketType) || strings.EqualFold(k, PropIdentity) {
			return nil, fmt.Errorf("%w: property name %q", ErrBadConfig, k)
		}
		md = append(md, Property{Name: k, Value: []byte(cfg.Properties[k])})
	}
	return md, nil
}

// NewMechanism builds the mechanism selected by cfg.Security, announcing cfg's
// metadata and checking the peer's socket type.
func NewMechanism(cfg Config) (Mechanism, error) {
	md, err := metadataFor(cfg)
	if err != nil {
		return nil, err
	}
	local := strings.ToUpper(cfg.SocketType)
	check := func(peer Metadata) error {
		t, ok := peer.Lookup(PropSocketType)
		if !ok || !SocketTypesCompatible(local, string(t)) {
			return &IncompatibleSocketTypeError{Local: local, Peer: string(t)}
		}
		if id, ok := peer.Lookup(PropIdentity); ok && len(id) > math.MaxUint8 {
			return fmt.Errorf("%w: identity longer than 255 bytes", ErrMalformedMetadata)
		}
		return nil
	}
	s := cfg.Security
	switch strings.ToUpper(s.Mechanism) {
	case "", "NULL":
		return NewNull(md, check)
	case "PLAIN":
		if s.Server {
			return NewPlainServer(s.Authenticate, md, check)
		}
		return NewPlainClient(s.Username, s.Password, md, check)
	case "CURVE":
		if s.Server {
			return NewCurveServer(s.CurvePublicKey, s.CurveSecretKey, s.Authenticate, md, check)
		}
		return NewCurveClient(s.CurveServerKey, s.CurvePublicKey, s.CurveSecretKey, md, check)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedMechanism, s.Mechanism)
}

// errorLinger bounds how long a failing handshake waits for its last writes
// (an ERROR for the peer) to be taken by a transport that does not buffer.
const errorLinger = 250 * time.Millisecond

// aLongTimeAgo is a deadline in the past, used to abort blocked I/O at once.
var aLongTimeAgo = time.Unix(1, 0)

// Handshake runs the ZMTP handshake over nc and returns the connection ready for
// traffic. It sends our whole greeting (and the mechanism's first command) at
// once without waiting for the peer, reads the peer's greeting in stages so a
// ZMTP 1.0/2.0 peer is recognised without waiting for bytes it will not send,
// runs the mechanism and checks socket-type compatibility, sending ERROR before
// failing when the peer is refused.
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

func (c *Conn) handshake() error {
	out, err := AppendGreeting(nil, Greeting{Mechanism: c.mech.Name(), AsServer: c.mech.AsServer()})
	if err != nil {
		return err
	}
	// The first command does not depend on the peer's greeting, so it goes in
	// the same write: one round trip fewer.
	if out, err = c.mech.Start(out); err != nil {
		return err
	}
	c.queue(out)
	if err := c.readGreeting(); err != nil {
		return err
	}
	c.fr.MaxFrameSize = maxHandshakeCommand
	for {
		h, err := c.fr.ReadHeader()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if !h.Command() {
			return ErrUnexpectedMessage
		}
		body, err := c.readBody(nil, h.Size)
		if err != nil {
			return err
		}
		cmd, err := ParseCommand(body)
		if err != nil {
			return err
		}
		out, done, err := c.mech.Next(out[:0], cmd)
		if len(out) > 0 {
			c.queue(out)
		}
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	c.fr.MaxFrameSize = c.cfg.MaxMessageSize
	c.codec = c.mech.FrameCodec()
	c.peerMD = c.mech.PeerMetadata()
	c.userID = c.mech.UserID()
	c.peerType = strings.ToUpper(c.peerMD.Get(PropSocketType))
	if id, ok := c.peerMD.Lookup(PropIdentity); ok && len(id) > 0 {
		c.peerIdentity = id
	}
	c.subsAsMsgs = c.peer.Major == 3 && c.peer.Minor == 0
	local := strings.ToUpper(c.cfg.SocketType)
	c.convertSubs = local == "PUB" || local == "XPUB"
	return nil
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

// readBody reads a body of size bytes into buf (reused when large enough). Big
// bodies are read in chunks so memory follows the bytes actually received.
func (c *Conn) readBody(buf []byte, size int) ([]byte, error) {
	if size <= growChunk || cap(buf) >= size {
		if cap(buf) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		return buf, c.fr.ReadBody(buf)
	}
	buf = buf[:0]
	for len(buf) < size {
		n := min(size-len(buf), max(growChunk, len(buf)))
		if cap(buf)-len(buf) < n {
			nb := make([]byte, len(buf), len(buf)+n)
			copy(nb, buf)
			buf = nb
		}
		chunk := buf[len(buf) : len(buf)+n]
		if err := c.fr.ReadBody(chunk); err != nil {
			return nil, err
		}
		buf = buf[:len(buf)+n]
	}
	return buf, nil
}

// Version returns the protocol version from the peer's greeting.
func (c *Conn) Version() (major, minor int) { return c.peer.Major, c.peer.Minor }

// PeerSocketType returns the peer's Socket-Type, upper-cased.
func (c *Conn) PeerSocketType() string { return c.peerType }

// PeerIdentity returns the peer's Identity property, or nil if it sent none or
// an empty one.
func (c *Conn) PeerIdentity() []byte { return c.peerIdentity }

// PeerMetadata returns all the metadata the peer sent.
func (c *Conn) PeerMetadata() Metadata { return c.peerMD }

// UserID returns the authenticated user of the peer: the id returned by
// Security.Authenticate on a PLAIN server, "" for NULL and PLAIN clients.
func (c *Conn) UserID() string { return c.userID }

// Mechanism returns the name of the security mechanism in use.
func (c *Conn) Mechanism() string { return c.mech.Name() }

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// LastRead returns when data last arrived from the peer. Any traffic proves
// liveness, as RFC 37 recommends for heartbeats.
func (c *Conn) LastRead() time.Time { return time.Unix(0, c.lastRead.Load()) }

// Close closes the underlying connection. Queued writes are not flushed.
func (c *Conn) Close() error { return c.nc.Close() }

// SetBeforeWait makes ReadMessage call f whenever a read from the network
// finds nothing to read, just before it waits (on transports that are not
// sockets, e.g. net.Pipe: before every read). A reader that hands messages
// on in bursts (queue.Inbox's Stage) uses it to publish the burst: while
// data keeps arriving, messages pile up and go to the consumer together;
// the moment the stream pauses, everything read so far is handed on. Call
// it from the reading goroutine, or before reading starts.
func (c *Conn) SetBeforeWait(f func()) {
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
// The frames belong to the caller. Frames of up to 512 bytes are carved from
// shared 16 KiB slabs to save allocations, so holding one small frame keeps
// its slab alive; copy small frames that are kept for long. Bodies of 4 KiB
// and more come from a buffer pool: ReleaseMessage gives them back for reuse
// once the caller is done with them (optional). A message or
// frame over MaxMessageSize is
// ErrMessageTooLarge. io.EOF means the peer closed between messages. A read
// timeout before the first byte of a message can be retried; every other error
// is permanent.
func (c *Conn) ReadMessage() (msg [][]byte, cmd Command, err error) {
	if c.readErr != nil {
		return nil, Command{}, c.readErr
	}
	msg, cmd, err = c.readMessage()
	if err != nil && !c.retryable(err) {
		c.readErr = err
	}
	return msg, cmd, err
}

func (c *Conn) retryable(err error) bool {
	var ne net.Error
	return !c.partial && errors.As(err, &ne) && ne.Timeout()
}

func (c *Conn) readMessage() ([][]byte, Command, error) {
	c.frames = c.frames[:0]
	c.partial = false
	c.pooled = false
	var total int64
	for {
		h, err := c.fr.ReadHeader()
		if err != nil {
			if len(c.frames) > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			c.dropFrames()
			if errors.Is(err, ErrFrameTooLarge) {
				err = fmt.Errorf("%w: %w", ErrMessageTooLarge, err)
			}
			return nil, Command{}, err
		}
		c.partial = true
		var raw []byte // the decoded body when a FrameCodec is in use
		if c.codec != nil {
			if raw, err = c.readBody(nil, h.Size); err == nil {
				h, raw, err = c.codec.DecodeFrame(h, raw)
			}
			if err != nil {
				c.dropFrames()
				return nil, Command{}, err
			}
		}
		if h.Command() {
			if len(c.frames) > 0 {
				c.dropFrames()
				return nil, Command{}, fmt.Errorf("%w: command inside a multipart message", ErrMalformedCommand)
			}
			cmd, err := c.readCommand(h, raw)
			if err != nil || cmd.Name != "" {
				return nil, cmd, err
			}
			c.partial = false // back at a message boundary
			continue
		}
		total += int64(h.Size)
		if c.cfg.MaxMessageSize > 0 && total > c.cfg.MaxMessageSize {
			c.dropFrames()
			return nil, Command{}, ErrMessageTooLarge
		}
		frame := raw
		if c.codec == nil {
			frame, err = c.readFrameBody(h.Size)
		}
		if err != nil {
			c.dropFrames()
			return nil, Command{}, err
		}
		c.frames = append(c.frames, frame)
		if !h.More() {
			break
		}
	}
	if c.convertSubs && len(c.frames) == 1 && len(c.frames[0]) > 0 && c.frames[0][0] <= 1 {
		f := c.frames[0]
		c.dropFrames()
		name := CmdCancel
		if f[0] == 1 {
			name = CmdSubscribe
		}
		return nil, Command{Name: name, Body: f[1:]}, nil
	}
	// Carve the frame list from a slab too: one allocation per many messages.
	// A message holding pooled bodies gets one more slot, past its length,
	// for the mark that lets ReleaseMessage recognise it.
	n := len(c.frames)
	if c.prefix != nil {
		n++
	}
	k := n
	if c.pooled {
		k++
	}
	if cap(c.hdrs)-len(c.hdrs) < k {
		c.hdrs = make([][]byte, 0, max(hdrSlabSize, k))
	}
	l := len(c.hdrs)
	if c.prefix != nil {
		c.hdrs = append(c.hdrs, c.carve(c.prefix))
		c.hdrs = append(c.hdrs, c.frames...)
	} else if n == 1 {
		// The common one-frame message: a plain store, no slice copy.
		c.hdrs = append(c.hdrs, c.frames[0])
	} else {
		c.hdrs = append(c.hdrs, c.frames...)
	}
	if c.pooled {
		c.hdrs = append(c.hdrs, poolMark[:0])
	}
	msg := c.hdrs[l : l+n : l+k]
	c.dropFrames()
	return msg, Command{}, nil
}

// carve returns a copy of b cut from the small-frame slab.
func (c *Conn) carve(b []byte) []byte {
	if cap(c.slab)-len(c.slab) < len(b) {
		c.slab = make([]byte, 0, slabSize)
	}
	l := len(c.slab)
	c.slab = append(c.slab, b...)
	return c.slab[l : l+len(b) : l+len(b)]
}

// SetPrefix makes ReadMessage put a copy of frame in front of every message
// it returns from now on (a ROUTER's routing id for the peer): the copy
// comes from the same slabs as the message, so the prefix costs no
// allocation. Call it from the reading goroutine, or before reading starts.
func (c *Conn) SetPrefix(frame []byte) {
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
	c.pooled = false
}

// readFrameBody returns a fresh buffer holding the next size bytes, carved from
// the small-frame slab when small and taken from the buffer pool when large.
func (c *Conn) readFrameBody(size int) ([]byte, error) {
	if size >= PoolMinSize {
		// Past growChunk a body is only taken from the pool when one is
		// there: a fresh class-sized buffer would commit memory for a size
		// the peer may never send, which readBody's growth avoids.
		if b := getPooled(size, size <= growChunk); b != nil {
			c.pooled = true
			return b, c.fr.ReadBody(b)
		}
	}
	if size > slabMaxFrame {
		return c.readBody(nil, size)
	}
	if cap(c.slab)-len(c.slab) < size {
		c.slab = make([]byte, 0, slabSize)
	}
	l := len(c.slab)
	c.slab = c.slab[:l+size]
	b := c.slab[l : l+size : l+size]
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
		_, pctx, err := ParsePing(cmd.Body)
		if err != nil {
			return Command{}, err
		}
		return Command{}, c.pong(pctx)
	case CmdError:
		return Command{}, peerErrorFrom(cmd.Body)
	case CmdSubscribe, CmdCancel:
		return Command{Name: cmd.Name, Body: append([]byte(nil), cmd.Body...)}, nil
	}
	// PONG (the read itself proved liveness) and unknown commands: RFC 37 says
	// to ignore what we do not understand.
	return Command{}, nil
}

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
	c.wmu.Lock()
	defer c.wmu.Unlock()
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
	name := CmdCancel
	if subscribe {
		name = CmdSubscribe
	}
	if !c.subsAsMsgs {
		return c.WriteCommand(name, topic)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
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

// SetDrained tells the writer whether the peer is believed to have read
// everything sent so far; see FrameWriter.SetDrained. A connection's writer
// sets it before writing a lone message that followed an idle spell.
func (c *Conn) SetDrained(drained bool) {
	c.wmu.Lock()
	c.fw.SetDrained(drained)
	c.wmu.Unlock()
}

// TryFlush writes what is queued as far as the network takes it now,
// without waiting; the rest stays queued, in order, for Flush. It reports
// whether nothing is left. Where the connection offers no non-blocking write
// (not a Unix socket, e.g. net.Pipe) it writes nothing and reports false.
func (c *Conn) TryFlush() (bool, error) {
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
	done, err := c.fw.TryFlush(c.nbw.Write)
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
