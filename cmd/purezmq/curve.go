package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// errCurveRefused is what the CURVE server hook returns for a client key that
// --curve-allow did not list.
var errCurveRefused = errors.New("purezmq: CURVE client key not allowed")

// readKey decodes a Z85 CURVE public key given on the command line, or read
// from a file when written @FILE: a file holding the key alone, or a
// certificate (purezmq keygen --cert, zmq.auth, zcert), whose public key is
// taken. '@' is itself a Z85 digit, so a 40-character argument that decodes
// as a key is taken as the key, even when it starts with '@'.
func readKey(arg string) ([32]byte, error) { return readKeyArg(arg, false) }

// readSecret is readKey for a secret key: from a certificate file it takes
// the secret key, which only the NAME.key_secret file holds. Reading it from
// a file keeps it out of `ps` listings.
func readSecret(arg string) ([32]byte, error) { return readKeyArg(arg, true) }

func readKeyArg(arg string, secret bool) ([32]byte, error) {
	if k, err := zmtp.ParseCurveKeyZ85(arg); err == nil {
		return k, nil
	}
	name, ok := strings.CutPrefix(arg, "@")
	if !ok {
		return zmtp.ParseCurveKeyZ85(arg)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return [32]byte{}, err
	}
	text := strings.TrimSpace(string(b))
	k, kerr := zmtp.ParseCurveKeyZ85(text)
	if kerr == nil {
		return k, nil
	}
	cert, err := auth.ParseCertificate(name, b)
	if err != nil {
		return [32]byte{}, kerr // neither a key nor a certificate: say why as a key
	}
	if !secret {
		return cert.Public, nil
	}
	if !cert.HasSecret() {
		return [32]byte{}, fmt.Errorf("%s: a public certificate has no secret key (use the _secret file)", name)
	}
	return cert.Secret, nil
}

// curveOptions turns the CURVE flags into socket options. The flags were
// checked for consistency in parseSocketFlags; what is left are key errors.
func (c *sockConfig) curveOptions() ([]socket.Option, error) {
	var opts []socket.Option
	var secret [32]byte
	if c.curveSecret != "" {
		k, err := readSecret(c.curveSecret)
		if err != nil {
			return nil, fmt.Errorf("--curve-secret: %w", err)
		}
		secret = k
	}
	if c.curveServer {
		opts = append(opts, socket.WithCurveServer(secret))
		// With ZAP flags the authenticator checks --curve-allow keys itself.
		if len(c.curveAllow) > 0 && !c.auth.used() {
			allowed := make(map[string]bool, len(c.curveAllow))
			for _, a := range c.curveAllow {
				k, err := readKey(a)
				if err != nil {
					return nil, fmt.Errorf("--curve-allow: %w", err)
				}
				allowed[zmtp.CurveKeyZ85(k)] = true
			}
			opts = append(opts, socket.WithCurveAuth(func(client string) (string, error) {
				if allowed[client] {
					return "", nil // the user id stays the client's key
				}
				return "", errCurveRefused
			}))
		}
	}
	if c.curveServerKey != "" {
		server, err := readKey(c.curveServerKey)
		if err != nil {
			return nil, fmt.Errorf("--curve-serverkey: %w", err)
		}
		if c.curveSecret == "" {
			// No identity asked for: a fresh key pair, as a one-off client.
			_, s, err := zmtp.GenerateCurveKeypair()
			if err != nil {
				return nil, err
			}
			secret = s
		}
		opts = append(opts, socket.WithCurveClient(server, [32]byte{}, secret))
	}
	return opts, nil
}
