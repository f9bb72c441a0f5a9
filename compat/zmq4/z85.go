package zmq4

import (
	"github.com/purezmq/purezmq/zmtp"
)

// Version returns the libzmq version this package stands in for: the 4.3
// series, whose options and behaviour it follows.
func Version() (major, minor, patch int) { return 4, 3, 5 }

// Z85encode encodes data (its length a multiple of 4) in Z85 (RFC 32);
// it returns "" for other lengths, as pebbe/zmq4 does.
func Z85encode(data string) string {
	s, err := zmtp.Z85Encode([]byte(data))
	if err != nil {
		return ""
	}
	return s
}

// Z85decode decodes Z85 text (its length a multiple of 5); it returns ""
// for text that is not Z85.
func Z85decode(s string) string {
	b, err := zmtp.Z85Decode(s)
	if err != nil {
		return ""
	}
	return string(b)
}

// NewCurveKeypair makes a CURVE key pair, both keys in Z85 (40 characters).
func NewCurveKeypair() (z85_public_key, z85_secret_key string, err error) {
	pub, sec, err := zmtp.GenerateCurveKeypair()
	if err != nil {
		return "", "", err
	}
	return zmtp.CurveKeyZ85(pub), zmtp.CurveKeyZ85(sec), nil
}

// AuthCurvePublic derives the Z85 public key of a Z85 secret key.
func AuthCurvePublic(z85SecretKey string) (z85PublicKey string, err error) {
	sec, err := zmtp.ParseCurveKeyZ85(z85SecretKey)
	if err != nil {
		return "", einval
	}
	pub, err := zmtp.CurvePublicKey(sec)
	if err != nil {
		return "", einval
	}
	return zmtp.CurveKeyZ85(pub), nil
}

// HasCurve reports CURVE support: built in.
func HasCurve() bool { return true }

// HasGssapi reports GSSAPI support: none (it needs a Kerberos library).
func HasGssapi() bool { return false }

// HasIpc reports ipc:// support: yes.
func HasIpc() bool { return true }

// HasNorm reports norm:// support: none.
func HasNorm() bool { return false }

// HasPgm reports pgm:// and epgm:// support: none.
func HasPgm() bool { return false }

// HasTipc reports tipc:// support: none.
func HasTipc() bool { return false }
