package socket

import (
	"errors"
	"fmt"
	"net"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrWouldBlock: the operation cannot complete now (TrySend, TryRecv).
	ErrWouldBlock = errors.New("socket: operation would block")
	// ErrHostUnreachable: ROUTER with RouterMandatory has no peer with that identity.
	ErrHostUnreachable = errors.New("socket: host unreachable")
	// ErrState: REQ/REP send and receive out of their strict alternation.
	ErrState = errors.New("socket: operation not valid in the current state")
	// ErrNotSupported: the socket type does not do this (Send on SUB, Subscribe on PUSH).
	ErrNotSupported = errors.New("socket: operation not supported by this socket type")
	// ErrBadEndpoint: an endpoint string that cannot be parsed or used.
	ErrBadEndpoint = errors.New("socket: bad endpoint")
	// ErrClosed: the socket is closed. It matches net.ErrClosed.
	ErrClosed = fmt.Errorf("socket: closed: %w", net.ErrClosed)

	// ErrBadOption: an option value out of range.
	ErrBadOption = errors.New("socket: bad option value")
	// ErrBadType: an unknown socket type.
	ErrBadType = errors.New("socket: unknown socket type")
	// ErrBadMessage: a message the socket type cannot send (empty, or a ROUTER
	// message without a body after the identity).
	ErrBadMessage = errors.New("socket: bad message")
	// ErrAddrInUse: an endpoint that is already bound (inproc name, live ipc socket).
	ErrAddrInUse = errors.New("socket: address in use")
	// ErrNotBound / ErrNotConnected: Unbind/Disconnect of an unknown endpoint.
	ErrNotBound     = errors.New("socket: endpoint not bound")
	ErrNotConnected = errors.New("socket: endpoint not connected")
	// ErrPeerRefused: a peer the socket will not take (second PAIR peer,
	// ROUTER identity already in use, incompatible inproc socket type).
	ErrPeerRefused = errors.New("socket: peer refused")
	// ErrHeartbeatTimeout: a peer was silent for longer than the heartbeat timeout.
	ErrHeartbeatTimeout = errors.New("socket: heartbeat timeout")
)

// EndpointError reports a bad endpoint with the reason. It matches ErrBadEndpoint.
type EndpointError struct {
	Endpoint string
	Reason   string
	Err      error // an underlying cause, if any
}

func (e *EndpointError) Error() string {
	s := fmt.Sprintf("socket: bad endpoint %q: %s", e.Endpoint, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrBadEndpoint) hold.
func (e *EndpointError) Is(target error) bool { return target == ErrBadEndpoint }

// Unwrap returns the underlying cause.
func (e *EndpointError) Unwrap() error { return e.Err }

// OptionError reports a bad option value. It matches ErrBadOption.
type OptionError struct {
	Option string
	Reason string
	// Err, when set, says more than ErrBadOption: ErrOptionTooLate or
	// ErrOptionNotSettable (both of which match ErrBadOption too).
	Err error
}

func (e *OptionError) Error() string { return "socket: option " + e.Option + ": " + e.Reason }

// Unwrap returns Err, or ErrBadOption.
func (e *OptionError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrBadOption
}

func badOption(name, reason string) error { return &OptionError{Option: name, Reason: reason} }
