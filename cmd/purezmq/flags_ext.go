package main

import (
	"flag"
	"fmt"

	"github.com/purezmq/purezmq/socket"
)

// extFlags are libzmq's per-type behaviours: ZMQ_CONFLATE,
// ZMQ_XPUB_WELCOME_MSG and ZMQ_PROBE_ROUTER.
type extFlags struct {
	conflate    bool
	xpubWelcome string
	probeRouter bool
}

func addExtFlags(fs *flag.FlagSet, f *extFlags) {
	fs.BoolVar(&f.conflate, "conflate", false, "push, pull, pub, sub, dealer: keep only the newest message in each queue, replacing an older one still waiting (single-part messages only; the high-water marks no longer apply)")
	fs.StringVar(&f.xpubWelcome, "xpub-welcome", "", "xpub: send `MSG` (text escapes allowed) to each subscriber as it connects; a SUB sees it when subscribed to a prefix of it")
	fs.BoolVar(&f.probeRouter, "probe-router", false, "router, dealer, req: send an empty message to each peer as soon as it is connected, so a ROUTER learns of it at once")
}

// check refuses the flags on verbs they mean nothing to.
func (f *extFlags) check(t socket.Type) error {
	switch {
	case f.conflate && t != socket.Push && t != socket.Pull && t != socket.Pub && t != socket.Sub && t != socket.Dealer:
		return fmt.Errorf("--conflate is only for push, pull, pub, sub and dealer")
	case f.xpubWelcome != "" && t != socket.XPub:
		return fmt.Errorf("--xpub-welcome is only for xpub")
	case f.probeRouter && t != socket.Router && t != socket.Dealer && t != socket.Req:
		return fmt.Errorf("--probe-router is only for router, dealer and req")
	}
	return nil
}

// options returns the socket options the flags ask for.
func (f *extFlags) options() []socket.Option {
	var opts []socket.Option
	if f.conflate {
		opts = append(opts, socket.WithConflate(true))
	}
	if f.xpubWelcome != "" {
		opts = append(opts, socket.WithXPubWelcome(unescapeText([]byte(f.xpubWelcome))))
	}
	if f.probeRouter {
		opts = append(opts, socket.WithProbeRouter(true))
	}
	return opts
}
