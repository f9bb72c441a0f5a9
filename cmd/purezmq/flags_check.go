package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/purezmq/purezmq/socket"
)

// check reports the first flag combination that makes no sense for a
// socket of type t, in the order a reader of the usage meets the flags.
func (c *sockConfig) check(fs *flag.FlagSet, t socket.Type) error {
	if err := c.checkBasics(t); err != nil {
		return err
	}
	if err := c.checkSecurity(); err != nil {
		return err
	}
	if err := c.tcp.check(); err != nil {
		return err
	}
	if err := c.req.check(t); err != nil {
		return err
	}
	if err := c.auth.check(c); err != nil {
		return err
	}
	return c.stream.check(fs, t)
}

// checkBasics checks the endpoint, type-specific, queue and timing flags.
func (c *sockConfig) checkBasics(t socket.Type) error {
	if len(c.binds)+len(c.connects) == 0 {
		return errors.New("need at least one --bind or --connect")
	}
	if c.subscribeSet && t != socket.Sub && t != socket.XSub {
		return errors.New("--subscribe is only for sub and xsub")
	}
	if c.routerMandatory && t != socket.Router {
		return errors.New("--router-mandatory is only for router")
	}
	if err := c.ext.check(t); err != nil {
		return err
	}
	if c.reconnectIvl < 0 || c.reconnectIvlMax < 0 || c.heartbeat < 0 {
		return errors.New("--reconnect-ivl, --reconnect-ivl-max and --heartbeat must not be negative")
	}
	if c.echo && t != socket.Rep && t != socket.Router && t != socket.Stream {
		return errors.New("--echo is only for rep and router (and stream)")
	}
	if c.hex && c.base64 {
		return errors.New("--hex and --base64 exclude each other")
	}
	if c.count < 0 || c.retainMax < 0 || c.retainTTL < 0 || c.timeout < 0 || c.delay < 0 || c.linger < 0 {
		return errors.New("--count, --retain-max and the durations must not be negative")
	}
	if c.swapDir != "" && c.swap == 0 {
		return errors.New("--swap-dir needs --swap BYTES")
	}
	if c.writeThrough && (c.swapDir == "" || !c.retain) {
		return errors.New("--write-through needs --swap, --swap-dir and --retain")
	}
	if c.ack {
		switch t {
		case socket.Push, socket.Pull, socket.Dealer, socket.Router, socket.Pair, socket.Pub, socket.Sub:
		default:
			return errors.New("--ack is only for push, pull, dealer, router, pair, pub and sub")
		}
	}
	if c.retainBy != "identity" && c.retainBy != "user" {
		return errors.New("--retain-by must be identity or user")
	}
	if c.identity != "" {
		id := unescapeText([]byte(c.identity))
		if len(id) > 255 || id[0] == 0 {
			return errors.New("--identity must be 1-255 bytes and must not start with \\x00")
		}
	}
	return nil
}

// checkSecurity checks that the PLAIN and CURVE flags describe one
// mechanism and one side of it.
func (c *sockConfig) checkSecurity() error {
	if (c.plainUser != "" || c.plainPass != "") && len(c.plainServer) > 0 {
		return errors.New("a socket is either a PLAIN client (--plain-user) or a PLAIN server (--plain-server)")
	}
	if c.plainPass != "" && c.plainUser == "" {
		return errors.New("--plain-pass needs --plain-user")
	}
	plain := c.plainUser != "" || len(c.plainServer) > 0
	curve := c.curveServer || c.curveServerKey != "" || c.curveSecret != "" || len(c.curveAllow) > 0
	switch {
	case plain && curve:
		return errors.New("PLAIN and CURVE flags exclude each other")
	case c.curveServer && c.curveServerKey != "":
		return errors.New("a socket is either a CURVE server (--curve-server) or a CURVE client (--curve-serverkey)")
	case c.curveServer && c.curveSecret == "":
		return errors.New("--curve-server needs --curve-secret")
	case len(c.curveAllow) > 0 && !c.curveServer:
		return errors.New("--curve-allow is for --curve-server")
	case c.curveSecret != "" && !c.curveServer && c.curveServerKey == "":
		return errors.New("--curve-secret needs --curve-server or --curve-serverkey")
	}
	for _, up := range c.plainServer {
		if u, _, ok := strings.Cut(up, ":"); !ok || u == "" {
			return fmt.Errorf("--plain-server wants USER:PASS, got %q", up)
		}
	}
	return nil
}
