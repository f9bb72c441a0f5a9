package zmtp

import (
	"encoding/binary"
	"math"
	"time"
)

// Command names of RFC 23, 24 and 37.
const (
	CmdReady     = "READY"
	CmdError     = "ERROR"
	CmdSubscribe = "SUBSCRIBE"
	CmdCancel    = "CANCEL"
	CmdPing      = "PING"
	CmdPong      = "PONG"
	CmdHello     = "HELLO"
	CmdWelcome   = "WELCOME"
	CmdInitiate  = "INITIATE"
)

// MaxPingContext is the largest PING context RFC 37 allows.
const MaxPingContext = 16

// MaxErrorReason is the largest ERROR reason: its length is one octet.
const MaxErrorReason = math.MaxUint8

// Command is a decoded command frame: its name and the data after the name.
type Command struct {
	Name string
	Body []byte
}

// ValidCommandName reports whether name is 1-255 letters, as the RFC 37 grammar
// requires of command names.
func ValidCommandName(name string) bool {
	if len(name) == 0 || len(name) > math.MaxUint8 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// AppendCommandBody appends a command body (name length, name, data) without a
// frame header, for mechanisms that wrap commands themselves.
func AppendCommandBody(dst []byte, name string, data []byte) ([]byte, error) {
	if !ValidCommandName(name) {
		return dst, ErrMalformedCommand
	}
	dst = append(dst, byte(len(name)))
	dst = append(dst, name...)
	return append(dst, data...), nil
}

// AppendCommand appends a whole command frame.
func AppendCommand(dst []byte, name string, data []byte) ([]byte, error) {
	if !ValidCommandName(name) {
		return dst, ErrMalformedCommand
	}
	dst = AppendFrameHeader(dst, FlagCommand, 1+len(name)+len(data))
	dst = append(dst, byte(len(name)))
	dst = append(dst, name...)
	return append(dst, data...), nil
}

// appendCmd is AppendCommand for names known to be valid.
func appendCmd(dst []byte, name string, parts ...[]byte) []byte {
	n := 1 + len(name)
	for _, p := range parts {
		n += len(p)
	}
	dst = AppendFrameHeader(dst, FlagCommand, n)
	dst = append(dst, byte(len(name)))
	dst = append(dst, name...)
	for _, p := range parts {
		dst = append(dst, p...)
	}
	return dst
}

// libzmq 4.3.x writes its ERROR command from the C literal "\x5ERROR", in which
// the hex escape swallows the E: the body starts 0x5E "RROR" (a name length of
// 94 that the body cannot hold) followed by a normal error reason.
const libzmqErrorQuirk = "\x5eRROR"

// ParseCommand decodes the body of a command frame. Body aliases b. The
// malformed ERROR that libzmq 4.3 sends when it refuses a peer is understood
// as ERROR.
func ParseCommand(b []byte) (Command, error) {
	if len(b) < 1 {
		return Command{}, ErrMalformedCommand
	}
	n := int(b[0])
	if len(b) < 1+n && len(b) >= len(libzmqErrorQuirk) && string(b[:len(libzmqErrorQuirk)]) == libzmqErrorQuirk {
		return Command{Name: CmdError, Body: b[len(libzmqErrorQuirk):len(b):len(b)]}, nil
	}
	if n == 0 || len(b) < 1+n {
		return Command{}, ErrMalformedCommand
	}
	name := b[1 : 1+n]
	for _, c := range name {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return Command{}, ErrMalformedCommand
		}
	}
	return Command{Name: internCommand(name), Body: b[1+n : len(b) : len(b)]}, nil
}

// ParseCommandFrame decodes a whole command frame from the start of b and
// returns the bytes used. A message frame is ErrBadFlags.
func ParseCommandFrame(b []byte) (Command, int, error) {
	h, body, n, err := ParseFrame(b)
	if err != nil {
		return Command{}, 0, err
	}
	if !h.Command() {
		return Command{}, 0, ErrBadFlags
	}
	cmd, err := ParseCommand(body)
	if err != nil {
		return Command{}, 0, err
	}
	return cmd, n, nil
}

// internCommand maps known names to constants so parsing them does not allocate.
func internCommand(b []byte) string {
	switch string(b) {
	case CmdReady:
		return CmdReady
	case CmdError:
		return CmdError
	case CmdSubscribe:
		return CmdSubscribe
	case CmdCancel:
		return CmdCancel
	case CmdPing:
		return CmdPing
	case CmdPong:
		return CmdPong
	case CmdHello:
		return CmdHello
	case CmdWelcome:
		return CmdWelcome
	case CmdInitiate:
		return CmdInitiate
	case CmdAck:
		return CmdAck
	case CmdAckStream:
		return CmdAckStream
	}
	return string(b)
}

// AppendReady appends a READY command carrying m.
func AppendReady(dst []byte, m Metadata) ([]byte, error) {
	body, err := AppendMetadata(nil, m)
	if err != nil {
		return dst, err
	}
	return appendCmd(dst, CmdReady, body), nil
}

// AppendError appends an ERROR command. A reason longer than 255 bytes is
// cut, since its length is a single octet.
func AppendError(dst []byte, reason string) []byte {
	if len(reason) > MaxErrorReason {
		reason = reason[:MaxErrorReason]
	}
	return appendCmd(dst, CmdError, []byte{byte(len(reason))}, []byte(reason))
}

// ParseError decodes the data of an ERROR command: a 1-octet length and the
// reason, filling the data exactly.
func ParseError(data []byte) (string, error) {
	if len(data) < 1 || len(data) != 1+int(data[0]) {
		return "", ErrMalformedCommand
	}
	return string(data[1:]), nil
}

// AppendSubscribe appends a SUBSCRIBE (subscribe true) or CANCEL command.
func AppendSubscribe(dst []byte, topic []byte, subscribe bool) []byte {
	if subscribe {
		return appendCmd(dst, CmdSubscribe, topic)
	}
	return appendCmd(dst, CmdCancel, topic)
}

// AppendPing appends a PING with a TTL in tenths of a second and a context of
// at most 16 bytes.
func AppendPing(dst []byte, ttl uint16, context []byte) ([]byte, error) {
	if len(context) > MaxPingContext {
		return dst, ErrMalformedCommand
	}
	var t [2]byte
	binary.BigEndian.PutUint16(t[:], ttl)
	return appendCmd(dst, CmdPing, t[:], context), nil
}

// ParsePing decodes PING data: the TTL in tenths of a second and the context
// (aliasing data). Like libzmq, a context over 16 bytes is cut to 16 rather
// than failing the connection.
func ParsePing(data []byte) (ttl uint16, context []byte, err error) {
	if len(data) < 2 {
		return 0, nil, ErrMalformedCommand
	}
	context = data[2:]
	if len(context) > MaxPingContext {
		context = context[:MaxPingContext]
	}
	return binary.BigEndian.Uint16(data), context, nil
}

// PingTTL converts a duration to the PING TTL unit (tenths of a second),
// rounding up and saturating at the field's maximum (6553.5 s).
func PingTTL(d time.Duration) uint16 {
	if d <= 0 {
		return 0
	}
	ds := (d + 100*time.Millisecond - 1) / (100 * time.Millisecond)
	if ds > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(ds)
}

// AppendPong appends a PONG echoing context (at most 16 bytes).
func AppendPong(dst []byte, context []byte) ([]byte, error) {
	if len(context) > MaxPingContext {
		return dst, ErrMalformedCommand
	}
	return appendCmd(dst, CmdPong, context), nil
}

// ParsePong decodes PONG data, the echoed context.
func ParsePong(data []byte) ([]byte, error) {
	if len(data) > MaxPingContext {
		return nil, ErrMalformedCommand
	}
	return data, nil
}
