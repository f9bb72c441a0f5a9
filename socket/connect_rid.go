package socket

import "fmt"

// ConnectWithRoutingID connects a ROUTER to endpoint as Connect does, and
// routes the peer reached there by routingID instead of the identity it
// announces or a generated one (libzmq's ZMQ_CONNECT_ROUTING_ID, which
// applies to the next connect). The peer is routable at once: messages
// sent to routingID before the connection is up are queued for it, as for
// a DEALER's connect. routingID is 1 to 255 bytes and must not be in use
// by another peer of the socket.
func (s *Socket) ConnectWithRoutingID(endpoint string, routingID []byte) error {
	r, ok := s.h.(*routerSocket)
	if !ok {
		return ErrNotSupported
	}
	if len(routingID) == 0 || len(routingID) > 255 || routingID[0] == 0 {
		// A leading zero byte is kept for generated ids, as for WithIdentity.
		return badOption("ConnectRoutingID", "must be 1 to 255 bytes, not starting with a zero byte")
	}
	if r.lookup(routingID) != nil {
		return fmt.Errorf("%w: routing id %q already in use", ErrPeerRefused, routingID)
	}
	return s.connect(endpoint, append([]byte(nil), routingID...))
}
