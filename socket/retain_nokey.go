package socket

import "fmt"

// NoKeyError says why a peer of a retaining socket has no key: its pipe is
// then transient, and what is queued for it goes when it leaves.
type NoKeyError struct {
	KeyBy    KeyBy
	PeerType string // the peer's socket type, from its handshake
}

func (e *NoKeyError) Error() string {
	if e.KeyBy == KeyUser {
		return fmt.Sprintf("socket: retention keys by user, but the %s peer has no authenticated user (NULL mechanism?): its backlog is not kept", e.PeerType)
	}
	s := fmt.Sprintf("socket: retention keys by identity, but the %s peer sent none: its backlog is not kept", e.PeerType)
	switch e.PeerType {
	case "REQ", "DEALER", "ROUTER":
	default:
		// libzmq announces a routing id only from these three types.
		s += " (libzmq sends ZMQ_IDENTITY/ROUTING_ID only from REQ, DEALER and ROUTER sockets; key by user with PLAIN or CURVE instead)"
	}
	return s
}

// noteNoKey reports a peer that retention cannot key, once per connection:
// on the monitor and as a warning in the log, since the user asked for
// durability and is not getting it for this peer.
func (s *Socket) noteNoKey(p *peer, ep string) {
	err := &NoKeyError{KeyBy: s.rt.cfg.KeyBy, PeerType: p.peerType}
	s.log.Warn("retention: peer has no key; its pipe is transient", "endpoint", ep, "peer", p.addr, "err", err)
	s.emit(Event{Kind: EventRetentionNoKey, Endpoint: ep, Peer: p.addr, Err: err})
}
