package zmtp

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/internal/buf"
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
	// ZAP, when set, is the server's authentication handler (RFC 27), asked
	// about every client in place of Authenticate: by a PLAIN server on
	// HELLO, a CURVE server on INITIATE, and a NULL socket (either side)
	// before it sends READY. ctx ends at the handshake deadline. An accepted
	// client's user id and metadata are the result's; an error refuses it
	// (see ZAPStatusError and ErrAuthHandler for what the client is told).
	// Which sockets ask at all (libzmq: NULL only with a ZAP domain) is the
	// caller's choice.
	ZAP func(ctx context.Context, req *AuthRequest) (*AuthResult, error)
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
	// Announce, when ZMTP20 or ZMTP10, makes us behave as a peer of that
	// older version (libzmq 3.x or 2.x): a later peer downgrades to it.
	// Only the NULL mechanism can be used then. Zero: ZMTP 3.1, answering
	// ZMTP 1.0 and 2.0 peers in their own protocol (RFC 23).
	Announce LegacyVersion
	// RefuseLegacy makes a NULL connection refuse ZMTP 1.0 and 2.0 peers
	// as PLAIN and CURVE ones always do (libzmq does so when ZAP applies).
	RefuseLegacy bool
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
	authMD       Metadata      // what the ZAP handler attached (server side)
	subsAsMsgs   bool          // peer speaks 3.0 or older: subscriptions travel as messages
	convertSubs  bool          // we are PUB/XPUB: turn \x01topic / \x00topic into commands
	legacy       LegacyVersion // ZMTP10/ZMTP20 framing; 0: ZMTP 3.x (legacy_conn.go)
	subscribeAll bool          // report a SUBSCRIBE to everything before the first read

	lastRead atomic.Int64
	peerTTL  atomic.Int64 // the TTL of the peer's last PING, in ns (see PeerTTL)
	onTTL    func(time.Duration)

	// Reader state, used by the single reading goroutine.
	fr      *FrameReader
	readErr error
	cmdBuf  []byte
	frames  [][]byte
	partial bool    // part of a frame or message has been consumed
	cmd     Command // the last command readNext returned
	// rx holds the small frames and the frame lists of the messages read:
	// recycled slabs, given back as the messages are released.
	rx buf.RecvSlab

	hsw *handshakeWriter // during Handshake only

	wmu      sync.Mutex
	fw       *FrameWriter
	writeErr error
	cmdTmp   []byte
	encTmp   []byte

	prefix     []byte      // see setPrefix; nil: none
	beforeWait func()      // see setBeforeWait
	nbr        *waitReader // reads reporting when they would wait; nil where there is none
	nbw        *waitWriter // raw writes, and tryFlush's non-blocking one; nil where there is none
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

// ReadVecs is Read into the slices of v with one call (readv) where the
// connection reads through a waitReader, and Read into v[0] alone elsewhere.
func (t readTracker) ReadVecs(v [][]byte) (int, error) {
	r := t.c.nbr
	if r == nil {
		return t.Read(v[0])
	}
	n, err := r.ReadVecs(v)
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
		c.fr.vecMax = readVecMax
	} else {
		c.fr.vecMax = 1
	}
	c.nbw = newWaitWriter(nc)
	if c.nbw != nil {
		c.fw = NewFrameWriter(c.nbw, cfg.WriteBufferSize)
	} else {
		c.fw = NewFrameWriter(nc, cfg.WriteBufferSize)
	}
	_, c.fw.noStage = nc.(*net.UnixConn)
	c.lastRead.Store(time.Now().UnixNano())
	return c
}

// Version returns the protocol version from the peer's greeting: (1, 0) or
// (2, 0) on a connection running in the older framing (see Legacy).
func (c *Conn) Version() (major, minor int) { return c.peer.Major, c.peer.Minor }

// PeerSocketType returns the peer's Socket-Type, upper-cased.
func (c *Conn) PeerSocketType() string { return c.peerType }

// PeerIdentity returns the peer's Identity property, or nil if it sent none or
// an empty one.
func (c *Conn) PeerIdentity() []byte { return c.peerIdentity }

// PeerMetadata returns all the metadata the peer sent.
func (c *Conn) PeerMetadata() Metadata { return c.peerMD }

// UserID returns the authenticated user of the peer: the id returned by
// Security.ZAP or Security.Authenticate on a server (a CURVE server without
// either: the client's key in Z85), "" on clients and unauthenticated NULL.
func (c *Conn) UserID() string { return c.userID }

// AuthMetadata returns the metadata the server's ZAP handler (Security.ZAP)
// attached to this client when it accepted it; nil otherwise. With UserID
// it is what libzmq attaches to each received message besides the peer's
// own properties.
func (c *Conn) AuthMetadata() Metadata { return c.authMD }

// Mechanism returns the name of the security mechanism in use.
func (c *Conn) Mechanism() string { return c.mech.Name() }

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// LastRead returns when data last arrived from the peer. Any traffic proves
// liveness, as RFC 37 recommends for heartbeats.
func (c *Conn) LastRead() time.Time { return time.Unix(0, c.lastRead.Load()) }

// PeerTTL returns the TTL the peer's most recent PING carried (0 before
// any, or when it asks for none): how long, by RFC 37, it may stay silent
// before we should consider the connection dead.
func (c *Conn) PeerTTL() time.Duration { return time.Duration(c.peerTTL.Load()) }

// notePeerTTL records a PING's TTL (tenths of a second) and tells the
// socket layer when it changed.
func (c *Conn) notePeerTTL(ttl uint16) {
	d := time.Duration(ttl) * 100 * time.Millisecond
	if c.peerTTL.Swap(int64(d)) != int64(d) && c.onTTL != nil {
		c.onTTL(d)
	}
}

// Close closes the underlying connection. Queued writes are not flushed.
func (c *Conn) Close() error { return c.nc.Close() }
