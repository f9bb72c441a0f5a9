package socket

import (
	"fmt"

	"github.com/purezmq/purezmq/zmtp"
)

// legacyOptions say how a socket meets ZMTP 1.0 and 2.0 (libzmq 2.x and
// 3.x) peers. By default it answers them in their own protocol (RFC 23),
// as libzmq does.
type legacyOptions struct {
	announce zmtp.LegacyVersion // 0: ZMTP 3.1 with detection
	refuse   bool               // refuse older peers instead
}

// WithZMTPVersion makes the socket announce an older protocol on every tcp
// and ipc connection, as a libzmq 3.x (zmtp.ZMTP20) or 2.x (zmtp.ZMTP10)
// socket would; a later peer, libzmq 4 included, downgrades to it. Such a
// connection has no security mechanism, no heartbeats and no commands:
// subscriptions travel as messages. Zero restores the default, ZMTP 3.1
// answering older peers in their own protocol. The socket type must have
// existed then (PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB,
// XSUB), which New checks.
func WithZMTPVersion(v zmtp.LegacyVersion) Option {
	return func(o *options) error {
		switch v {
		case 0, zmtp.ZMTP10, zmtp.ZMTP20:
		default:
			return badOption("ZMTPVersion", "must be zmtp.ZMTP10, zmtp.ZMTP20 or 0")
		}
		o.legacy.announce = v
		return nil
	}
}

// WithLegacyPeers(false) makes a socket without security refuse ZMTP 1.0
// and 2.0 peers (the handshake fails with zmtp.ErrLegacyPeer) instead of
// talking to them. ZMTP 1.0 has no signature, so with the default any bytes
// that parse as an identity frame are taken for such a peer. Sockets with
// PLAIN or CURVE always refuse older peers, which cannot carry security.
func WithLegacyPeers(allow bool) Option {
	return func(o *options) error {
		o.legacy.refuse = !allow
		return nil
	}
}

// checkLegacy validates the legacy options against the rest, once all were
// applied.
func checkLegacy(t Type, o *options) error {
	v := o.legacy.announce
	if v == 0 {
		return nil
	}
	if _, ok := zmtp.LegacySocketType(t.String()); !ok {
		return badOption("ZMTPVersion", fmt.Sprintf("%v has no %v sockets", v, t))
	}
	if m := o.sec.Mechanism; m != "" && m != "NULL" {
		return badOption("ZMTPVersion", fmt.Sprintf("%v cannot carry %s security", v, m))
	}
	if o.legacy.refuse {
		return badOption("ZMTPVersion", "an older version announced while refusing older peers")
	}
	return nil
}

// protocolOf names the protocol a handshaken connection speaks.
func protocolOf(zc *zmtp.Conn) string {
	if v := zc.Legacy(); v != 0 {
		return v.String()
	}
	if _, minor := zc.Version(); minor == 0 {
		return "ZMTP/3.0"
	}
	return "ZMTP/3.1"
}
