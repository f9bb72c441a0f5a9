package zmtp

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/curve25519"
)

// GenerateCurveKeypair returns a new long-term CURVE key pair (Curve25519, as
// zmq_curve_keypair makes). CurveKeyZ85 gives the text form libzmq's options take.
func GenerateCurveKeypair() (public, secret [32]byte, err error) {
	if _, err = rand.Read(secret[:]); err != nil {
		return public, secret, err
	}
	public, err = CurvePublicKey(secret)
	return public, secret, err
}

// CurvePublicKey derives the public key of a CURVE secret key (what
// zmq_curve_public does).
func CurvePublicKey(secret [32]byte) ([32]byte, error) {
	var public [32]byte
	p, err := curve25519.X25519(secret[:], curve25519.Basepoint)
	if err != nil {
		return public, fmt.Errorf("%w: %w", ErrCurveKey, err)
	}
	copy(public[:], p)
	return public, nil
}

// isZeroKey reports an unset key.
func isZeroKey(k *[32]byte) bool { return *k == [32]byte{} }
