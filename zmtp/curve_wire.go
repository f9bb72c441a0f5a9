package zmtp

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/nacl/box"
)

// Command names that only CURVE (RFC 26) uses.
const CmdMessage = "MESSAGE"

// Sizes of the fixed parts of CURVE commands, counted from the end of the
// command name, as ParseCommand delivers them.
const (
	curveKeySize    = 32
	curveShortNonce = 8
	curveLongNonce  = 16
	curveBoxExtra   = box.Overhead // the Poly1305 tag in front of each box

	// HELLO: version, anti-amplification padding, C', short nonce, box of 64 zeros.
	curveHelloPad  = 72
	curveHelloSig  = 64
	curveHelloBox  = curveHelloSig + curveBoxExtra
	curveHelloData = 2 + curveHelloPad + curveKeySize + curveShortNonce + curveHelloBox

	// The cookie: long nonce and a box of C' and s' under the cookie key.
	curveCookieSize = curveLongNonce + 2*curveKeySize + curveBoxExtra

	// WELCOME: long nonce, box of S' and the cookie.
	curveWelcomeBox  = curveKeySize + curveCookieSize + curveBoxExtra
	curveWelcomeData = curveLongNonce + curveWelcomeBox

	// The vouch: box of C' and S from C to S'.
	curveVouchBox = 2*curveKeySize + curveBoxExtra

	// INITIATE: cookie, short nonce, box of C, vouch nonce, vouch, metadata.
	curveInitiatePlainMin = curveKeySize + curveLongNonce + curveVouchBox
	curveInitiateDataMin  = curveCookieSize + curveShortNonce + curveInitiatePlainMin + curveBoxExtra

	// READY: short nonce and a box of metadata.
	curveReadyDataMin = curveShortNonce + curveBoxExtra

	// MESSAGE: short nonce and a box of at least the flags byte.
	curveMessageDataMin = curveShortNonce + curveBoxExtra + 1
)

// Nonce prefixes of RFC 26: the 24-byte nonce of each box is one of these
// followed by a short (8-byte, big-endian counter) or long (16-byte random) nonce.
const (
	noncePrefixHello    = "CurveZMQHELLO---"
	noncePrefixWelcome  = "WELCOME-"
	noncePrefixCookie   = "COOKIE--"
	noncePrefixInitiate = "CurveZMQINITIATE"
	noncePrefixVouch    = "VOUCH---"
	noncePrefixReady    = "CurveZMQREADY---"
	noncePrefixMessageC = "CurveZMQMESSAGEC"
	noncePrefixMessageS = "CurveZMQMESSAGES"
)

// shortNonce builds the 24-byte nonce from a 16-character prefix and a counter.
func shortNonce(prefix string, n uint64) *[24]byte {
	var nonce [24]byte
	copy(nonce[:16], prefix)
	binary.BigEndian.PutUint64(nonce[16:], n)
	return &nonce
}

// longNonce builds the 24-byte nonce from an 8-character prefix and 16 bytes.
func longNonce(prefix string, tail []byte) *[24]byte {
	var nonce [24]byte
	copy(nonce[:8], prefix)
	copy(nonce[8:], tail)
	return &nonce
}

// curveHello is the decoded data of a CURVE HELLO.
type curveHello struct {
	major, minor byte
	clientT      [32]byte // C', the client's transient public key
	nonce        uint64
	box          []byte // aliases the input
}

func parseCurveHello(d []byte) (curveHello, error) {
	var h curveHello
	if len(d) != curveHelloData {
		return h, curveErr(CmdHello, fmt.Errorf("%w: %d bytes, want %d", ErrMalformedCommand, len(d), curveHelloData))
	}
	h.major, h.minor = d[0], d[1]
	d = d[2+curveHelloPad:]
	copy(h.clientT[:], d)
	h.nonce = binary.BigEndian.Uint64(d[curveKeySize:])
	h.box = d[curveKeySize+curveShortNonce:]
	return h, nil
}

// curveWelcome is the decoded data of a CURVE WELCOME.
type curveWelcome struct {
	nonce []byte // long nonce, aliases the input
	box   []byte
}

func parseCurveWelcome(d []byte) (curveWelcome, error) {
	if len(d) != curveWelcomeData {
		return curveWelcome{}, curveErr(CmdWelcome, fmt.Errorf("%w: %d bytes, want %d", ErrMalformedCommand, len(d), curveWelcomeData))
	}
	return curveWelcome{nonce: d[:curveLongNonce], box: d[curveLongNonce:]}, nil
}

// curveInitiate is the decoded data of a CURVE INITIATE.
type curveInitiate struct {
	cookie []byte
	nonce  uint64
	box    []byte
}

func parseCurveInitiate(d []byte) (curveInitiate, error) {
	if len(d) < curveInitiateDataMin {
		return curveInitiate{}, curveErr(CmdInitiate, fmt.Errorf("%w: %d bytes, want at least %d", ErrMalformedCommand, len(d), curveInitiateDataMin))
	}
	return curveInitiate{
		cookie: d[:curveCookieSize],
		nonce:  binary.BigEndian.Uint64(d[curveCookieSize:]),
		box:    d[curveCookieSize+curveShortNonce:],
	}, nil
}

// parseCurveShortBox splits the data of READY or MESSAGE: a short nonce, then
// a box of at least min-8 bytes.
func parseCurveShortBox(name string, d []byte, min int) (uint64, []byte, error) {
	if len(d) < min {
		return 0, nil, curveErr(name, fmt.Errorf("%w: %d bytes, want at least %d", ErrMalformedCommand, len(d), min))
	}
	return binary.BigEndian.Uint64(d), d[curveShortNonce:], nil
}

// messageHeader is the start of every MESSAGE command body: name size and name.
const messageHeader = "\x07MESSAGE"

// parseCurveMessage splits a whole MESSAGE command body (name included).
func parseCurveMessage(body []byte) (uint64, []byte, error) {
	if len(body) < len(messageHeader) || string(body[:len(messageHeader)]) != messageHeader {
		return 0, nil, curveErr(CmdMessage, fmt.Errorf("%w: not a MESSAGE after the CURVE handshake", ErrUnexpectedCommand))
	}
	return parseCurveShortBox(CmdMessage, body[len(messageHeader):], curveMessageDataMin)
}
