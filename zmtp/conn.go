package zmtp

import (
	"net"
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
	SocketType string            // our type, e.g. "DEALER" (sent as Socket-Type)
	Identity   []byte            // sent as Identity property when non-empty (0-255 bytes)
	Properties map[string]string // extra metadata, optional
	Security   Security
	// MaxMessageSize bounds a frame and a whole message (<=0: unlimited).
	// A message's size is its bodies' bytes plus FrameCost for every frame
	// after the first, so that a flood of empty frames is bounded too.
	MaxMessageSize   int64
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

	prefix     []byte      // see setPrefix; nil: none
	beforeWait func()      // see setBeforeWait
	nbr        *waitReader // reads reporting when they would wait; nil where there is none
	nbw        *nbWriter   // tryFlush's non-blocking write; nil where there is none
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
	if c.nbr != nil {
		c.nbr.park, c.nbr.unpark = c.fr.br.parked, c.fr.br.unparked
	}
	c.fw = NewFrameWriter(nc, cfg.WriteBufferSize)
	c.nbw = newNBWriter(nc)
	c.lastRead.Store(time.Now().UnixNano())
	return c
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
