package socket

import (
	"fmt"
	"time"
)

// EventKind says what happened on a socket.
type EventKind uint8

// Monitor event kinds.
const (
	EventListening          EventKind = iota // a Bind succeeded
	EventBindFailed                          // a Bind failed
	EventAccepted                            // an inbound connection arrived
	EventAcceptFailed                        // accepting a connection failed
	EventConnected                           // an outbound connection was established
	EventConnectDelayed                      // a connection attempt failed; will retry
	EventConnectRetried                      // a new connection attempt is starting
	EventHandshakeSucceeded                  // ZMTP handshake done; the peer is attached
	EventHandshakeFailed                     // the handshake failed (Err says why)
	EventDisconnected                        // a connection ended (Err says why, nil when closed by us)
	EventClosed                              // a listener or the socket closed
	EventDropped                             // messages were dropped at a high-water mark (Err counts)
	EventPeerRefused                         // a handshaken peer was refused (Err says why)
	EventRetained                            // a departed peer's pipe is kept under its key (Peer is the key)
	EventRetentionClaimed                    // a returning peer took its retained pipe back
	EventRetentionExpired                    // a retained pipe was let go: TTL or MaxKeys (Err says which)
)

var eventNames = [...]string{
	"LISTENING", "BIND_FAILED", "ACCEPTED", "ACCEPT_FAILED", "CONNECTED", "CONNECT_DELAYED",
	"CONNECT_RETRIED", "HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED", "DISCONNECTED", "CLOSED",
	"DROPPED", "PEER_REFUSED", "RETAINED", "RETENTION_CLAIMED", "RETENTION_EXPIRED",
}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	if n, ok := extraEventNames[k]; ok {
		return n
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one monitor event.
type Event struct {
	Kind     EventKind
	Endpoint string // the bound or connected endpoint
	Peer     string // the remote address, when known
	Err      error
	Time     time.Time
	// Protocol is what a HANDSHAKE_SUCCEEDED connection speaks:
	// "ZMTP/3.1", "ZMTP/3.0", or "ZMTP/2.0" and "ZMTP/1.0" with older
	// peers (see WithZMTPVersion).
	Protocol string
}

func (e Event) String() string {
	s := e.Kind.String() + " " + e.Endpoint
	if e.Peer != "" {
		s += " peer=" + e.Peer
	}
	if e.Protocol != "" {
		s += " protocol=" + e.Protocol
	}
	if e.Err != nil {
		s += " err=" + e.Err.Error()
	}
	return s
}

// DropError describes messages dropped at a high-water mark. Total is the
// socket's count so far.
type DropError struct{ Total uint64 }

func (e *DropError) Error() string { return fmt.Sprintf("socket: %d messages dropped so far", e.Total) }

// Monitor returns the socket's event channel, carrying the kinds of
// WithMonitorMask (all by default). Events that do not fit in its buffer
// are dropped and counted (Stats().MonitorDropped), and an
// EventMonitorOverflow saying how many comes as soon as there is room. It
// is closed by Close.
func (s *Socket) Monitor() <-chan Event { return s.mon }

func (s *Socket) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.log.Debug("event", "kind", e.Kind.String(), "endpoint", e.Endpoint, "peer", e.Peer, "err", e.Err)
	if !s.opt().monitorMaskOrAll().Has(e.Kind) {
		return
	}
	s.monMu.Lock()
	defer s.monMu.Unlock()
	if s.monClosed {
		return
	}
	s.deliver(e)
}
