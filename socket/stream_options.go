package socket

import (
	"errors"
	"fmt"
)

// ErrStreamTransport: a STREAM socket was asked to bind or connect over a
// transport that has no raw byte stream (inproc); STREAM takes tcp and ipc.
var ErrStreamTransport = errors.New("socket: STREAM works over tcp and ipc only")

// streamOptions are the options only STREAM reads, and the routing id of
// the next Connect, which ROUTER shares (ZMQ_CONNECT_ROUTING_ID).
type streamOptions struct {
	// noNotify turns off the empty messages a STREAM delivers when a peer
	// connects or disconnects (ZMQ_STREAM_NOTIFY, on by default).
	noNotify bool
	// connectRID is the routing id the peer of the next Connect gets;
	// Connect takes it and clears it (takeConnectRoutingID).
	connectRID []byte
}

// WithStreamNotify sets whether a STREAM socket delivers a message with an
// empty data frame, [routing id, ""], when a peer connects and when it
// disconnects (ZMQ_STREAM_NOTIFY; on by default, as in libzmq). Changed
// with SetOption, it applies to connections made from then on.
func WithStreamNotify(on bool) Option {
	return func(o *options) error {
		o.stream.noNotify = !on
		return nil
	}
}

// WithConnectRoutingID sets the routing id that the peer reached by the
// socket's next Connect gets, instead of a generated one
// (ZMQ_CONNECT_ROUTING_ID): STREAM and ROUTER address that peer by it.
// As in libzmq, the value is used by one Connect and then forgotten; it may
// be set again with SetOption before each Connect. ConnectWithRoutingID does
// both at once. It must be 1 to 255 bytes and
// not start with a zero byte (generated ids do).
func WithConnectRoutingID(id []byte) Option {
	return func(o *options) error {
		if err := checkRoutingID("ConnectRoutingID", id); err != nil {
			return err
		}
		o.stream.connectRID = append([]byte(nil), id...)
		return nil
	}
}

func checkRoutingID(name string, id []byte) error {
	if len(id) == 0 || len(id) > 255 {
		return badOption(name, "must be 1 to 255 bytes")
	}
	if id[0] == 0 {
		return badOption(name, "must not start with a zero byte")
	}
	return nil
}

// takeConnectRoutingID returns the routing id set for the next Connect and
// clears it, as libzmq consumes ZMQ_CONNECT_ROUTING_ID at each connect.
// The caller holds no lock (SetOption's lock is taken before s.mu). This is
// the hook ROUTER's CONNECT_ROUTING_ID shares: the connector keeps the value
// (connector.routingID) for the peers its connections make.
func (s *Socket) takeConnectRoutingID() []byte {
	s.lv.mu.Lock()
	defer s.lv.mu.Unlock()
	cur := s.opt()
	id := cur.stream.connectRID
	if id == nil {
		return nil
	}
	next := *cur
	next.stream.connectRID = nil
	s.lv.cur.Store(&next)
	return id
}

// idRouter is a socket type that addresses its peers by routing id (ROUTER,
// STREAM): what a connect routing id applies to.
type idRouter interface {
	lookup(id []byte) *peer
}

// ConnectWithRoutingID connects like Connect and gives the peer reached
// through endpoint the routing id id, which is how a STREAM program knows
// the id of a peer it connected to without waiting for the connect
// notification. Types that do not route by id (all but STREAM and ROUTER)
// return ErrNotSupported; an id already in use, ErrPeerRefused.
func (s *Socket) ConnectWithRoutingID(endpoint string, id []byte) error {
	r, ok := s.h.(idRouter)
	if !ok {
		return ErrNotSupported
	}
	if err := checkRoutingID("ConnectRoutingID", id); err != nil {
		return err
	}
	if r.lookup(id) != nil {
		return fmt.Errorf("%w: routing id %q already in use", ErrPeerRefused, id)
	}
	return s.connect(endpoint, append([]byte(nil), id...))
}

// checkStreamOptions refuses, for STREAM, the options that key a peer by
// its ZMTP identity, which a raw peer has not.
func checkStreamOptions(t Type, o *options) error {
	if t != Stream {
		return nil
	}
	if o.retention != nil {
		return badOption("Retention", "a STREAM peer has no identity to retain it by")
	}
	if o.writeThrough {
		return badOption("WriteThrough", "not available on STREAM")
	}
	// Raw peers have no handshake: a mechanism or ZMTP heartbeats would be
	// silently without effect (libzmq ignores them), so they are refused.
	if m := o.sec.Mechanism; m != "" && m != "NULL" {
		return badOption("Security", m+" needs a ZMTP handshake, which STREAM peers do not make")
	}
	if o.hbInterval > 0 {
		return badOption("Heartbeat", "ZMTP heartbeats need ZMTP peers; STREAM peers are raw")
	}
	return nil
}

// checkStreamTransport refuses a transport a STREAM socket cannot use.
func (s *Socket) checkStreamTransport(ep endpoint) error {
	if s.typ != Stream || ep.transport == "tcp" || ep.transport == "ipc" {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrStreamTransport, ep.raw)
}
