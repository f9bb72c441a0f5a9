package socket

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/zmtp"
)

// ZAP (RFC 27) on the server side of a handshake, with libzmq's rules for
// who is asked:
//   - a PLAIN server (WithPlainServer(nil)) asks about every client; with no
//     handler at all every client is refused, as libzmq refuses them;
//   - a CURVE server asks about every client when there is a handler, and
//     admits every client that proves its key when there is none (libzmq's
//     "Stonehouse" case);
//   - a NULL socket asks only when it has a ZAP domain (WithZAPDomain), and
//     admits everyone when there is no handler (ZMQ_ZAP_ENFORCE_DOMAIN off,
//     libzmq 4.3's default; see WithZAPEnforceDomain).
//
// The handler is the one of WithZAP, or else a socket of the program's own
// bound at auth.Endpoint (inproc://zeromq.zap.01) when the handshake
// starts, asked over inproc as libzmq asks it. WithPlainServer and
// WithCurveAuth callbacks keep their own path and exclude WithZAP.

// ErrNoZAPHandler refuses a client when no ZAP handler exists (neither
// WithZAP nor a socket bound at auth.Endpoint) and one is required: on a
// PLAIN server, and with WithZAPEnforceDomain.
var ErrNoZAPHandler = errors.New("socket: no ZAP handler to authenticate the client")

// WithZAP makes h the socket's ZAP handler (RFC 27): a PLAIN or CURVE server
// asks it about every client, a NULL socket about every peer when it has a
// ZAP domain. The reply decides: 200 admits the client with the reply's
// user id and metadata (zmtp.Conn's UserID and AuthMetadata, and each
// received message's properties); 400 and 500 refuse it with ERROR carrying
// the code; 300 closes the connection without a word so that the client may
// retry. A handler that does not answer within the handshake interval
// fails the handshake (zmtp.ErrHandshakeTimeout). The stock handler is
// *auth.Authenticator.
func WithZAP(h auth.Handler) Option {
	return func(o *options) error {
		if h == nil {
			return badOption("ZAP", "nil handler")
		}
		o.zap = &zapHandler{h}
		return nil
	}
}

// WithZAPDomain sets the ZAP domain sent in each request (ZMQ_ZAP_DOMAIN), at
// most 255 bytes. A NULL socket consults ZAP only when it is set, and then
// refuses ZMTP 1.0 and 2.0 peers, which cannot be authenticated (libzmq).
func WithZAPDomain(domain string) Option {
	return func(o *options) error {
		if len(domain) > 255 {
			return badOption("ZAPDomain", "at most 255 bytes")
		}
		o.zapDomain = domain
		return nil
	}
}

// zapHandler holds WithZAP's handler behind a pointer, so that options
// compare by identity even when the handler is a func (auth.HandlerFunc),
// which Go cannot compare.
type zapHandler struct{ h auth.Handler }

// WithZAPEnforceDomain(true) is libzmq's ZMQ_ZAP_ENFORCE_DOMAIN: where ZAP
// applies (a CURVE server, a NULL socket with a ZAP domain) and no handler
// exists, clients are refused (ErrNoZAPHandler) instead of admitted. RFC 27
// asks for this; libzmq 4.3 leaves it off by default, and so does this
// package. A PLAIN server refuses clients without a handler either way.
func WithZAPEnforceDomain(on bool) Option {
	return func(o *options) error { o.zapEnforce = on; return nil }
}

// checkZAP rejects two ways of authenticating on one socket.
func checkZAP(o *options) error {
	if o.zap != nil && o.sec.Authenticate != nil {
		return badOption("ZAP", "a WithPlainServer or WithCurveAuth callback already authenticates clients; use one")
	}
	if o.zapDomain != "" && o.legacy.announce != 0 {
		return badOption("ZAPDomain", "ZMTP 1.0 and 2.0 cannot be authenticated: drop WithZMTPVersion or the ZAP domain")
	}
	return nil
}

// zapFunc returns what the handshake asks about clients (zmtp.Security.ZAP),
// or nil when nobody is asked. It is decided per handshake, as libzmq looks
// for a handler at auth.Endpoint each time.
func (s *Socket) zapFunc() func(context.Context, *zmtp.AuthRequest) (*zmtp.AuthResult, error) {
	o := s.opt()
	sec := o.sec
	if sec.Authenticate != nil {
		return nil // the callback path (WithPlainServer, WithCurveAuth)
	}
	mech := strings.ToUpper(sec.Mechanism)
	switch {
	case (mech == "PLAIN" || mech == "CURVE") && sec.Server:
	case (mech == "" || mech == "NULL") && o.zapDomain != "":
	default:
		return nil
	}
	var h auth.Handler
	if o.zap != nil {
		h = o.zap.h
	}
	if h == nil && inprocBound(inprocName(auth.Endpoint)) {
		h = auth.RemoteHandler(inprocExchanger{})
	}
	if h == nil {
		if mech == "PLAIN" || o.zapEnforce {
			return func(context.Context, *zmtp.AuthRequest) (*zmtp.AuthResult, error) {
				return nil, ErrNoZAPHandler
			}
		}
		return nil
	}
	domain, identity := o.zapDomain, o.identity
	return func(ctx context.Context, r *zmtp.AuthRequest) (*zmtp.AuthResult, error) {
		// libzmq sends its own routing id as the identity and "1" as the id.
		req := &auth.Request{RequestID: []byte("1"), Domain: domain, Address: auth.PeerAddress(r.Remote),
			Identity: identity, Mechanism: r.Mechanism, Credentials: r.Credentials}
		rep, err := auth.Decide(ctx, h, req)
		if err != nil {
			return nil, err
		}
		if err := rep.Err(); err != nil {
			return nil, err
		}
		return &zmtp.AuthResult{UserID: rep.UserID, Metadata: rep.Metadata}, nil
	}
}

// inprocName is the registry key of an inproc endpoint.
func inprocName(endpoint string) string { return strings.TrimPrefix(endpoint, "inproc://") }

// inprocBound reports whether a socket is bound at the inproc name.
func inprocBound(name string) bool {
	inprocReg.mu.Lock()
	defer inprocReg.mu.Unlock()
	return inprocReg.binds[name] != nil
}

// inprocExchanger carries one ZAP request to the handler bound at
// auth.Endpoint on a DEALER of its own, with the empty delimiter a REP or
// ROUTER handler expects, as libzmq's per-connection ZAP pipe does. A
// socket per request keeps concurrent handshakes' replies apart without
// matching them; inproc sockets cost no goroutine.
type inprocExchanger struct{}

func (inprocExchanger) Exchange(ctx context.Context, request [][]byte) ([][]byte, error) {
	d, err := New(Dealer, WithLinger(0))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := d.Connect(auth.Endpoint); err != nil {
		return nil, err
	}
	frames := append([][]byte{{}}, request...)
	if err := d.Send(ctx, Msg{Frames: frames}); err != nil {
		return nil, err
	}
	m, err := d.Recv(ctx)
	if err != nil {
		return nil, err
	}
	if len(m.Frames) == 0 || len(m.Frames[0]) != 0 {
		return nil, fmt.Errorf("%w: no empty delimiter before the reply", auth.ErrMalformedReply)
	}
	return m.Frames[1:], nil
}

// refusesLegacyForZAP: a NULL socket whose clients ZAP vets refuses ZMTP
// 1.0/2.0 peers, as libzmq does (their greeting carries nothing the
// handler could judge, so the check could not run).
func refusesLegacyForZAP(o *options) bool {
	mech := strings.ToUpper(o.sec.Mechanism)
	return (mech == "" || mech == "NULL") && o.zapDomain != ""
}
