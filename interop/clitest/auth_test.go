package clitest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
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

// pyZAPClient runs interop/peers/pyzapclient.py and returns its JSON line.
func pyZAPClient(t *testing.T, args ...string) map[string]any {
	t.Helper()
	py := testpeer.Python(t)
	script := filepath.Join(testpeer.RepoRoot(), "interop", "peers", "pyzapclient.py")
	out, err := exec.Command(py, append([]string{script}, args...)...).Output()
	if err != nil {
		t.Fatalf("pyzapclient %v: %v", args, err)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("pyzapclient %v printed %q: %v", args, out, err)
	}
	return v
}

// The CLI's ZAP flags against libzmq clients: a certificate pyzmq wrote
// into the --curve-certs directory admits its client; a libzmq client from
// a --deny'd address gets nothing in; both show in --verbose.
func TestCurveCertsFlagWithPyzmqCertificates(t *testing.T) {
	certs, elsewhere := t.TempDir(), t.TempDir()
	pyZAPClient(t, "create", certs, "client")
	pyZAPClient(t, "create", elsewhere, "stranger")
	public, secret := keypair(t)
	ep := freeTCP(t)
	c := start(t, "pull", "--bind", ep, "--curve-server", "--curve-secret", secret, "--curve-certs", certs,
		"--count", "1", "--timeout", "20s", "--verbose")
	o := pyZAPClient(t, "connect", ep, "--curve", public, filepath.Join(elsewhere, "stranger.key_secret"), "--send", "stranger", "--wait", "5")
	if o["outcome"] != "HANDSHAKE_FAILED_AUTH" {
		t.Fatalf("stranger: %v", o)
	}
	o = pyZAPClient(t, "connect", ep, "--curve", public, filepath.Join(certs, "client.key_secret"), "--send", "certified")
	if o["outcome"] != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("certified client: %v", o)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "certified" {
		t.Errorf("printed %q", got)
	}
	if !strings.Contains(c.stderr.String(), "unknown CURVE key") {
		t.Errorf("--verbose does not say why the stranger was refused: %s", c.stderr.String())
	}
}

func TestDenyFlagRefusesLibzmqClient(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "pull", "--bind", ep, "--deny", "127.0.0.1", "--timeout", "3s", "--verbose")
	o := pyZAPClient(t, "connect", ep, "--send", "denied", "--wait", "5")
	if o["outcome"] != "HANDSHAKE_FAILED_AUTH" {
		t.Fatalf("denied client: %v", o)
	}
	if code := c.wait(wait); code == 0 || len(c.rest()) != 0 {
		t.Fatalf("exit %d: the denied client's message got through", code)
	}
	if !strings.Contains(c.stderr.String(), "deny list") {
		t.Errorf("--verbose does not say why: %s", c.stderr.String())
	}
}

// --passwords is reread on SIGHUP: a user added to the file gets in after
// the signal, without a restart.
func TestPasswordsReloadOnHangup(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "passwords")
	if err := os.WriteFile(pw, []byte("alice=one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ep := freeTCP(t)
	c := start(t, "pull", "--bind", ep, "--passwords", pw, "--count", "2", "--timeout", "30s", "--verbose")
	if code, _, stderr := run(t, "from alice\n", "push", "--connect", ep, "--plain-user", "alice", "--plain-pass", "one"); code != 0 {
		t.Fatalf("alice: exit %d: %s", code, stderr)
	}
	if l := c.line(wait); l != "from alice" {
		t.Fatalf("printed %q", l)
	}
	// Not yet in the file: refused.
	run(t, "bob before\n", "push", "--connect", ep, "--plain-user", "bob", "--plain-pass", "two", "--linger", "500ms")
	if err := os.WriteFile(pw, []byte("alice=one\nbob=two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.signal(syscall.SIGHUP)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if !eventually(ctx, 20*time.Millisecond, func() bool { return strings.Contains(c.stderr.String(), "reloaded") }) {
		t.Fatalf("no reload reported: %s", c.stderr.String())
	}
	if code, _, stderr := run(t, "bob after\n", "push", "--connect", ep, "--plain-user", "bob", "--plain-pass", "two"); code != 0 {
		t.Fatalf("bob: exit %d: %s", code, stderr)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "bob after" {
		t.Errorf("printed %q after the reload", got)
	}
}
