package zmq4

import (
	"time"

	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// sockOpts are the options recorded before the underlying socket is made.
type sockOpts struct {
	identity           string
	sndhwm, rcvhwm     int
	linger             time.Duration
	rcvtimeo, sndtimeo time.Duration
	reconnectIvl       time.Duration
	reconnectIvlMax    time.Duration
	handshakeIvl       time.Duration
	maxmsgsize         int64
	immediate          bool
	routerMandatory    bool
	routerHandover     bool
	xpubVerbose        bool
	xpubNodrop         bool
	hbIvl, hbTTL, hbTO time.Duration
	ipv6               bool
	reqRelaxed         bool
	reqCorrelate       bool

	// TCP, with libzmq's numbers: -1 leaves the system's value.
	keepalive, kaCnt, kaIdle, kaIntvl int
	tos, sndbuf, rcvbuf               int
	streamNoNotify                    bool // STREAM_NOTIFY 0

	plainServer          bool
	plainUser, plainPass string
	plainSet             bool
	curveServer          bool
	curvePub, curveSec   [32]byte
	curveSrvKey          [32]byte
	curvePubSet          bool
	curveSecSet          bool
	curveSrvSet          bool
	zapDomain            string

	ext extOpts // options_ext.go

	// options accepted and reported back that have no effect here
	// (multicast transports, I/O thread affinity): see the package doc.
	affinity                     uint64
	rate, multicastHops, maxtpdu int
	recoveryIvl                  time.Duration
}

func defaultOpts(ctx *Context) sockOpts {
	ctx.mu.Lock()
	ipv6, maxMsg := ctx.ipv6, int64(ctx.maxMsgsz)
	ctx.mu.Unlock()
	if maxMsg >= maxMsgszDflt {
		maxMsg = -1
	}
	return sockOpts{
		sndhwm: socket.DefaultHWM, rcvhwm: socket.DefaultHWM,
		linger: socket.DefaultLinger, rcvtimeo: -1, sndtimeo: -1,
		reconnectIvl: socket.DefaultReconnectInterval, handshakeIvl: socket.DefaultHandshakeInterval,
		maxmsgsize: maxMsg, ipv6: ipv6,
		keepalive: -1, kaCnt: -1, kaIdle: -1, kaIntvl: -1, sndbuf: -1, rcvbuf: -1,
		rate: 100, multicastHops: 1, maxtpdu: 1500, recoveryIvl: 10 * time.Second,
	}
}

// mechanism says which security mechanism the options select.
func (o *sockOpts) mechanism() Mechanism {
	switch {
	case o.curveServer || o.curveSrvSet:
		return CURVE
	case o.plainServer || o.plainSet:
		return PLAIN
	}
	return NULL
}

// build turns the recorded options into package socket's, for New.
// soc.mu is held.
func (o *sockOpts) build(soc *Socket) ([]socket.Option, error) {
	opts := o.live(soc.typ)
	if o.identity != "" {
		opts = append(opts, socket.WithIdentity([]byte(o.identity)))
	}
	sec, err := o.security(soc)
	if err != nil {
		return nil, err
	}
	return append(opts, sec...), nil
}

// live returns every option package socket can change on a live socket
// (Socket.SetOption), with the recorded values: New takes them, and a
// setter called after the socket is made applies them all again (the
// unchanged ones change nothing).
func (o *sockOpts) live(t Type) []socket.Option {
	opts := []socket.Option{
		socket.WithSendHWM(o.sndhwm), socket.WithRecvHWM(o.rcvhwm),
		socket.WithLinger(o.linger),
		socket.WithReconnectInterval(o.reconnectIvl),
		socket.WithReconnectIntervalMax(o.reconnectIvlMax),
		socket.WithMaxMsgSize(o.maxmsgsize),
		socket.WithImmediate(o.immediate),
		socket.WithRouterMandatory(o.routerMandatory),
		socket.WithRouterHandover(o.routerHandover),
		socket.WithXPubVerbose(o.xpubVerbose),
		socket.WithXPubNoDrop(o.xpubNodrop),
		socket.WithHeartbeat(o.hbIvl, o.hbTTL, o.hbTO),
		socket.WithReqRelaxed(o.reqRelaxed),
		socket.WithReqCorrelate(o.reqCorrelate),
		socket.WithRecvTimeout(o.rcvtimeo),
		socket.WithSendTimeout(o.sndtimeo),
		socket.WithZAPDomain(o.zapDomain),
	}
	if o.handshakeIvl > 0 {
		opts = append(opts, socket.WithHandshakeInterval(o.handshakeIvl))
	}
	opts = append(opts, o.ext.build(t)...)
	if t == STREAM {
		opts = append(opts, socket.WithStreamNotify(!o.streamNoNotify))
	}
	return append(opts, o.tcp()...)
}

// security maps the PLAIN and CURVE options and the ZAP domain. Servers
// are authenticated by package socket's ZAP, which asks the handler bound at
// inproc://zeromq.zap.01 (AuthStart's, or the program's own) as libzmq does:
// a PLAIN or CURVE server always, a NULL socket when it has a ZAP domain.
func (o *sockOpts) security(soc *Socket) ([]socket.Option, error) {
	var opts []socket.Option
	if o.zapDomain != "" {
		opts = append(opts, socket.WithZAPDomain(o.zapDomain))
	}
	switch o.mechanism() {
	case PLAIN:
		if o.plainServer {
			return append(opts, socket.WithPlainServer(nil)), nil
		}
		return append(opts, socket.WithPlainClient(o.plainUser, o.plainPass)), nil
	case CURVE:
		if !o.curveSecSet {
			return nil, einval
		}
		if o.curveServer {
			return append(opts, socket.WithCurveServer(o.curveSec)), nil
		}
		srv, err := clientServerKey(o)
		if err != nil {
			return nil, err
		}
		return append(opts, socket.WithCurveClient(srv, [32]byte{}, o.curveSec)), nil
	}
	return opts, nil
}

// parseKey takes a CURVE key as 32 raw bytes or 40 Z85 characters.
func parseKey(key string) ([32]byte, error) {
	var k [32]byte
	switch len(key) {
	case 32:
		copy(k[:], key)
		return k, nil
	case 40:
		k, err := zmtp.ParseCurveKeyZ85(key)
		if err != nil {
			return k, einval
		}
		return k, nil
	}
	return k, einval
}

// clientServerKey returns the server key a CURVE client uses. libzmq lets
// a client set a public key that does not belong to its secret key; every
// handshake of such a client then fails at the server, which cannot open
// the vouch. Package socket refuses the mismatch at New (it derives the
// public key), so the same outcome is had by encrypting to a server key
// that no server holds: the socket is made, connects, and never completes
// a handshake, as with libzmq.
func clientServerKey(o *sockOpts) ([32]byte, error) {
	if !o.curvePubSet {
		return o.curveSrvKey, nil
	}
	derived, err := zmtp.CurvePublicKey(o.curveSec)
	if err != nil {
		return o.curveSrvKey, einval
	}
	if derived == o.curvePub {
		return o.curveSrvKey, nil
	}
	nobody, _, err := zmtp.GenerateCurveKeypair()
	return nobody, err
}

// tcp maps the TCP options (libzmq's -1, the system's value, is 0 here).
func (o *sockOpts) tcp() []socket.Option {
	orOS := func(n int) int { return max(n, 0) }
	secs := func(n int) time.Duration { return time.Duration(orOS(n)) * time.Second }
	return []socket.Option{
		socket.WithIPv6(o.ipv6),
		socket.WithSendBuffer(orOS(o.sndbuf)),
		socket.WithRecvBuffer(orOS(o.rcvbuf)),
		socket.WithTOS(o.tos),
		socket.WithTCPKeepalive(socket.Keepalive(o.keepalive)),
		socket.WithTCPKeepaliveCount(orOS(o.kaCnt)),
		socket.WithTCPKeepaliveIdle(secs(o.kaIdle)),
		socket.WithTCPKeepaliveInterval(secs(o.kaIntvl)),
	}
}
