package zmtp

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// MaxLegacyIdentity is the longest identity the ZMTP 1.0 and 2.0 greetings
// carry (RFC 13: 1 to 255 octets; RFC 15: a short frame).
const MaxLegacyIdentity = math.MaxUint8

// Sizes of the fixed parts of the legacy greetings.
const (
	// LegacySignatureSize is the opening every version since 2.0 sends first
	// (RFC 15 and RFC 23 backward interoperability): 0xFF, an 8-octet length
	// (identity length + 1, so that a 1.0 peer reads it as the start of an
	// identity frame) and 0x7F, whose low bit tells a 1.0 frame from it.
	LegacySignatureSize = 10
	// v2GreetingFixed is the signature plus revision and socket-type octets.
	v2GreetingFixed = LegacySignatureSize + 2
	// V2Revision is the revision octet of ZMTP/2.0.
	V2Revision = 0x01
)

// legacySocketTypes is the socket-type octet of ZMTP 2.0 (RFC 15, with the
// XPUB and XSUB values libzmq 3.x sends), indexed by value.
var legacySocketTypes = [...]string{
	"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
}

// LegacySocketType returns the ZMTP 2.0 socket-type octet for a socket type
// name (any case), or false for types that did not exist then.
func LegacySocketType(name string) (byte, bool) {
	for i, n := range legacySocketTypes {
		if strings.EqualFold(n, name) {
			return byte(i), true
		}
	}
	return 0, false
}

// LegacyGreeting is what a ZMTP 1.0 or 2.0 peer says before its first
// message. A 1.0 greeting is only the identity frame; SocketType is empty.
type LegacyGreeting struct {
	Version    LegacyVersion
	Revision   int    // the revision octet (1 for ZMTP/2.0); 0 for 1.0
	SocketType string // upper-case RFC name; "" for ZMTP/1.0
	Identity   []byte // aliases the parsed input; empty when anonymous
}

// AppendLegacySignature appends the 10-octet opening for an identity of
// identityLen bytes. Sent alone it is the first step of RFC 23 version
// detection: valid as the start of a ZMTP 1.0 identity frame and of every
// later greeting.
func AppendLegacySignature(dst []byte, identityLen int) []byte {
	dst = append(dst, 0xFF)
	dst = binary.BigEndian.AppendUint64(dst, uint64(identityLen)+1)
	return append(dst, 0x7F)
}

// AppendV2GreetingRest appends what follows the signature in a ZMTP 2.0
// greeting: revision, socket type and the identity as a final short frame.
func AppendV2GreetingRest(dst []byte, socketType string, identity []byte) ([]byte, error) {
	st, ok := LegacySocketType(socketType)
	if !ok {
		return dst, fmt.Errorf("%w: %q has no ZMTP 2.0 code", ErrBadSocketType, socketType)
	}
	if len(identity) > MaxLegacyIdentity {
		return dst, fmt.Errorf("%w: identity of %d bytes", ErrBadConfig, len(identity))
	}
	dst = append(dst, V2Revision, st, 0x00, byte(len(identity)))
	return append(dst, identity...), nil
}

// AppendV2Greeting appends a whole ZMTP 2.0 greeting.
func AppendV2Greeting(dst []byte, socketType string, identity []byte) ([]byte, error) {
	return AppendV2GreetingRest(AppendLegacySignature(dst, len(identity)), socketType, identity)
}

// AppendV1Greeting appends a ZMTP 1.0 greeting: the identity as a final frame
// in 1.0 framing (the short form when it fits, so a peer that reads the first
// octet sees at once that this is not a later version).
func AppendV1Greeting(dst []byte, identity []byte) ([]byte, error) {
	if len(identity) > MaxLegacyIdentity {
		return dst, fmt.Errorf("%w: identity of %d bytes", ErrBadConfig, len(identity))
	}
	return AppendLegacyFrame(dst, ZMTP10, false, identity), nil
}

// ParseV1Greeting decodes a ZMTP 1.0 identity frame from the start of b. Its
// flags octet is not validated (RFC 13). An identity over 255 bytes is a
// *FrameSizeError, known from the length alone.
func ParseV1Greeting(b []byte) (LegacyGreeting, int, error) {
	g := LegacyGreeting{Version: ZMTP10}
	_, body, n, err := ParseLegacyFrame(b, ZMTP10, MaxLegacyIdentity)
	if err != nil {
		return g, 0, err
	}
	g.Identity = body
	return g, n, nil
}

// ParseV2Greeting decodes a whole ZMTP 2.0 greeting from the start of b. The
// signature's 8 middle octets are ignored (RFC 15 fills them with the
// identity length for 1.0 peers); the last signature octet must have its low
// bit set, the socket type must be one of RFC 15's and the identity a final
// short frame. Any revision from 1 up is accepted: a later peer answering a
// 2.0 greeting sends its own revision (libzmq 4 sends 3) and then the socket
// type and identity of 2.0, whose framing both sides then use.
func ParseV2Greeting(b []byte) (LegacyGreeting, int, error) {
	g := LegacyGreeting{Version: ZMTP20}
	if len(b) < 1 {
		return g, 0, ErrShort
	}
	if b[0] != 0xFF {
		return g, 0, ErrBadSignature
	}
	if len(b) < LegacySignatureSize {
		return g, 0, ErrShort
	}
	if b[9]&1 == 0 {
		return g, 0, ErrBadSignature
	}
	if len(b) < LegacySignatureSize+1 {
		return g, 0, ErrShort
	}
	if b[10] == 0 {
		return g, 0, fmt.Errorf("%w: revision octet 0 is ZMTP 1.0", ErrBadVersion)
	}
	g.Revision = int(b[10])
	if len(b) < v2GreetingFixed {
		return g, 0, ErrShort
	}
	if int(b[11]) >= len(legacySocketTypes) {
		return g, 0, fmt.Errorf("%w: ZMTP 2.0 code %d", ErrBadSocketType, b[11])
	}
	g.SocketType = legacySocketTypes[b[11]]
	if len(b) < v2GreetingFixed+1 {
		return g, 0, ErrShort
	}
	if b[12] != 0 {
		return g, 0, ErrBadFlags // identity = final-short
	}
	if len(b) < v2GreetingFixed+2 {
		return g, 0, ErrShort
	}
	end := v2GreetingFixed + 2 + int(b[13])
	if len(b) < end {
		return g, 0, ErrShort
	}
	g.Identity = b[v2GreetingFixed+2 : end : end]
	return g, end, nil
}

// PeerClass is what the first octets a peer sends say about its protocol.
type PeerClass struct {
	// Major is 1 (ZMTP/1.0), 2 (ZMTP/2.0) or 3 (ZMTP 3.x or later: read the
	// rest with ParseGreeting).
	Major int
	// Revision is the revision octet of a versioned peer (0 for a ZMTP 1.0
	// peer that sent one, 1 or 2 for ZMTP/2.0, 3 and up for 3.x); -1 for an
	// unversioned 1.0 peer, whose octets are the start of its identity frame.
	Revision int
	// Decided is how many octets of the input the decision rested on (1, 10
	// or 11). Nothing is consumed: an unversioned 1.0 peer's octets belong
	// to its identity frame, a later peer's to its greeting.
	Decided int
}

// ClassifyPeer decides, as RFC 15 and RFC 23 describe and libzmq does, which
// protocol a peer speaks from the first octets it sent, reading no more than
// needed: a first octet other than 0xFF is a 1.0 length; otherwise the tenth
// octet's low bit clear is a 1.0 long frame's flags; otherwise the eleventh
// (the revision) says 1.0-with-signature (0), 2.0 (1, 2) or 3.x (3 and up).
// ErrShort means more octets are needed. A 3.x peer whose tenth octet is not
// 0x7F is ErrBadSignature, as ParseGreeting reports it.
func ClassifyPeer(b []byte) (PeerClass, error) {
	if len(b) < 1 {
		return PeerClass{}, ErrShort
	}
	if b[0] != 0xFF {
		return PeerClass{Major: 1, Revision: -1, Decided: 1}, nil
	}
	if len(b) < LegacySignatureSize {
		return PeerClass{}, ErrShort
	}
	if b[9]&1 == 0 {
		return PeerClass{Major: 1, Revision: -1, Decided: LegacySignatureSize}, nil
	}
	if len(b) < LegacySignatureSize+1 {
		return PeerClass{}, ErrShort
	}
	c := PeerClass{Revision: int(b[10]), Decided: LegacySignatureSize + 1}
	switch {
	case b[10] == 0:
		c.Major = 1
	case b[10] < VersionMajor:
		c.Major = 2
	default:
		if b[9] != 0x7F {
			return PeerClass{}, ErrBadSignature
		}
		c.Major = VersionMajor
	}
	return c, nil
}
