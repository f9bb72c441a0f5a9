package zmtp

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"
)

// CURVE errors. Each failure of the CURVE handshake or of a MESSAGE is a
// *CurveError wrapping one of these or ErrMalformedCommand /
// ErrUnexpectedCommand.
var (
	// ErrCurveBox reports a box that does not open: a wrong key (the client
	// has the wrong server key, a cookie from another connection) or bytes
	// changed in transit.
	ErrCurveBox = errors.New("zmtp: CURVE box does not open")
	// ErrCurveNonce reports a short nonce that does not increase: a replayed
	// or reordered command, or a counter that would wrap.
	ErrCurveNonce = errors.New("zmtp: CURVE nonce does not increase")
	// ErrCurveKey reports an unusable key in the configuration or the
	// handshake (the vouch names other keys than the connection uses).
	ErrCurveKey = errors.New("zmtp: bad CURVE key")
	// ErrCurveVersion reports a HELLO of another CurveZMQ version than 1.0.
	ErrCurveVersion = errors.New("zmtp: unsupported CURVE version")
)

// CurveError reports which CURVE command failed and why.
type CurveError struct {
	Command string // HELLO, WELCOME, INITIATE, READY or MESSAGE
	Err     error
}

func (e *CurveError) Error() string { return "zmtp: CURVE " + e.Command + ": " + e.Err.Error() }
func (e *CurveError) Unwrap() error { return e.Err }

func curveErr(cmd string, err error) error { return &CurveError{Command: cmd, Err: err} }

// CurveAuthStatus is the ERROR reason a CURVE server sends when Authenticate
// refuses a client: the ZAP status code for a refusal (RFC 27), which libzmq
// clients report as an authentication failure (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH).
const CurveAuthStatus = "400"

type curveState int

const (
	curveWantWelcome curveState = iota
	curveWantReady
	curveWantHello
	curveWantInitiate
	curveDone
)

// curveMechanism is CurveZMQ (RFC 26) as ZMTP carries it, client or server.
type curveMechanism struct {
	server    bool
	public    [32]byte // our long-term key pair: C or S
	secret    [32]byte
	serverKey [32]byte // the client's copy of S
	tPublic   [32]byte // our transient key pair: C' or S'
	tSecret   [32]byte
	peerT     [32]byte // the peer's transient public key
	shared    [32]byte // precomputed box key of the transient pair
	cookieKey [32]byte // server: the key of this connection's cookie
	md        []byte
	check     MetadataCheck
	auth      Authenticator
	rand      io.Reader

	state     curveState
	nonce     uint64 // our last short nonce
	peerNonce uint64 // the peer's last short nonce
	peer      Metadata
	userID    string
	codec     *curveCodec
	zap       *zapCaller // server: asked instead of auth when set
	authMD    Metadata
}

func (m *curveMechanism) zapper() *zapCaller     { return m.zap }
func (m *curveMechanism) AuthMetadata() Metadata { return m.authMD }

// keyPair completes and checks a configured key pair: the public key is
// derived when unset and must match the secret key when set.
func keyPair(public, secret [32]byte) ([32]byte, error) {
	if isZeroKey(&secret) {
		return public, fmt.Errorf("%w: CURVE needs a secret key", ErrBadConfig)
	}
	derived, err := CurvePublicKey(secret)
	if err != nil {
		return public, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	if !isZeroKey(&public) && public != derived {
		return public, fmt.Errorf("%w: CURVE public key does not belong to the secret key", ErrBadConfig)
	}
	return derived, nil
}

// NewCurveClient returns the client side of CURVE: it proves it holds the
// long-term key pair (public may be zero, it is then derived from secret) to
// the server whose long-term public key is serverKey, sends md in INITIATE and
// validates the server's READY metadata with check (may be nil).
func NewCurveClient(serverKey, public, secret [32]byte, md Metadata, check MetadataCheck) (Mechanism, error) {
	if isZeroKey(&serverKey) {
		return nil, fmt.Errorf("%w: CURVE client needs the server's public key", ErrBadConfig)
	}
	public, err := keyPair(public, secret)
	if err != nil {
		return nil, err
	}
	body, err := AppendMetadata(nil, md)
	if err != nil {
		return nil, err
	}
	return &curveMechanism{serverKey: serverKey, public: public, secret: secret,
		md: body, check: check, rand: rand.Reader, state: curveWantWelcome}, nil
}

// NewCurveServer returns the server side of CURVE with the long-term key pair
// (public may be zero). auth, when not nil, is called with mechanism "CURVE",
// the client's long-term public key in Z85 as user name and an empty password;
// it returns the user id (the key's Z85 text when "") or an error, on which
// the client gets ERROR CurveAuthStatus. Without auth every client that
// completes the handshake is admitted, as libzmq does without a ZAP handler:
// the traffic is still encrypted, but anyone may connect.
func NewCurveServer(public, secret [32]byte, auth Authenticator, md Metadata, check MetadataCheck) (Mechanism, error) {
	public, err := keyPair(public, secret)
	if err != nil {
		return nil, err
	}
	body, err := AppendMetadata(nil, md)
	if err != nil {
		return nil, err
	}
	return &curveMechanism{server: true, public: public, secret: secret, auth: auth,
		md: body, check: check, rand: rand.Reader, state: curveWantHello}, nil
}

func (m *curveMechanism) Name() string           { return "CURVE" }
func (m *curveMechanism) AsServer() bool         { return m.server }
func (m *curveMechanism) PeerMetadata() Metadata { return m.peer }
func (m *curveMechanism) UserID() string         { return m.userID }

func (m *curveMechanism) FrameCodec() FrameCodec {
	if m.codec == nil {
		return nil // only before done, which Conn never asks for
	}
	return m.codec
}

// transientKeys makes this connection's key pair (C' or S').
func (m *curveMechanism) transientKeys() error {
	pub, sec, err := box.GenerateKey(m.rand)
	if err != nil {
		return err
	}
	m.tPublic, m.tSecret = *pub, *sec
	return nil
}

// nextNonce returns our next short nonce; the counter starts at 1, as libzmq's.
func (m *curveMechanism) nextNonce() uint64 {
	m.nonce++
	return m.nonce
}

// checkNonce enforces strictly increasing short nonces from the peer. The
// caller records the nonce only once its box opened, so forged commands cannot
// move the counter.
func (m *curveMechanism) checkNonce(cmd string, n uint64) error {
	if n <= m.peerNonce {
		return curveErr(cmd, fmt.Errorf("%w: %d after %d", ErrCurveNonce, n, m.peerNonce))
	}
	return nil
}

func (m *curveMechanism) Start(dst []byte) ([]byte, error) {
	if m.server {
		return dst, nil
	}
	if err := m.transientKeys(); err != nil {
		return dst, err
	}
	n := m.nextNonce()
	var zeros [curveHelloSig]byte
	sig := box.Seal(nil, zeros[:], shortNonce(noncePrefixHello, n), &m.serverKey, &m.tSecret)
	var pad [curveHelloPad]byte
	var sn [curveShortNonce]byte
	putShort(sn[:], n)
	return appendCmd(dst, CmdHello, []byte{1, 0}, pad[:], m.tPublic[:], sn[:], sig), nil
}

func putShort(b []byte, n uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
}

func (m *curveMechanism) Next(dst []byte, cmd Command) ([]byte, bool, error) {
	if cmd.Name == CmdError && m.state != curveDone {
		return dst, false, peerErrorFrom(cmd.Body)
	}
	switch {
	case m.state == curveWantWelcome && cmd.Name == CmdWelcome:
		return m.onWelcome(dst, cmd.Body)
	case m.state == curveWantReady && cmd.Name == CmdReady:
		return m.onReady(dst, cmd.Body)
	case m.state == curveWantHello && cmd.Name == CmdHello:
		return m.onHello(dst, cmd.Body)
	case m.state == curveWantInitiate && cmd.Name == CmdInitiate:
		return m.onInitiate(dst, cmd.Body)
	}
	return dst, m.state == curveDone, fmt.Errorf("%w: %q in CURVE handshake", ErrUnexpectedCommand, cmd.Name)
}

// onHello (server): check the client's proof that it knows S, answer with S'
// and a cookie that lets us forget nothing until INITIATE.
func (m *curveMechanism) onHello(dst, data []byte) ([]byte, bool, error) {
	h, err := parseCurveHello(data)
	if err != nil {
		return dst, false, err
	}
	if h.major != 1 || h.minor != 0 {
		return dst, false, curveErr(CmdHello, fmt.Errorf("%w: %d.%d", ErrCurveVersion, h.major, h.minor))
	}
	if err := m.checkNonce(CmdHello, h.nonce); err != nil {
		return dst, false, err
	}
	sig, ok := box.Open(nil, h.box, shortNonce(noncePrefixHello, h.nonce), &h.clientT, &m.secret)
	if !ok || subtle.ConstantTimeCompare(sig, make([]byte, curveHelloSig)) != 1 {
		// Like libzmq, say nothing: the client most likely has a wrong server key.
		return dst, false, curveErr(CmdHello, ErrCurveBox)
	}
	m.peerNonce = h.nonce
	m.peerT = h.clientT
	if err := m.transientKeys(); err != nil {
		return dst, false, err
	}
	if _, err := io.ReadFull(m.rand, m.cookieKey[:]); err != nil {
		return dst, false, err
	}
	// The cookie: C' and s' under a key only this connection knows.
	var plain [curveKeySize + curveCookieSize]byte
	copy(plain[:], m.tPublic[:])
	cookie := plain[curveKeySize:curveKeySize]
	var cn [curveLongNonce]byte
	if _, err := io.ReadFull(m.rand, cn[:]); err != nil {
		return dst, false, err
	}
	cookie = append(cookie, cn[:]...)
	var cookiePlain [2 * curveKeySize]byte
	copy(cookiePlain[:], m.peerT[:])
	copy(cookiePlain[curveKeySize:], m.tSecret[:])
	cookie = secretbox.Seal(cookie, cookiePlain[:], longNonce(noncePrefixCookie, cn[:]), &m.cookieKey)
	clear(cookiePlain[:])
	var wn [curveLongNonce]byte
	if _, err := io.ReadFull(m.rand, wn[:]); err != nil {
		return dst, false, err
	}
	welcome := box.Seal(nil, plain[:], longNonce(noncePrefixWelcome, wn[:]), &m.peerT, &m.secret)
	m.state = curveWantInitiate
	return appendCmd(dst, CmdWelcome, wn[:], welcome), false, nil
}

// onWelcome (client): learn S' and the cookie, then vouch for C' with C.
func (m *curveMechanism) onWelcome(dst, data []byte) ([]byte, bool, error) {
	w, err := parseCurveWelcome(data)
	if err != nil {
		return dst, false, err
	}
	plain, ok := box.Open(nil, w.box, longNonce(noncePrefixWelcome, w.nonce), &m.serverKey, &m.tSecret)
	if !ok {
		return dst, false, curveErr(CmdWelcome, ErrCurveBox)
	}
	copy(m.peerT[:], plain)
	cookie := plain[curveKeySize:]
	box.Precompute(&m.shared, &m.peerT, &m.tSecret)

	var vn [curveLongNonce]byte
	if _, err := io.ReadFull(m.rand, vn[:]); err != nil {
		return dst, false, err
	}
	var vouchPlain [2 * curveKeySize]byte
	copy(vouchPlain[:], m.tPublic[:])
	copy(vouchPlain[curveKeySize:], m.serverKey[:])
	inner := make([]byte, 0, curveInitiatePlainMin+len(m.md))
	inner = append(inner, m.public[:]...)
	inner = append(inner, vn[:]...)
	inner = box.Seal(inner, vouchPlain[:], longNonce(noncePrefixVouch, vn[:]), &m.peerT, &m.secret)
	inner = append(inner, m.md...)

	n := m.nextNonce()
	var sn [curveShortNonce]byte
	putShort(sn[:], n)
	sealed := box.SealAfterPrecomputation(nil, inner, shortNonce(noncePrefixInitiate, n), &m.shared)
	m.state = curveWantReady
	return appendCmd(dst, CmdInitiate, cookie, sn[:], sealed), false, nil
}

// onInitiate (server): recover our transient secret from the cookie, check
// the vouch, authenticate C and answer READY.
func (m *curveMechanism) onInitiate(dst, data []byte) ([]byte, bool, error) {
	in, err := parseCurveInitiate(data)
	if err != nil {
		return dst, false, err
	}
	cookie, ok := secretbox.Open(nil, in.cookie[curveLongNonce:], longNonce(noncePrefixCookie, in.cookie[:curveLongNonce]), &m.cookieKey)
	if !ok || subtle.ConstantTimeCompare(cookie[:curveKeySize], m.peerT[:]) != 1 ||
		subtle.ConstantTimeCompare(cookie[curveKeySize:], m.tSecret[:]) != 1 {
		return dst, false, curveErr(CmdInitiate, fmt.Errorf("%w: cookie", ErrCurveBox))
	}
	clear(cookie)
	if err := m.checkNonce(CmdInitiate, in.nonce); err != nil {
		return dst, false, err
	}
	box.Precompute(&m.shared, &m.peerT, &m.tSecret)
	plain, ok := box.OpenAfterPrecomputation(nil, in.box, shortNonce(noncePrefixInitiate, in.nonce), &m.shared)
	if !ok {
		return dst, false, curveErr(CmdInitiate, ErrCurveBox)
	}
	m.peerNonce = in.nonce
	var client [32]byte
	copy(client[:], plain)
	vn := plain[curveKeySize : curveKeySize+curveLongNonce]
	vouchBox := plain[curveKeySize+curveLongNonce : curveInitiatePlainMin]
	vouch, ok := box.Open(nil, vouchBox, longNonce(noncePrefixVouch, vn), &client, &m.tSecret)
	if !ok {
		return dst, false, curveErr(CmdInitiate, fmt.Errorf("%w: vouch", ErrCurveBox))
	}
	if subtle.ConstantTimeCompare(vouch[:curveKeySize], m.peerT[:]) != 1 ||
		subtle.ConstantTimeCompare(vouch[curveKeySize:], m.public[:]) != 1 {
		return dst, false, curveErr(CmdInitiate, fmt.Errorf("%w: the vouch names other keys", ErrCurveKey))
	}
	md, err := ParseMetadata(plain[curveInitiatePlainMin:])
	if err != nil {
		return dst, false, curveErr(CmdInitiate, err)
	}
	id := CurveKeyZ85(client)
	if m.zap != nil {
		// The socket type is checked first: no handler is asked about a
		// peer refused anyway. libzmq uses the handler's user id as is.
		if dst, err = checkMetadata(dst, md, m.check); err != nil {
			return dst, false, err
		}
		res, dst, err := m.zap.ask(dst, "CURVE", client[:])
		if err != nil {
			return dst, false, err
		}
		return m.ready(dst, md, res.UserID, res.Metadata), true, nil
	}
	if m.auth != nil {
		uid, err := m.auth("CURVE", id, "")
		if err != nil {
			return AppendError(dst, CurveAuthStatus), false, fmt.Errorf("%w: %w", ErrAuthFailed, err)
		}
		if uid != "" {
			id = uid
		}
	}
	if dst, err = checkMetadata(dst, md, m.check); err != nil {
		return dst, false, err
	}
	return m.ready(dst, md, id, nil), true, nil
}

// ready (server) accepts the client and appends READY with our metadata.
func (m *curveMechanism) ready(dst []byte, md Metadata, userID string, authMD Metadata) []byte {
	m.peer, m.userID, m.authMD = md, userID, authMD
	n := m.nextNonce()
	var sn [curveShortNonce]byte
	putShort(sn[:], n)
	sealed := box.SealAfterPrecomputation(nil, m.md, shortNonce(noncePrefixReady, n), &m.shared)
	m.finish()
	return appendCmd(dst, CmdReady, sn[:], sealed)
}

// onReady (client): the server's metadata ends the handshake.
func (m *curveMechanism) onReady(dst, data []byte) ([]byte, bool, error) {
	n, sealed, err := parseCurveShortBox(CmdReady, data, curveReadyDataMin)
	if err != nil {
		return dst, false, err
	}
	if err := m.checkNonce(CmdReady, n); err != nil {
		return dst, false, err
	}
	plain, ok := box.OpenAfterPrecomputation(nil, sealed, shortNonce(noncePrefixReady, n), &m.shared)
	if !ok {
		return dst, false, curveErr(CmdReady, ErrCurveBox)
	}
	m.peerNonce = n
	md, err := ParseMetadata(plain)
	if err != nil {
		return dst, false, curveErr(CmdReady, err)
	}
	if dst, err = checkMetadata(dst, md, m.check); err != nil {
		return dst, false, err
	}
	m.peer = md
	m.finish()
	return dst, true, nil
}

// finish hands the nonce counters and the transient box key to the MESSAGE
// codec and forgets the secrets the handshake no longer needs.
func (m *curveMechanism) finish() {
	m.state = curveDone
	m.codec = newCurveCodec(m.shared, m.server, m.nonce, m.peerNonce)
	clear(m.tSecret[:])
	clear(m.cookieKey[:])
	clear(m.shared[:])
}
