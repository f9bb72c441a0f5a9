package socket

import (
	"fmt"
	"strings"
)

// Type is a socket type.
type Type uint8

// The classic socket types of RFC 37 (ZMTP 3.1), and STREAM.
const (
	Pair Type = iota
	Pub
	Sub
	XPub
	XSub
	Push
	Pull
	Req
	Rep
	Dealer
	Router
	// Stream talks raw TCP to non-ZeroMQ peers (ZMQ_STREAM): no ZMTP, each
	// connection a routing id (stream.go).
	Stream
)

var typeNames = [...]string{
	Pair: "PAIR", Pub: "PUB", Sub: "SUB", XPub: "XPUB", XSub: "XSUB", Push: "PUSH",
	Pull: "PULL", Req: "REQ", Rep: "REP", Dealer: "DEALER", Router: "ROUTER",
	Stream: "STREAM",
}

// String returns the ZMTP Socket-Type name, e.g. "DEALER".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

func (t Type) valid() bool { return int(t) < len(typeNames) }

// ParseType parses a socket type name, ignoring case ("pub", "DEALER").
func ParseType(s string) (Type, error) {
	for i, n := range typeNames {
		if strings.EqualFold(n, s) {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrBadType, s)
}
