package clitest

import (
	"strings"
	"testing"
)

// keygenCert runs `purezmq keygen --cert NAME --out DIR` and returns the keys
// it printed.
func keygenCert(t *testing.T, dir, name string) (public, secret string) {
	t.Helper()
	code, out, stderr := run(t, "", "keygen", "--cert", name, "--out", dir)
	if code != 0 || len(out) < 2 {
		t.Fatalf("keygen --cert: exit %d, %q, %s", code, out, stderr)
	}
	return strings.TrimPrefix(out[0], "public: "), strings.TrimPrefix(out[1], "secret: ")
}

// A libzmq CURVE server whose pyzmq ThreadAuthenticator reads a certificate
// directory written by `purezmq keygen --cert` lets our client with that key
// in, and refuses one whose certificate is elsewhere.
func TestKeygenCertsForPyThreadAuthenticator(t *testing.T) {
	certs, elsewhere := t.TempDir(), t.TempDir()
	_, clientSecret := keygenCert(t, certs, "client")
	_, strangerSecret := keygenCert(t, elsewhere, "stranger")
	serverPublic, serverSecret := keypair(t)
	_, out := curvePeer(t, "authserver", serverSecret, certs)
	ep := readLine(t, out)

	code, stdout, stderr := run(t, "intruder\n", "req", "--connect", ep, "--curve-serverkey", serverPublic,
		"--curve-secret", strangerSecret, "--timeout", "1s", "--linger", "0s")
	if code == 0 {
		t.Fatalf("client without a certificate in %s got in: %q", certs, stdout)
	}
	code, stdout, stderr = run(t, "certified\n", "req", "--connect", ep, "--curve-serverkey", serverPublic,
		"--curve-secret", clientSecret, "--timeout", "15s")
	if code != 0 || strings.Join(stdout, "|") != "certified" {
		t.Fatalf("certified client: exit %d, %q, %s", code, stdout, stderr)
	}
}
