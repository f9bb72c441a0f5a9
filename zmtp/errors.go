package zmtp

import (
	"errors"
	"fmt"
	"io"
)

// Sentinel errors. Wrapped errors returned by this package match them with
// errors.Is; callers must not compare error strings.
var (
	// ErrShort reports input that ends before the item being parsed does. It
	// matches io.ErrUnexpectedEOF so stream readers can treat both alike.
	ErrShort = fmt.Errorf("zmtp: short input: %w", io.ErrUnexpectedEOF)

	ErrBadSignature         = errors.New("zmtp: bad greeting signature")
	ErrBadVersion           = errors.New("zmtp: unsupported protocol version")
	ErrLegacyPeer           = errors.New("zmtp: legacy ZMTP 1.0/2.0 peer")
	ErrBadMechanism         = errors.New("zmtp: bad security mechanism name")
	ErrMechanismMismatch    = errors.New("zmtp: peer uses a different security mechanism")
	ErrUnsupportedMechanism = errors.New("zmtp: unsupported security mechanism")

	ErrBadFlags        = errors.New("zmtp: bad frame flags")
	ErrFrameTooLarge   = errors.New("zmtp: frame too large")
	ErrMessageTooLarge = errors.New("zmtp: message too large")
	ErrEmptyMessage    = errors.New("zmtp: message has no frames")

	ErrMalformedCommand  = errors.New("zmtp: malformed command")
	ErrMalformedMetadata = errors.New("zmtp: malformed metadata")
	ErrUnexpectedCommand = errors.New("zmtp: unexpected command")
	ErrUnexpectedMessage = errors.New("zmtp: message frame during handshake")

	ErrBadSocketType          = errors.New("zmtp: unknown socket type")
	ErrIncompatibleSocketType = errors.New("zmtp: incompatible socket type")
	ErrAuthFailed             = errors.New("zmtp: authentication failed")
	ErrHandshakeTimeout       = errors.New("zmtp: handshake timed out")
	ErrBadConfig              = errors.New("zmtp: bad configuration")
)

// LegacyPeerError reports a peer speaking ZMTP 1.0 or 2.0 (libzmq 2.x/3.x)
// that was refused: our socket requires a security mechanism (or ZAP), which
// those protocols cannot carry. It matches ErrLegacyPeer and ErrBadVersion.
type LegacyPeerError struct {
	// Major is the detected protocol version: 1 (ZMTP 1.0, no version field)
	// or 2 (ZMTP 2.0).
	Major int
	// Revision is the version octet a ZMTP 2.0 peer sent (1 or 2, sometimes 0
	// from odd peers); 0 for ZMTP 1.0.
	Revision int
	// Mechanism is the security mechanism our side requires, which the
	// older protocol cannot carry ("" when unknown).
	Mechanism string
}

func (e *LegacyPeerError) Error() string {
	s := "zmtp: legacy peer speaks ZMTP 1.0"
	if e.Major > 1 {
		s = fmt.Sprintf("zmtp: legacy peer speaks ZMTP 2.0 (revision %d)", e.Revision)
	}
	if e.Mechanism != "" {
		s += ", which has no security; this socket requires " + e.Mechanism
	}
	return s
}

// Is makes errors.Is(err, ErrLegacyPeer) and errors.Is(err, ErrBadVersion) hold.
func (e *LegacyPeerError) Is(target error) bool {
	return target == ErrLegacyPeer || target == ErrBadVersion
}

// PeerError carries the reason of an ERROR command sent by the peer. RFC 37
// makes ERROR fatal: the connection must not be retried with the same
// credentials.
type PeerError struct {
	Reason string
}

func (e *PeerError) Error() string { return "zmtp: peer sent ERROR: " + e.Reason }

// IncompatibleSocketTypeError reports a peer whose Socket-Type may not talk to
// ours (RFC 37 table) or that announced none. It matches
// ErrIncompatibleSocketType.
type IncompatibleSocketTypeError struct {
	Local, Peer string
}

func (e *IncompatibleSocketTypeError) Error() string {
	return fmt.Sprintf("zmtp: socket type %q cannot talk to peer type %q", e.Local, e.Peer)
}

func (e *IncompatibleSocketTypeError) Unwrap() error { return ErrIncompatibleSocketType }
