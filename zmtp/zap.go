package zmtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// AuthRequest is what a server's handshake knows about a client when it asks
// Security.ZAP: the ZAP request of RFC 27 without the fields the socket layer
// adds (domain, request id, the server's own identity).
type AuthRequest struct {
	Mechanism string // "NULL", "PLAIN" or "CURVE"
	// Credentials are none for NULL, user name and password for PLAIN, the
	// client's 32-byte long-term public key for CURVE.
	Credentials [][]byte
	// Remote is the client's address as the transport reports it (nil when
	// it has none).
	Remote net.Addr
}

// AuthResult is an accepted client: the user id and the metadata the
// handler attached, which Conn reports as UserID and AuthMetadata.
type AuthResult struct {
	UserID   string
	Metadata Metadata
}

// ZAPStatusError is implemented by an error from Security.ZAP that carries a
// ZAP status code (auth.StatusError does). The handshake answers it as libzmq
// does: 300 (temporary) closes the connection without a word, so that the
// client may try again; any other code is sent as the ERROR reason, which
// libzmq clients report as an authentication failure with that code.
type ZAPStatusError interface {
	error
	ZAPStatus() int
}

// ErrAuthHandler reports an authentication handler that failed without
// deciding: a malformed reply from a handler on a socket, a handler that is
// missing. The connection is closed without an ERROR, as libzmq does.
var ErrAuthHandler = errors.New("zmtp: authentication handler failed")

// zapCaller is how a server mechanism consults Security.ZAP. The handshake
// fills in ctx (ending at the handshake deadline) and the client's address
// before the mechanism runs.
type zapCaller struct {
	fn     func(context.Context, *AuthRequest) (*AuthResult, error)
	ctx    context.Context
	remote net.Addr
}

func newZAPCaller(s Security) *zapCaller {
	if s.ZAP == nil {
		return nil
	}
	return &zapCaller{fn: s.ZAP, ctx: context.Background()}
}

// ask consults the handler about a client. On refusal it appends to dst the
// ERROR the client is owed (none for 300, a failed handler or a timeout).
func (z *zapCaller) ask(dst []byte, mechanism string, creds ...[]byte) (*AuthResult, []byte, error) {
	res, err := z.fn(z.ctx, &AuthRequest{Mechanism: mechanism, Credentials: creds, Remote: z.remote})
	if err == nil {
		if res == nil {
			res = &AuthResult{}
		}
		return res, dst, nil
	}
	var st ZAPStatusError
	switch {
	case errors.As(err, &st):
		if code := st.ZAPStatus(); code != 300 {
			dst = AppendError(dst, strconv.Itoa(code))
		}
		return nil, dst, fmt.Errorf("%w: %w", ErrAuthFailed, err)
	case z.ctx.Err() != nil:
		return nil, dst, fmt.Errorf("%w: the authentication handler did not answer: %w", ErrHandshakeTimeout, err)
	}
	return nil, dst, fmt.Errorf("%w: %w", ErrAuthHandler, err)
}

// zapUser is a mechanism that may consult Security.ZAP.
type zapUser interface {
	zapper() *zapCaller
	// AuthMetadata is what the handler attached to an accepted client.
	AuthMetadata() Metadata
}

// afterGreeting is a mechanism whose first command waits until the peer's
// greeting is in (a NULL socket consulting ZAP sends READY only once the
// handler accepted, as libzmq does).
type afterGreeting interface {
	afterGreeting(dst []byte) ([]byte, error)
}
