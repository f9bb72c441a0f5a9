package socket

import (
	"fmt"
)

// errConflateMultipart: CONFLATE keeps single-part messages only.
var errConflateMultipart = fmt.Errorf("%w: a conflating socket sends single-part messages only", ErrBadMessage)

// extOptions are libzmq's per-type behaviours set at New: CONFLATE,
// XPUB_MANUAL, XPUB_WELCOME_MSG and PROBE_ROUTER.
type extOptions struct {
	conflate    bool
	xpubManual  bool
	xpubWelcome []byte // nil: none
	probeRouter bool
}

// WithConflate keeps only the last message in each of the socket's queues
// (ZMQ_CONFLATE): a newer message replaces the one waiting, inbound and
// outbound, so a receiver always gets the latest value and a slow one never
// holds a sender back. The HWMs do not apply. As in libzmq it is for PUSH,
// PULL, PUB, SUB and DEALER, and for single-part messages: sending a
// multipart message fails with ErrBadMessage (a multipart message
// received is kept whole).
func WithConflate(on bool) Option {
	return func(o *options) error { o.ext.conflate = on; return nil }
}

// WithXPubManual gives an XPUB's application the subscriptions to decide
// (ZMQ_XPUB_MANUAL): every subscribe and unsubscribe message from a
// subscriber is delivered by Recv and none is applied by itself. The
// application applies one with Subscribe or Unsubscribe on the XPUB, which
// act for the subscriber of the message Recv returned last. When a
// subscriber leaves, "\x00topic" is delivered for each topic it had asked
// for and no remaining subscriber asked for.
func WithXPubManual(on bool) Option {
	return func(o *options) error { o.ext.xpubManual = on; return nil }
}

// WithXPubWelcome makes an XPUB send msg to every subscriber as it
// connects (ZMQ_XPUB_WELCOME_MSG). A SUB receives it only if it subscribed
// to a prefix of it beforehand, since SUBs filter what they receive. An
// empty msg sends nothing.
func WithXPubWelcome(msg []byte) Option {
	return func(o *options) error {
		if len(msg) == 0 {
			o.ext.xpubWelcome = nil
			return nil
		}
		o.ext.xpubWelcome = append([]byte(nil), msg...)
		return nil
	}
}

// WithProbeRouter makes a ROUTER, DEALER or REQ send an empty message to
// each peer as soon as a connection to it is made or accepted
// (ZMQ_PROBE_ROUTER), so that a ROUTER on the other side learns of the
// newcomer (and its routing id) before any request. The application at the
// other end must expect that empty message.
func WithProbeRouter(on bool) Option {
	return func(o *options) error { o.ext.probeRouter = on; return nil }
}

// checkExt refuses the options above on socket types they mean nothing to.
func checkExt(t Type, o *options) error {
	bad := func(name string) error {
		return badOption(name, fmt.Sprintf("has no effect on %v", t))
	}
	e := &o.ext
	if e.conflate && !conflates(t) {
		return bad("Conflate")
	}
	if e.conflate && o.swapBytes > 0 {
		return badOption("Conflate", "keeps one message: swap has nothing to do")
	}
	if (e.xpubManual || e.xpubWelcome != nil) && t != XPub {
		return bad("XPub")
	}
	if e.probeRouter && t != Router && t != Dealer && t != Req {
		return bad("ProbeRouter")
	}
	return nil
}

// conflates reports whether CONFLATE applies to t (the types libzmq
// honours it for).
func conflates(t Type) bool {
	switch t {
	case Push, Pull, Pub, Sub, Dealer:
		return true
	}
	return false
}
