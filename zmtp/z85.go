package zmtp

import (
	"errors"
	"fmt"
)

// ErrZ85 reports text that is not valid Z85 (RFC 32) or has the wrong length.
var ErrZ85 = errors.New("zmtp: bad Z85 text")

// z85Alphabet is RFC 32's 85 printable characters, in value order.
const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

// z85Values maps a character back to its value; 0xff marks characters
// outside the alphabet.
var z85Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(z85Alphabet); i++ {
		t[z85Alphabet[i]] = byte(i)
	}
	return t
}()

// Z85Encode returns the Z85 text of b, whose length must be a multiple of 4
// (RFC 32 leaves padding to the application).
func Z85Encode(b []byte) (string, error) {
	if len(b)%4 != 0 {
		return "", fmt.Errorf("%w: %d bytes is not a multiple of 4", ErrZ85, len(b))
	}
	out := make([]byte, 0, len(b)/4*5)
	for i := 0; i < len(b); i += 4 {
		v := uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		var c [5]byte
		for j := 4; j >= 0; j-- {
			c[j] = z85Alphabet[v%85]
			v /= 85
		}
		out = append(out, c[:]...)
	}
	return string(out), nil
}

// Z85Decode returns the bytes that the Z85 text s encodes; its length must be
// a multiple of 5. Groups whose value overflows 32 bits are refused rather
// than wrapped, so every text decodes to at most one byte string.
func Z85Decode(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, fmt.Errorf("%w: %d characters is not a multiple of 5", ErrZ85, len(s))
	}
	out := make([]byte, 0, len(s)/5*4)
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for j := 0; j < 5; j++ {
			d := z85Values[s[i+j]]
			if d == 0xff {
				return nil, fmt.Errorf("%w: character %q at %d", ErrZ85, s[i+j], i+j)
			}
			v = v*85 + uint64(d)
		}
		if v > 0xffffffff {
			return nil, fmt.Errorf("%w: group at %d overflows 32 bits", ErrZ85, i)
		}
		out = append(out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return out, nil
}

// CurveKeyZ85 returns the 40-character Z85 text of a CURVE key, the form
// libzmq's options and zmq_curve_keypair use.
func CurveKeyZ85(key [32]byte) string {
	s, _ := Z85Encode(key[:]) // 32 is a multiple of 4
	return s
}

// ParseCurveKeyZ85 decodes a 40-character Z85 CURVE key.
func ParseCurveKeyZ85(s string) ([32]byte, error) {
	var key [32]byte
	if len(s) != 40 {
		return key, fmt.Errorf("%w: a CURVE key is 40 characters, got %d", ErrZ85, len(s))
	}
	b, err := Z85Decode(s)
	if err != nil {
		return key, err
	}
	copy(key[:], b)
	return key, nil
}
