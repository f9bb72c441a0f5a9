package socket

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// Defaults, following libzmq where it has one and bounded where it does not.
const (
	DefaultHWM               = 1000
	DefaultReconnectInterval = 100 * time.Millisecond
	DefaultHandshakeInterval = 30 * time.Second
	// DefaultLinger is how long Close keeps flushing queued messages to live
	// connections. libzmq waits forever by default, which hangs programs whose
	// peer is gone; one second bounds Close while still delivering what a
	// healthy peer can take.
	DefaultLinger = time.Second
	// monitorBuffer is the capacity of the Monitor channel.
	monitorBuffer = 256
)

type options struct {
	identity        []byte
	sndHWM, rcvHWM  int
	linger          time.Duration
	reconnectIvl    time.Duration
	reconnectIvlMax time.Duration
	handshakeIvl    time.Duration
	maxMsgSize      int64
	immediate       bool
	routerMandatory bool
	routerHandover  bool
	xpubVerbose     bool
	xpubNoDrop      bool
	hbInterval      time.Duration
	hbTTL           time.Duration
	hbTimeout       time.Duration
	// sec is the security mechanism with its credentials or keys, held as
	// zmtp takes it; the With* options below fill it in.
	sec          zmtp.Security
	zap          *zapHandler // WithZAP; see zap.go
	zapDomain    string
	zapEnforce   bool // WithZAPEnforceDomain
	logger       *slog.Logger
	retention    *Retention
	swapBytes    int64
	swapDir      string
	writeThrough bool
	acked        bool          // WithAckedDelivery (ack.go)
	directRecv   bool          // WithDirectRecv (direct.go)
	tcp          tcpOptions    // options_tcp.go
	req          reqOptions    // req_options.go
	timeo        timeouts      // timeout.go
	legacy       legacyOptions // legacy_options.go
	// monitorMute holds the event kinds the monitor does not deliver
	// (WithMonitorMask); zero delivers all.
	monitorMute EventMask
	ext         extOptions    // options_ext.go
	stream      streamOptions // stream_options.go
}

func defaultOptions() options {
	return options{
		sndHWM:       DefaultHWM,
		rcvHWM:       DefaultHWM,
		linger:       DefaultLinger,
		reconnectIvl: DefaultReconnectInterval,
		handshakeIvl: DefaultHandshakeInterval,
		logger:       slog.New(slog.DiscardHandler),
	}
}

// Option configures a socket in New.
type Option func(*options) error

// WithIdentity sets the identity (routing id) announced to peers: 1 to 255
// bytes, not starting with a zero byte (those are kept for generated ids).
func WithIdentity(id []byte) Option {
	return func(o *options) error {
		if len(id) == 0 || len(id) > 255 {
			return badOption("Identity", "must be 1 to 255 bytes")
		}
		if id[0] == 0 {
			return badOption("Identity", "must not start with a zero byte")
		}
		o.identity = append([]byte(nil), id...)
		return nil
	}
}

// WithSendHWM sets the high-water mark of each outbound pipe in messages
// (default 1000, 0 = unlimited).
func WithSendHWM(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return badOption("SendHWM", "must not be negative")
		}
		o.sndHWM = n
		return nil
	}
}

// WithRecvHWM sets the high-water mark of each inbound pipe in messages
// (default 1000, 0 = unlimited).
func WithRecvHWM(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return badOption("RecvHWM", "must not be negative")
		}
		o.rcvHWM = n
		return nil
	}
}

// WithLinger sets how long Close keeps flushing queued messages to connected
// peers (default DefaultLinger; 0 drops them at once; negative waits until
// they are written, however long that takes).
func WithLinger(d time.Duration) Option {
	return func(o *options) error { o.linger = d; return nil }
}

// WithReconnectInterval sets the wait before reconnecting (default 100ms).
func WithReconnectInterval(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return badOption("ReconnectInterval", "must be positive")
		}
		o.reconnectIvl = d
		return nil
	}
}

// WithReconnectIntervalMax enables exponential backoff of reconnection
// attempts up to d (0, the default, keeps the interval fixed).
func WithReconnectIntervalMax(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return badOption("ReconnectIntervalMax", "must not be negative")
		}
		o.reconnectIvlMax = d
		return nil
	}
}

// WithHandshakeInterval bounds each ZMTP handshake (default 30s).
func WithHandshakeInterval(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return badOption("HandshakeInterval", "must be positive")
		}
		o.handshakeIvl = d
		return nil
	}
}

// WithMaxMsgSize limits inbound messages to n bytes; a peer sending more is
// disconnected (an EventDisconnected whose Err is a *zmtp.MessageSizeError).
// Each frame after a message's first counts zmtp.FrameCost (16) bytes
// besides its body, so empty frames cannot grow a message without bound.
// -1 or 0 means unlimited.
func WithMaxMsgSize(n int64) Option {
	return func(o *options) error {
		if n < -1 {
			return badOption("MaxMsgSize", "must be -1, 0 or positive")
		}
		o.maxMsgSize = n
		return nil
	}
}

// WithImmediate queues messages only to completed connections: no pipe is
// made for a connect endpoint until its handshake succeeds.
func WithImmediate(on bool) Option {
	return func(o *options) error { o.immediate = on; return nil }
}

// WithRouterMandatory makes a ROUTER report unroutable messages
// (ErrHostUnreachable) instead of dropping them.
func WithRouterMandatory(on bool) Option {
	return func(o *options) error { o.routerMandatory = on; return nil }
}

// WithRouterHandover lets a ROUTER peer take over an identity already in use;
// the older connection is closed. Without it the newcomer is refused.
func WithRouterHandover(on bool) Option {
	return func(o *options) error { o.routerHandover = on; return nil }
}

// WithXPubVerbose makes an XPUB deliver every subscription message, not only
// the first for each topic.
func WithXPubVerbose(on bool) Option {
	return func(o *options) error { o.xpubVerbose = on; return nil }
}

// WithXPubNoDrop makes an XPUB wait (Send) or fail with ErrWouldBlock
// (TrySend) when a matching subscriber's pipe is full, instead of dropping.
func WithXPubNoDrop(on bool) Option {
	return func(o *options) error { o.xpubNoDrop = on; return nil }
}

// WithHeartbeat sends a PING every interval carrying ttl (how long the peer
// should wait for traffic from us), and drops a peer from which nothing
// arrived for timeout (default: the interval when 0).
func WithHeartbeat(interval, ttl, timeout time.Duration) Option {
	return func(o *options) error {
		if interval < 0 || ttl < 0 || timeout < 0 {
			return badOption("Heartbeat", "durations must not be negative")
		}
		if ttl > 6553500*time.Millisecond {
			return badOption("Heartbeat", "ttl over 6553.5s")
		}
		if timeout == 0 {
			timeout = interval
		}
		o.hbInterval, o.hbTTL, o.hbTimeout = interval, ttl, timeout
		return nil
	}
}

// WithPlainClient authenticates to servers with PLAIN (RFC 24).
func WithPlainClient(user, pass string) Option {
	return func(o *options) error {
		if len(user) > 255 || len(pass) > 255 {
			return badOption("PlainClient", "user name and password are at most 255 bytes")
		}
		if o.is("PLAIN", true) {
			return badOption("PlainClient", "a socket is PLAIN client or server, not both")
		}
		if o.sec.Mechanism == "CURVE" {
			return badOption("PlainClient", "a socket uses one mechanism: CURVE is set already")
		}
		o.sec = zmtp.Security{Mechanism: "PLAIN", Username: user, Password: pass}
		return nil
	}
}

// WithPlainServer accepts PLAIN clients: auth returns the user id for the
// connection or an error to refuse it. With auth nil the clients are
// authenticated by ZAP, as a libzmq PLAIN server's are: the WithZAP handler,
// or else a handler of the program's own bound at auth.Endpoint; with
// neither, every client is refused (ErrNoZAPHandler).
func WithPlainServer(auth func(user, pass string) (userID string, err error)) Option {
	return func(o *options) error {
		if o.is("PLAIN", false) {
			return badOption("PlainServer", "a socket is PLAIN client or server, not both")
		}
		if o.sec.Mechanism == "CURVE" || o.sec.Authenticate != nil {
			return badOption("PlainServer", "a socket uses one mechanism: CURVE is set already")
		}
		o.sec = zmtp.Security{Mechanism: "PLAIN", Server: true}
		if auth != nil {
			o.sec.Authenticate = func(_, user, pass string) (string, error) { return auth(user, pass) }
		}
		return nil
	}
}

// is reports whether the mechanism mech was set already in the given role.
func (o *options) is(mech string, server bool) bool {
	return o.sec.Mechanism == mech && o.sec.Server == server
}

// WithCurveServer makes the socket a CURVE server (RFC 26) with the long-term
// secret key secretKey; its public key, which clients need, is derived
// (zmtp.CurvePublicKey). Clients are authenticated by WithCurveAuth, or by
// ZAP: the WithZAP handler, or else a handler of the program's own bound at
// auth.Endpoint. With none of them every client key is admitted, as libzmq
// does without a ZAP handler: traffic is encrypted but anyone with the
// server's public key may connect. The user id of each peer is its public
// key in Z85 (or what WithCurveAuth returns), so retention can key by it.
func WithCurveServer(secretKey [32]byte) Option {
	return func(o *options) error {
		if secretKey == [32]byte{} {
			return badOption("CurveServer", "needs a secret key")
		}
		if o.sec.Mechanism == "PLAIN" || o.is("CURVE", false) {
			return badOption("CurveServer", "a socket uses one security mechanism in one role")
		}
		pub, err := zmtp.CurvePublicKey(secretKey)
		if err != nil {
			return badOption("CurveServer", err.Error())
		}
		o.sec.Mechanism, o.sec.Server = "CURVE", true
		o.sec.CurveSecretKey, o.sec.CurvePublicKey = secretKey, pub
		return nil
	}
}

// WithCurveClient makes the socket a CURVE client that proves it holds the
// long-term key pair (public, secret) to servers whose public key is
// serverPublic. public may be zero: it is then derived from secret.
func WithCurveClient(serverPublic, public, secret [32]byte) Option {
	return func(o *options) error {
		if serverPublic == [32]byte{} || secret == [32]byte{} {
			return badOption("CurveClient", "needs the server's public key and a secret key")
		}
		if o.sec.Mechanism == "PLAIN" || o.is("CURVE", true) {
			return badOption("CurveClient", "a socket uses one security mechanism in one role")
		}
		derived, err := zmtp.CurvePublicKey(secret)
		if err != nil {
			return badOption("CurveClient", err.Error())
		}
		if public != [32]byte{} && public != derived {
			return badOption("CurveClient", "the public key does not belong to the secret key")
		}
		o.sec.Mechanism, o.sec.Server = "CURVE", false
		o.sec.CurveServerKey, o.sec.CurvePublicKey, o.sec.CurveSecretKey = serverPublic, derived, secret
		return nil
	}
}

// WithCurveAuth decides which clients a CURVE server admits (the ZAP check of
// RFC 27): auth gets the client's long-term public key in Z85 and returns the
// user id for the connection ("" keeps the key itself) or an error, on which
// the client gets ERROR "400". It takes effect with WithCurveServer.
func WithCurveAuth(auth func(clientKeyZ85 string) (userID string, err error)) Option {
	return func(o *options) error {
		if auth == nil {
			return badOption("CurveAuth", "needs an authentication function")
		}
		if o.sec.Mechanism == "PLAIN" {
			return badOption("CurveAuth", "a socket uses one mechanism: PLAIN is set already")
		}
		// zmtp calls a CURVE server's Authenticate with the client's key
		// as the user name; a CURVE client ignores it.
		o.sec.Authenticate = func(_, key, _ string) (string, error) { return auth(key) }
		return nil
	}
}

// WithLogger logs connection life-cycle events; the default is silent.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return badOption("Logger", "nil logger")
		}
		o.logger = l
		return nil
	}
}

// KeyBy selects the key a retained pipe is kept under.
type KeyBy uint8

// Retention keys.
const (
	KeyIdentity KeyBy = iota // the peer's Identity property
	KeyUser                  // the authenticated user (PLAIN user name, ZAP user id)
)

// Retention configures durable peers (ZeroMQ 2.x identities).
type Retention struct {
	TTL     time.Duration
	MaxKeys int
	KeyBy   KeyBy
}

// WithRetention keeps the outbound pipe of a departed peer under its key
// (its Identity, or with KeyUser its authenticated user), ZeroMQ 2.x style:
// messages keep being routed into it (HWM, mute action and swap apply) and
// a peer that returns with the same key receives the backlog first, in
// order. TTL (0: no expiry) and MaxKeys (0: no limit; the oldest is let go)
// bound it. Off by default. A second live connection with a key already
// connected is refused, or with WithRouterHandover takes over.
func WithRetention(r Retention) Option {
	return func(o *options) error {
		if r.TTL < 0 || r.MaxKeys < 0 {
			return badOption("retention", "TTL and MaxKeys must not be negative")
		}
		if r.KeyBy != KeyIdentity && r.KeyBy != KeyUser {
			return badOption("retention", fmt.Sprintf("unknown key kind %d", r.KeyBy))
		}
		o.retention = &r
		return nil
	}
}

// WithSwap lets outbound pipes that reach their HWM spill further messages
// to ring files in dir instead of dropping or blocking (ZeroMQ 2.x
// ZMQ_SWAP). bytes is the budget for the whole socket, shared by its pipes;
// only when it is spent does the socket type's mute action apply. Memory
// stays bounded by the HWM. dir must exist and be writable.
func WithSwap(bytes int64, dir string) Option {
	return func(o *options) error {
		if bytes <= 0 {
			return badOption("swap", "budget must be positive")
		}
		if err := queue.CheckDir(dir); err != nil {
			return &swapDirError{badOption("swap", "directory: "+err.Error()).(*OptionError), err}
		}
		o.swapBytes, o.swapDir = bytes, dir
		return nil
	}
}

// WithWriteThrough makes every message for a keyed peer of a retaining
// socket (Retention with KeyIdentity) go through its swap ring before Send
// returns, so that a crash of the process (kill -9, panic) loses nothing
// Send accepted: a socket made later with the same swap directory recovers
// the backlog (see the package documentation, "Crash recovery"). It needs
// WithSwap and WithRetention; New fails with ErrBadOption otherwise.
//
// A message leaves the ring once the connection writer has written and
// flushed it to the operating system. Delivery is exactly once while
// connections stay up and at least once across a failure: messages popped
// for a connection that broke before its flush succeeded are sent again,
// in order, to the next connection with the same key. ZMTP has no
// acknowledgements, so a message flushed into a connection that breaks
// while it is still in the network is not sent again.
//
// The cost is one ring append per message and, per written batch, one
// 12-byte write to the ring's ack file. Durability against power loss also
// needs the ring to be synced, which this option does not do.
func WithWriteThrough(on bool) Option {
	return func(o *options) error { o.writeThrough = on; return nil }
}

// swapDirError is an unusable swap directory: it matches both ErrBadOption
// (through the *OptionError) and the queue's directory error.
type swapDirError struct {
	*OptionError
	cause error
}

func (e *swapDirError) Unwrap() []error { return []error{e.OptionError, e.cause} }
