package zmq4

import (
	"strings"
)

// Type is a socket type, numbered as in libzmq.
type Type int

// Socket types (libzmq's numbers).
const (
	PAIR   = Type(0)
	PUB    = Type(1)
	SUB    = Type(2)
	REQ    = Type(3)
	REP    = Type(4)
	DEALER = Type(5)
	ROUTER = Type(6)
	PULL   = Type(7)
	PUSH   = Type(8)
	XPUB   = Type(9)
	XSUB   = Type(10)
	STREAM = Type(11)
)

var typeNames = map[Type]string{
	PAIR: "PAIR", PUB: "PUB", SUB: "SUB", REQ: "REQ", REP: "REP", DEALER: "DEALER",
	ROUTER: "ROUTER", PULL: "PULL", PUSH: "PUSH", XPUB: "XPUB", XSUB: "XSUB", STREAM: "STREAM",
}

// String returns the type's name, "<INVALID>" for an unknown one.
func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return "<INVALID>"
}

// Flag modifies Send and Recv.
type Flag int

// Send and Recv flags (libzmq's values).
const (
	DONTWAIT = Flag(1)
	SNDMORE  = Flag(2)
)

// String returns the flags joined by "|", "<NONE>" for none.
func (f Flag) String() string {
	return joinBits(int(f), []bitName{{int(DONTWAIT), "DONTWAIT"}, {int(SNDMORE), "SNDMORE"}})
}

// Event is a monitor event kind, a bit of the mask Monitor takes.
type Event int

// Monitor events (libzmq's bit values).
const (
	EVENT_ALL                        = Event(0xffff)
	EVENT_CONNECTED                  = Event(0x0001)
	EVENT_CONNECT_DELAYED            = Event(0x0002)
	EVENT_CONNECT_RETRIED            = Event(0x0004)
	EVENT_LISTENING                  = Event(0x0008)
	EVENT_BIND_FAILED                = Event(0x0010)
	EVENT_ACCEPTED                   = Event(0x0020)
	EVENT_ACCEPT_FAILED              = Event(0x0040)
	EVENT_CLOSED                     = Event(0x0080)
	EVENT_CLOSE_FAILED               = Event(0x0100)
	EVENT_DISCONNECTED               = Event(0x0200)
	EVENT_MONITOR_STOPPED            = Event(0x0400)
	EVENT_HANDSHAKE_FAILED_NO_DETAIL = Event(0x0800)
	EVENT_HANDSHAKE_SUCCEEDED        = Event(0x1000)
	EVENT_HANDSHAKE_FAILED_PROTOCOL  = Event(0x2000)
	EVENT_HANDSHAKE_FAILED_AUTH      = Event(0x4000)
)

var eventNames = []bitName{
	{int(EVENT_CONNECTED), "EVENT_CONNECTED"},
	{int(EVENT_CONNECT_DELAYED), "EVENT_CONNECT_DELAYED"},
	{int(EVENT_CONNECT_RETRIED), "EVENT_CONNECT_RETRIED"},
	{int(EVENT_LISTENING), "EVENT_LISTENING"},
	{int(EVENT_BIND_FAILED), "EVENT_BIND_FAILED"},
	{int(EVENT_ACCEPTED), "EVENT_ACCEPTED"},
	{int(EVENT_ACCEPT_FAILED), "EVENT_ACCEPT_FAILED"},
	{int(EVENT_CLOSED), "EVENT_CLOSED"},
	{int(EVENT_CLOSE_FAILED), "EVENT_CLOSE_FAILED"},
	{int(EVENT_DISCONNECTED), "EVENT_DISCONNECTED"},
	{int(EVENT_MONITOR_STOPPED), "EVENT_MONITOR_STOPPED"},
	{int(EVENT_HANDSHAKE_FAILED_NO_DETAIL), "EVENT_HANDSHAKE_FAILED_NO_DETAIL"},
	{int(EVENT_HANDSHAKE_SUCCEEDED), "EVENT_HANDSHAKE_SUCCEEDED"},
	{int(EVENT_HANDSHAKE_FAILED_PROTOCOL), "EVENT_HANDSHAKE_FAILED_PROTOCOL"},
	{int(EVENT_HANDSHAKE_FAILED_AUTH), "EVENT_HANDSHAKE_FAILED_AUTH"},
}

// String returns the event names joined by "|".
func (e Event) String() string {
	if e == EVENT_ALL {
		return "EVENT_ALL"
	}
	return joinBits(int(e), eventNames)
}

// State is a set of poll conditions.
type State int

// Poll conditions (libzmq's values).
const (
	POLLIN  = State(1)
	POLLOUT = State(2)
)

// String returns the conditions joined by "|", "<NONE>" for none.
func (s State) String() string {
	return joinBits(int(s), []bitName{{int(POLLIN), "POLLIN"}, {int(POLLOUT), "POLLOUT"}})
}

// Mechanism is a security mechanism.
type Mechanism int

// Security mechanisms (libzmq's values).
const (
	NULL   = Mechanism(0)
	PLAIN  = Mechanism(1)
	CURVE  = Mechanism(2)
	GSSAPI = Mechanism(3)
)

// String returns the mechanism's name.
func (m Mechanism) String() string {
	switch m {
	case NULL:
		return "NULL"
	case PLAIN:
		return "PLAIN"
	case CURVE:
		return "CURVE"
	case GSSAPI:
		return "GSSAPI"
	}
	return "<INVALID>"
}

// CURVE_ALLOW_ANY, given to AuthCurveAdd as a key, admits every client key.
const CURVE_ALLOW_ANY = "*"

type bitName struct {
	bit  int
	name string
}

func joinBits(v int, names []bitName) string {
	var ss []string
	for _, b := range names {
		if v&b.bit != 0 {
			ss = append(ss, b.name)
		}
	}
	if len(ss) == 0 {
		return "<NONE>"
	}
	return strings.Join(ss, "|")
}
