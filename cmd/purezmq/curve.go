package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// errCurveRefused is what the CURVE server hook returns for a client key that
// --curve-allow did not list.
var errCurveRefused = errors.New("purezmq: CURVE client key not allowed")

// readKey decodes a Z85 CURVE key given on the command line, or read from a
// file when written @FILE, which keeps secret keys out of `ps` listings.
// '@' is itself a Z85 digit, so a 40-character argument that decodes as a
// key is taken as the key, even when it starts with '@'.
func readKey(arg string) ([32]byte, error) {
	if k, err := zmtp.ParseCurveKeyZ85(arg); err == nil {
		return k, nil
	}
	text := arg
	if name, ok := strings.CutPrefix(arg, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return [32]byte{}, err
		}
		text = strings.TrimSpace(string(b))
	}
	return zmtp.ParseCurveKeyZ85(text)
}

// curveOptions turns the CURVE flags into socket options. The flags were
// checked for consistency in parseSocketFlags; what is left are key errors.
func (c *sockConfig) curveOptions() ([]socket.Option, error) {
	var opts []socket.Option
	var secret [32]byte
	if c.curveSecret != "" {
		k, err := readKey(c.curveSecret)
		if err != nil {
			return nil, fmt.Errorf("--curve-secret: %w", err)
		}
		secret = k
	}
	if c.curveServer {
		opts = append(opts, socket.WithCurveServer(secret))
		if len(c.curveAllow) > 0 {
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
