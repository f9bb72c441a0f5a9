package zmtp

// GreetingSize is the fixed size of a ZMTP 3.x greeting.
const GreetingSize = 64

// Protocol version this package announces. Peers announcing 3.0 or any later
// 3.x (or higher major) are accepted, as RFC 37 requires.
const (
	VersionMajor = 3
	VersionMinor = 1
)

// mechanismSize is the width of the null-padded mechanism field.
const mechanismSize = 20

// Greeting is the decoded content of a 64-byte greeting. The padding and filler
// carry no meaning (RFC 37 forbids interpreting them), so they are not kept.
type Greeting struct {
	Major, Minor int
	Mechanism    string // e.g. "NULL", "PLAIN", "CURVE"
	AsServer     bool
}

// validMechanism reports whether name fits the greeting field and uses only the
// characters of the RFC 37 grammar (upper-case letters, digits, "-_.+").
func validMechanism(name string) bool {
	if len(name) == 0 || len(name) > mechanismSize {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '+':
		default:
			return false
		}
	}
	return true
}

// AppendGreeting appends the 64-byte greeting for g. A zero Major/Minor means
// the version this package announces (3.1). Padding and filler are zero.
func AppendGreeting(dst []byte, g Greeting) ([]byte, error) {
	if !validMechanism(g.Mechanism) {
		return dst, ErrBadMechanism
	}
	major, minor := g.Major, g.Minor
	if major == 0 && minor == 0 {
		major, minor = VersionMajor, VersionMinor
	}
	if major < 3 || major > 255 || minor < 0 || minor > 255 {
		return dst, ErrBadVersion
	}
	var b [GreetingSize]byte
	b[0] = 0xFF
	b[9] = 0x7F
	b[10] = byte(major)
	b[11] = byte(minor)
	copy(b[12:12+mechanismSize], g.Mechanism)
	if g.AsServer {
		b[32] = 1
	}
	return append(dst, b[:]...), nil
}

// ParseGreeting decodes a greeting from the start of b and returns the number of
// bytes it used (always GreetingSize on success).
//
// It is meant to be called on a growing prefix while the greeting arrives: a
// ZMTP 1.0 or 2.0 peer is recognised (as *LegacyPeerError) from the first byte,
// the first ten or the first eleven, so the caller never waits for bytes such a
// peer will not send. Otherwise a prefix shorter than 64 bytes yields ErrShort.
func ParseGreeting(b []byte) (Greeting, int, error) {
	var g Greeting
	if len(b) < 1 {
		return g, 0, ErrShort
	}
	// ZMTP 1.0 starts with a frame length: one octet other than 0xFF ...
	if b[0] != 0xFF {
		return g, 0, &LegacyPeerError{Major: 1}
	}
	if len(b) < 10 {
		return g, 0, ErrShort
	}
	// ... or 0xFF, an 8-octet length and a flags octet whose low bit is clear.
	if b[9]&1 == 0 {
		return g, 0, &LegacyPeerError{Major: 1}
	}
	if b[9] != 0x7F {
		return g, 0, ErrBadSignature
	}
	if len(b) < 11 {
		return g, 0, ErrShort
	}
	if b[10] < 3 {
		return g, 0, &LegacyPeerError{Major: 2, Revision: int(b[10])}
	}
	if len(b) < GreetingSize {
		return g, 0, ErrShort
	}
	g.Major = int(b[10])
	g.Minor = int(b[11])
	mech := b[12 : 12+mechanismSize]
	end := 0
	for end < len(mech) && mech[end] != 0 {
		end++
	}
	for _, c := range mech[end:] {
		if c != 0 {
			return g, 0, ErrBadMechanism
		}
	}
	g.Mechanism = internMechanism(mech[:end])
	if !validMechanism(g.Mechanism) {
		return g, 0, ErrBadMechanism
	}
	g.AsServer = b[32] != 0
	return g, GreetingSize, nil
}

// internMechanism avoids allocating for the mechanisms every peer uses.
func internMechanism(b []byte) string {
	switch string(b) {
	case "NULL":
		return "NULL"
	case "PLAIN":
		return "PLAIN"
	case "CURVE":
		return "CURVE"
	}
	return string(b)
}
