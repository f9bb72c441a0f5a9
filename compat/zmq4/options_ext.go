package zmq4

import "github.com/purezmq/purezmq/socket"

// extOpts are CONFLATE, PROBE_ROUTER, XPUB_MANUAL, XPUB_WELCOME_MSG and
// the pending CONNECT_ROUTING_ID, recorded until the socket is made (the
// routing id until the next Connect).
type extOpts struct {
	conflate    bool
	probeRouter bool
	xpubManual  bool
	xpubWelcome string
	connectRid  string
}

// build maps them for a socket of type t. libzmq accepts each on any type
// and honours it only on some; package socket refuses the others, so they
// are passed on only where they mean something.
func (e *extOpts) build(t Type) []socket.Option {
	var opts []socket.Option
	if e.conflate && (t == PUSH || t == PULL || t == PUB || t == SUB || t == DEALER) {
		opts = append(opts, socket.WithConflate(true))
	}
	if e.probeRouter && (t == ROUTER || t == DEALER || t == REQ) {
		opts = append(opts, socket.WithProbeRouter(true))
	}
	if t == XPUB {
		if e.xpubManual {
			opts = append(opts, socket.WithXPubManual(true))
		}
		if e.xpubWelcome != "" {
			opts = append(opts, socket.WithXPubWelcome([]byte(e.xpubWelcome)))
		}
	}
	return opts
}

// SetConflate keeps only the newest message in each queue (PUSH, PULL, PUB,
// SUB, DEALER), before the socket is made.
func (soc *Socket) SetConflate(value bool) error {
	return soc.set(true, func(o *sockOpts) error { o.ext.conflate = value; return nil })
}

// SetProbeRouter sends an empty message on each new connection (ROUTER,
// DEALER, REQ), before the socket is made.
func (soc *Socket) SetProbeRouter(value int) error {
	return soc.set(true, func(o *sockOpts) error { o.ext.probeRouter = value != 0; return nil })
}

// SetXpubManual lets the application apply subscriptions (SetSubscribe on
// the XPUB), before the socket is made.
func (soc *Socket) SetXpubManual(value int) error {
	return soc.set(true, func(o *sockOpts) error { o.ext.xpubManual = value != 0; return nil })
}

// SetXpubWelcomeMsg sets the message an XPUB sends each new subscriber,
// before the socket is made.
func (soc *Socket) SetXpubWelcomeMsg(value string) error {
	return soc.set(true, func(o *sockOpts) error { o.ext.xpubWelcome = value; return nil })
}

// SetConnectRid sets the routing id of the peer of the next Connect
// (ROUTER), at any time; Connect uses it once.
func (soc *Socket) SetConnectRid(value string) error {
	return soc.set(false, func(o *sockOpts) error { o.ext.connectRid = value; return nil })
}

// takeConnectRid returns the pending connect routing id and clears it.
// soc.mu is held.
func (soc *Socket) takeConnectRid() string {
	id := soc.opt.ext.connectRid
	soc.opt.ext.connectRid = ""
	return id
}
