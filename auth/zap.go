package auth

import (
	"fmt"

	"github.com/purezmq/purezmq/zmtp"
)

// Endpoint is where a program's own ZAP handler binds (RFC 27), and where a
// server looks for one.
const Endpoint = "inproc://zeromq.zap.01"

// Version is the only ZAP version, the first frame of every message.
const Version = "1.0"

// AnyDomain names the policies an Authenticator applies to requests whose
// domain has none of its own, and to requests with no domain (pyzmq's
// default domain has the same name).
const AnyDomain = "*"

// maxString is RFC 27's bound on every string field.
const maxString = 255

// Status is a ZAP status code.
type Status int

// The status codes of RFC 27.
const (
	StatusOK        Status = 200 // authenticated
	StatusTemporary Status = 300 // try again later
	StatusDenied    Status = 400 // authentication failed
	StatusInternal  Status = 500 // the handler failed
)

// Valid reports whether s is one of RFC 27's four codes.
func (s Status) Valid() bool {
	switch s {
	case StatusOK, StatusTemporary, StatusDenied, StatusInternal:
		return true
	}
	return false
}

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "200 OK"
	case StatusTemporary:
		return "300 temporary failure"
	case StatusDenied:
		return "400 denied"
	case StatusInternal:
		return "500 internal error"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Request is one ZAP authentication request (RFC 27): what a server knows
// about a connecting client once the security handshake has the
// credentials.
type Request struct {
	// RequestID is opaque to the handler and echoed in the reply; libzmq
	// sends "1".
	RequestID []byte
	// Domain is the server socket's ZAP_DOMAIN; libzmq sends it empty when
	// none is set (RFC 27 asks for non-empty; libzmq 4.3 does not).
	Domain string
	// Address is the client's IP address in text form; empty for transports
	// without one.
	Address string
	// Identity is at most 255 bytes. RFC 27 calls it the client's identity;
	// libzmq sends the server socket's own routing id (ZMQ_ROUTING_ID), as
	// package socket does, since a PLAIN client's is not known when the
	// request is made.
	Identity []byte
	// Mechanism is "NULL", "PLAIN", "CURVE" or another mechanism's name.
	Mechanism string
	// Credentials are the mechanism's frames: none for NULL, user name and
	// password for PLAIN, the client's 32-byte long-term key for CURVE.
	Credentials [][]byte
}

// PlainCredentials returns the user name and password of a PLAIN request.
func (r *Request) PlainCredentials() (user, password string, ok bool) {
	if r.Mechanism != "PLAIN" || len(r.Credentials) != 2 {
		return "", "", false
	}
	return string(r.Credentials[0]), string(r.Credentials[1]), true
}

// CurveKey returns the client's long-term public key of a CURVE request.
func (r *Request) CurveKey() (key [32]byte, ok bool) {
	if r.Mechanism != "CURVE" || len(r.Credentials) != 1 || len(r.Credentials[0]) != 32 {
		return key, false
	}
	copy(key[:], r.Credentials[0])
	return key, true
}

// Reply is a ZAP handler's answer (RFC 27).
type Reply struct {
	RequestID  []byte // echoes the request's
	Status     Status
	StatusText string
	// UserID names the authenticated user for the application (a 200 reply
	// only); the server attaches it to every message as "User-Id".
	UserID string
	// Metadata are further properties the server attaches to every message
	// from this client (a 200 reply only), in ZMTP metadata encoding on the
	// wire.
	Metadata zmtp.Metadata
}

// Err returns nil for a 200 reply and a *StatusError otherwise.
func (r *Reply) Err() error {
	if r.Status == StatusOK {
		return nil
	}
	return &StatusError{Code: r.Status, Text: r.StatusText}
}

// NewReply returns a reply to req with the given status and text.
func NewReply(req *Request, status Status, text string) *Reply {
	return &Reply{RequestID: req.RequestID, Status: status, StatusText: text}
}
