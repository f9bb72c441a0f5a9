package zmq4

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/purezmq/purezmq/socket"
)

// Socket is a ZeroMQ socket with pebbe/zmq4's methods.
//
// libzmq sets every option after zmq_socket; package socket fixes the
// security mechanism and keys at New. So a Socket records its options and
// makes the underlying socket.Socket when it is first needed (Bind,
// Connect, Send, Recv, a poll); after that, options are applied to it with
// SetOption, and only the security ones fail with ENOTSUP (see the package
// documentation). Like libzmq's, a Socket is meant for one goroutine at a
// time; it does not corrupt itself when shared, but frames of one message
// may interleave.
type Socket struct {
	ctx *Context
	typ Type

	mu      *sync.Mutex    // a pointer: String has a value receiver, as pebbe's
	s       *socket.Socket // nil until materialised
	closed  bool
	opt     sockOpts
	subs    [][]byte // subscriptions made before the socket exists
	last    string   // last bound or connected endpoint
	binds   []string // bound endpoints, resolved (for EVENT_CLOSED at Close)
	monitor *monitor

	// receiving: the message being read frame by frame, and the metadata
	// of the message being read, or of the last one read (RecvWithMetadata
	// asks after it is done).
	in     [][]byte
	inNext int
	more   bool
	inMD   *socket.Metadata

	// sending: frames given with SNDMORE, sent with the last one.
	out [][]byte

	// REQ/REP turn, for POLLOUT and EFSM as libzmq reports them.
	awaitReply bool // REQ sent, reply not yet read
	haveReq    bool // REP read a request, reply not yet sent
}

// NewSocket makes a socket of type t in the context.
func (ctx *Context) NewSocket(t Type) (soc *Socket, err error) {
	if _, ok := typeNames[t]; !ok {
		return nil, einval
	}
	soc = &Socket{ctx: ctx, typ: t, mu: new(sync.Mutex), opt: defaultOpts(ctx)}
	if err := ctx.add(soc); err != nil {
		return nil, err
	}
	return soc, nil
}

// NewSocket makes a socket of type t in the default context.
func NewSocket(t Type) (soc *Socket, err error) { return defaultCtx.NewSocket(t) }

var socketTypes = map[Type]socket.Type{
	PAIR: socket.Pair, PUB: socket.Pub, SUB: socket.Sub, REQ: socket.Req, REP: socket.Rep,
	DEALER: socket.Dealer, ROUTER: socket.Router, PULL: socket.Pull, PUSH: socket.Push,
	XPUB: socket.XPub, XSUB: socket.XSub, STREAM: socket.Stream,
}

// check returns the error for a call on a closed socket or a terminated
// context. soc.mu is held.
func (soc *Socket) check() error {
	if soc.closed {
		return ErrorSocketClosed
	}
	if soc.ctx.done() {
		return ETERM
	}
	return nil
}

// real returns the underlying socket, making it on first use. soc.mu is held.
func (soc *Socket) real() (*socket.Socket, error) {
	if err := soc.check(); err != nil {
		return nil, err
	}
	if soc.s != nil {
		return soc.s, nil
	}
	opts, err := soc.opt.build(soc)
	if err != nil {
		return nil, err
	}
	s, err := socket.New(socketTypes[soc.typ], opts...)
	if err != nil {
		return nil, toErrno(err)
	}
	for _, topic := range soc.subs {
		if err := s.Subscribe(topic); err != nil {
			s.Close()
			return nil, toErrno(err)
		}
	}
	soc.subs = nil
	soc.s = s
	if soc.monitor != nil {
		soc.monitor.start(s, soc)
	}
	return s, nil
}

// created reports whether options fixed at creation can still change.
// soc.mu is held.
func (soc *Socket) created() bool { return soc.s != nil }

// callErr maps the error of a blocking call: the context's termination is
// ETERM, a timeout EAGAIN.
func (soc *Socket) callErr(err error) error {
	if soc.ctx.done() {
		return ETERM
	}
	return toErrno(err)
}

// Bind binds the socket to endpoint (tcp, ipc, inproc).
func (soc *Socket) Bind(endpoint string) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	s, err := soc.real()
	if err != nil {
		return err
	}
	if err := transportOK(endpoint); err != nil {
		return err
	}
	before := s.Endpoints()
	if err := s.Bind(endpoint); err != nil {
		return toErrno(err)
	}
	soc.last = newEndpoint(before, s.Endpoints(), endpoint)
	soc.binds = append(soc.binds, soc.last)
	return nil
}

// newEndpoint finds the endpoint a Bind added, in libzmq's spelling
// (tcp://0.0.0.0:port for tcp://*:port).
func newEndpoint(before, after []string, given string) string {
	seen := map[string]bool{}
	for _, e := range before {
		seen[e] = true
	}
	ep := given
	for _, e := range after {
		if !seen[e] {
			ep = e
		}
	}
	return libzmqEndpoint(ep)
}

func libzmqEndpoint(ep string) string {
	if rest, ok := strings.CutPrefix(ep, "tcp://*:"); ok {
		return "tcp://0.0.0.0:" + rest
	}
	return ep
}

// Unbind stops listening on endpoint.
func (soc *Socket) Unbind(endpoint string) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	s, err := soc.real()
	if err != nil {
		return err
	}
	if err := s.Unbind(endpoint); err != nil {
		return toErrno(err)
	}
	for i, b := range soc.binds {
		if b == libzmqEndpoint(endpoint) || b == endpoint {
			soc.binds = append(soc.binds[:i:i], soc.binds[i+1:]...)
			break
		}
	}
	return nil
}

// Connect connects the socket to endpoint; the connection is made and
// remade in the background.
func (soc *Socket) Connect(endpoint string) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	s, err := soc.real()
	if err != nil {
		return err
	}
	if err := transportOK(endpoint); err != nil {
		return err
	}
	if !validHost(endpoint) {
		return einval
	}
	if rid := soc.takeConnectRid(); rid != "" && (soc.typ == ROUTER || soc.typ == STREAM) {
		err = s.ConnectWithRoutingID(endpoint, []byte(rid))
	} else {
		err = s.Connect(endpoint)
	}
	if err != nil {
		return toErrno(err)
	}
	soc.last = endpoint
	return nil
}

// Disconnect stops connecting to endpoint.
func (soc *Socket) Disconnect(endpoint string) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	s, err := soc.real()
	if err != nil {
		return err
	}
	return toErrno(s.Disconnect(endpoint))
}

// Close closes the socket. Messages still queued are flushed for the
// linger time given before the socket was made (SetLinger).
func (soc *Socket) Close() error {
	soc.mu.Lock()
	if soc.closed {
		soc.mu.Unlock()
		return ErrorSocketClosed
	}
	soc.closed = true
	s, mon := soc.s, soc.monitor
	soc.mu.Unlock()
	var err error
	if s != nil {
		err = s.Close()
	}
	if mon != nil {
		mon.stop()
	}
	soc.ctx.remove(soc)
	// zmq_close succeeds whatever linger discarded; the count stays in
	// the socket's Stats and monitor.
	if err != nil && !errors.Is(err, socket.ErrLingerDiscard) {
		return toErrno(err)
	}
	return nil
}

// Context returns the socket's context.
func (soc *Socket) Context() (*Context, error) {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if soc.closed {
		return nil, ErrorSocketClosed
	}
	return soc.ctx, nil
}

// GetType returns the socket's type.
func (soc *Socket) GetType() (Type, error) {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if soc.closed {
		return 0, ErrorSocketClosed
	}
	return soc.typ, nil
}

// String describes the socket: its type and address.
func (soc Socket) String() string {
	return fmt.Sprintf("Socket(%v,%p)", soc.typ, soc.ctx)
}

// validHost rejects a tcp:// endpoint whose host cannot be a name or an
// address (libzmq checks this in zmq_connect; package socket resolves in
// the background and would only retry).
func validHost(endpoint string) bool {
	rest, ok := strings.CutPrefix(endpoint, "tcp://")
	if !ok {
		return true
	}
	if i := strings.LastIndexByte(rest, ';'); i >= 0 {
		rest = rest[i+1:]
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return false
	}
	host := rest[:i]
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		return true
	}
	if host == "" {
		return false
	}
	for _, c := range host {
		if !(c == '.' || c == '-' || c == '_' || c == '*' || c >= '0' && c <= '9' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// transportOK fails libzmq transports that purezmq does not have with
// EPROTONOSUPPORT, as libzmq does for transports it was built without.
func transportOK(endpoint string) error {
	scheme, _, ok := strings.Cut(endpoint, "://")
	if !ok {
		return einval
	}
	switch scheme {
	case "tcp", "ipc", "inproc":
		return nil
	}
	return EPROTONOSUPPORT
}
