package auth

import (
	"errors"
	"fmt"

	"github.com/purezmq/purezmq/zmtp"
)

// Sentinel errors; match them with errors.Is.
var (
	ErrMalformedRequest = errors.New("auth: malformed ZAP request")
	ErrMalformedReply   = errors.New("auth: malformed ZAP reply")
	ErrCertSyntax       = errors.New("auth: bad certificate file syntax")
	ErrCert             = errors.New("auth: bad certificate")
	ErrPasswordSyntax   = errors.New("auth: bad password file syntax")
	ErrKey              = errors.New("auth: bad CURVE key")
	ErrAddress          = errors.New("auth: bad IP address or network")

	// The three refusals a ZAP handler can give (status 400, 300, 500).
	// A *StatusError matches one of them and zmtp.ErrAuthFailed.
	ErrDenied    = errors.New("auth: access denied")
	ErrTemporary = errors.New("auth: temporary authentication failure")
	ErrInternal  = errors.New("auth: authentication handler failed")
)

// MalformedError reports a ZAP message that breaks RFC 27. It matches
// ErrMalformedRequest or ErrMalformedReply, and the cause if there is one
// (zmtp.ErrMalformedMetadata for a bad metadata frame).
type MalformedError struct {
	Reply  bool   // false: a request
	Frame  int    // index of the offending frame (after any envelope); -1 for the frame count
	Reason string // what is wrong
	Err    error  // underlying cause, or nil
}

func (e *MalformedError) Error() string {
	what := "request"
	if e.Reply {
		what = "reply"
	}
	s := fmt.Sprintf("auth: malformed ZAP %s: %s", what, e.Reason)
	if e.Frame >= 0 {
		s = fmt.Sprintf("auth: malformed ZAP %s, frame %d: %s", what, e.Frame, e.Reason)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *MalformedError) Unwrap() []error {
	kind := ErrMalformedRequest
	if e.Reply {
		kind = ErrMalformedReply
	}
	if e.Err != nil {
		return []error{kind, e.Err}
	}
	return []error{kind}
}

// SyntaxError reports a line of a certificate or password file that cannot be
// read, with its file name and 1-based line number. It matches ErrCertSyntax
// or ErrPasswordSyntax.
type SyntaxError struct {
	File   string
	Line   int
	Reason string
	kind   error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %v: %s", e.File, e.Line, e.kind, e.Reason)
}

func (e *SyntaxError) Unwrap() error { return e.kind }

// StatusError is a ZAP reply other than 200, as an error the handshake can
// return. It matches ErrDenied (400), ErrTemporary (300) or ErrInternal
// (500), and zmtp.ErrAuthFailed.
type StatusError struct {
	Code Status
	Text string // the handler's status text, possibly empty
}

func (e *StatusError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("auth: ZAP status %d", int(e.Code))
	}
	return fmt.Sprintf("auth: ZAP status %d: %s", int(e.Code), e.Text)
}

func (e *StatusError) Unwrap() []error {
	var kind error
	switch e.Code {
	case StatusTemporary:
		kind = ErrTemporary
	case StatusDenied:
		kind = ErrDenied
	default:
		kind = ErrInternal
	}
	return []error{kind, zmtp.ErrAuthFailed}
}

// ZAPStatus returns the status code. A server's handshake (package zmtp)
// reads it to answer the client as libzmq does: ERROR with the code for 400
// and 500, a silent disconnect for 300 so that the client may retry.
func (e *StatusError) ZAPStatus() int { return int(e.Code) }
