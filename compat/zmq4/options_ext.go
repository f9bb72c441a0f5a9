package zmq4

import "github.com/purezmq/purezmq/socket"

// extOpts are CONFLATE, PROBE_ROUTER, XPUB_MANUAL, XPUB_WELCOME_MSG, which
// change on a live socket as the other live options do, and the pending
// CONNECT_ROUTING_ID, kept until the next Connect.
type extOpts struct {
	conflate    bool
	probeRouter bool
	xpubManual  bool
	xpubWelcome string
	connectRid  string
}

// build maps them for a socket of type t, for New and for SetOption (see
// sockOpts.live). libzmq accepts each on any type and honours it only on
// some; package socket refuses the others, so they are passed on only
// where they mean something.
func (e *extOpts) build(t Type) []socket.Option {
	var opts []socket.Option
	switch t {
	case PUSH, PULL, PUB, SUB, DEALER:
		opts = append(opts, socket.WithConflate(e.conflate))
	}
	switch t {
	case ROUTER, DEALER, REQ:
		opts = append(opts, socket.WithProbeRouter(e.probeRouter))
	case XPUB:
		opts = append(opts, socket.WithXPubManual(e.xpubManual), socket.WithXPubWelcome([]byte(e.xpubWelcome)))
	}
	return opts
}

// SetConflate keeps only the newest message in each queue (PUSH, PULL, PUB,
// SUB, DEALER), for connections made from then on.
func (soc *Socket) SetConflate(value bool) error {
	return soc.set(live, func(o *sockOpts) error { o.ext.conflate = value; return nil })
}

// SetProbeRouter sends an empty message on each new connection (ROUTER,
// DEALER, REQ).
func (soc *Socket) SetProbeRouter(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.ext.probeRouter = value != 0; return nil })
}

// SetXpubManual lets the application apply subscriptions (SetSubscribe on
// the XPUB), from the next subscription on.
func (soc *Socket) SetXpubManual(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.ext.xpubManual = value != 0; return nil })
}

// SetXpubWelcomeMsg sets the message an XPUB sends each new subscriber.
func (soc *Socket) SetXpubWelcomeMsg(value string) error {
	return soc.set(live, func(o *sockOpts) error { o.ext.xpubWelcome = value; return nil })
}

// SetConnectRid sets the routing id of the peer of the next Connect
// (ROUTER), at any time; Connect uses it once.
func (soc *Socket) SetConnectRid(value string) error {
	if len(value) > 255 {
		return einval
	}
	return soc.set(recorded, func(o *sockOpts) error { o.ext.connectRid = value; return nil })
}

// takeConnectRid returns the pending connect routing id and clears it.
// soc.mu is held.
func (soc *Socket) takeConnectRid() string {
	id := soc.opt.ext.connectRid
	soc.opt.ext.connectRid = ""
	return id
}
