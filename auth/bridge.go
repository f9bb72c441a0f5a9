package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
)

// Exchanger carries one ZAP request's frames to a handler and returns the
// reply's frames, both without the address envelope. The socket layer
// implements it with a REQ (or DEALER plus delimiter) socket connected to
// Endpoint, so that a program's own handler bound there is used as libzmq
// uses it; this package stays free of sockets.
type Exchanger interface {
	Exchange(ctx context.Context, request [][]byte) (reply [][]byte, err error)
}

// ExchangerFunc adapts a function to Exchanger.
type ExchangerFunc func(ctx context.Context, request [][]byte) ([][]byte, error)

// Exchange calls f.
func (f ExchangerFunc) Exchange(ctx context.Context, request [][]byte) ([][]byte, error) {
	return f(ctx, request)
}

// ErrRequestID reports a ZAP reply whose request id is not the request's.
var ErrRequestID = errors.New("auth: ZAP reply answers another request")

// RemoteHandler is a Handler that asks a handler elsewhere (a socket bound at
// Endpoint) through x. Each request gets its own request id; a reply that is
// malformed or answers another id is an error (so Resolve answers 500 and the
// handshake fails, as libzmq fails it).
func RemoteHandler(x Exchanger) Handler { return &remote{x: x} }

type remote struct {
	x    Exchanger
	next atomic.Uint64
}

func (r *remote) Authenticate(ctx context.Context, req *Request) (*Reply, error) {
	q := *req
	q.RequestID = strconv.AppendUint(nil, r.next.Add(1), 10)
	frames, err := AppendRequest(nil, &q)
	if err != nil {
		return nil, err
	}
	out, err := r.x.Exchange(ctx, frames)
	if err != nil {
		return nil, err
	}
	rep, err := ParseReply(out)
	if err != nil {
		return nil, err
	}
	if string(rep.RequestID) != string(q.RequestID) {
		return nil, fmt.Errorf("%w: id %q, sent %q", ErrRequestID, rep.RequestID, q.RequestID)
	}
	rep.RequestID = req.RequestID
	return rep, nil
}

// PeerAddress is the address field of a request for a connection's remote
// address: the IP alone, as libzmq sends it ("192.0.2.1", "::1"), and ""
// for transports without one (ipc, inproc).
func PeerAddress(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort().Addr().Unmap().String()
	case *net.UDPAddr:
		return a.AddrPort().Addr().Unmap().String()
	}
	return ""
}
