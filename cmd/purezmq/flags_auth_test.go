package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/auth"
)

func TestAuthFlagsExit2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad allow", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--allow", "10.0.0.300"}, "--allow/--deny"},
		{"bad deny", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--deny", "10.0.0.0/99"}, "--allow/--deny"},
		{"passwords on client", []string{"push", "--connect", "tcp://127.0.0.1:1", "--plain-user", "u", "--passwords", "f"}, "--passwords"},
		{"passwords with curve", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--passwords", "f", "--curve-server", "--curve-secret", testKey}, "exclude"},
		{"certs without server", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--curve-certs", "d"}, "--curve-server"},
		{"allow-any without server", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--curve-allow-any"}, "--curve-server"},
		{"allow-any and certs", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--curve-server", "--curve-secret", testKey, "--curve-allow-any", "--curve-certs", "d"}, "every key"},
		{"deny on client", []string{"push", "--connect", "tcp://127.0.0.1:1", "--curve-serverkey", testKey, "--deny", "10.0.0.1"}, "for servers"},
		{"long domain", []string{"pull", "--bind", "tcp://127.0.0.1:1", "--zap-domain", strings.Repeat("d", 256)}, "--zap-domain"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, c.want)
			}
		})
	}
}

func TestAuthFlagsParse(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "passwords")
	if err := os.WriteFile(pw, []byte("admin=secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseSocketFlags("rep", []string{"--bind", "tcp://*:1", "--allow", "10.0.0.0/8", "--allow", "::1",
		"--deny", "192.0.2.7", "--passwords", pw, "--plain-server", "bob:pw", "--zap-domain", "dom"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.auth.allow) != 2 || len(c.auth.deny) != 1 || c.auth.passwords != pw || c.auth.zapDomain != "dom" || !c.auth.used() {
		t.Fatalf("%+v", c.auth)
	}
	a, err := c.auth.authenticator(c)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(addr, user, pass string) auth.Status {
		req := &auth.Request{RequestID: []byte("1"), Domain: "dom", Address: addr, Mechanism: "PLAIN",
			Credentials: [][]byte{[]byte(user), []byte(pass)}}
		return auth.Resolve(context.Background(), a, req).Status
	}
	// --allow wins over --deny; both tables of users apply.
	if ask("10.1.2.3", "admin", "secret") != auth.StatusOK || ask("::1", "bob", "pw") != auth.StatusOK ||
		ask("192.0.2.7", "admin", "secret") != auth.StatusDenied || ask("10.1.2.3", "admin", "nope") != auth.StatusDenied {
		t.Fatal("authenticator does not apply the flags")
	}
	if _, err := c.options(); err != nil {
		t.Fatal(err)
	}
	// A password file that cannot be read fails when the socket is made.
	c.auth.passwords = filepath.Join(t.TempDir(), "missing")
	if _, err := c.options(); err == nil || !strings.Contains(err.Error(), "--passwords") {
		t.Fatalf("missing file: %v", err)
	}
}

// freeTCP returns a tcp endpoint on a port that was free a moment ago.
func freeTCP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "tcp://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func TestPullPasswordsFile(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "passwords")
	if err := os.WriteFile(pw, []byte("# users\nadmin=secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--passwords", pw, "--count", "1", "--timeout", "15s", "--verbose")
	code, _, stderr := runCLI(t, "intruder\n", "push", "--connect", ep, "--plain-user", "admin", "--plain-pass", "guess", "--linger", "300ms")
	if code == exitOK {
		t.Logf("wrong password push: exit %d (%s)", code, stderr)
	}
	code, _, stderr = runCLI(t, "welcome\n", "push", "--connect", ep, "--plain-user", "admin", "--plain-pass", "secret")
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	r := await(t, pull)
	if r.code != exitOK || r.stdout != "welcome\n" {
		t.Fatalf("pull: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "HANDSHAKE_FAILED") || !strings.Contains(r.stderr, "invalid password") {
		t.Errorf("--verbose does not say why the intruder was refused: %s", r.stderr)
	}
}

func TestPullDenyAndAllow(t *testing.T) {
	ep := freeTCP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--deny", "127.0.0.0/8", "--count", "1", "--timeout", "2s", "--verbose")
	code, _, stderr := runCLI(t, "denied\n", "push", "--connect", ep, "--linger", "1s")
	t.Logf("push to a denying pull: exit %d %s", code, stderr)
	r := await(t, pull)
	if r.code == exitOK || r.stdout != "" || !strings.Contains(r.stderr, "deny list") {
		t.Fatalf("denying pull: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}

	ep = freeTCP(t)
	pull = goRun(t, context.Background(), "", "pull", "--bind", ep, "--allow", "127.0.0.1", "--deny", "127.0.0.1", "--count", "1", "--timeout", "15s")
	if code, _, stderr := runCLI(t, "allowed\n", "push", "--connect", ep); code != exitOK {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	if r := await(t, pull); r.code != exitOK || r.stdout != "allowed\n" {
		t.Fatalf("allowing pull: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
}

func TestPullCurveCerts(t *testing.T) {
	certs, elsewhere := t.TempDir(), t.TempDir()
	for _, name := range []string{"client", "stranger"} {
		dir := certs
		if name == "stranger" {
			dir = elsewhere
		}
		if code, _, stderr := runCLI(t, "", "keygen", "--cert", name, "--out", dir); code != exitOK {
			t.Fatalf("keygen: %d %s", code, stderr)
		}
	}
	server, err := auth.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	serverFile := filepath.Join(t.TempDir(), "server.key")
	if err := server.Save(serverFile); err != nil {
		t.Fatal(err)
	}
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--curve-server", "--curve-secret", "@"+serverFile+"_secret",
		"--curve-certs", certs, "--count", "1", "--timeout", "15s", "--verbose")
	code, _, stderr := runCLI(t, "stranger\n", "push", "--connect", ep, "--curve-serverkey", "@"+serverFile,
		"--curve-secret", "@"+filepath.Join(elsewhere, "stranger.key_secret"), "--linger", "300ms")
	t.Logf("stranger: exit %d %s", code, stderr)
	code, _, stderr = runCLI(t, "certified\n", "push", "--connect", ep, "--curve-serverkey", "@"+serverFile,
		"--curve-secret", "@"+filepath.Join(certs, "client.key_secret"))
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	r := await(t, pull)
	if r.code != exitOK || r.stdout != "certified\n" {
		t.Fatalf("pull: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "unknown CURVE key") {
		t.Errorf("--verbose does not say why the stranger was refused: %s", r.stderr)
	}
	// A public certificate has no secret key to offer.
	if _, err := readSecret("@" + serverFile); err == nil {
		t.Error("readSecret took a public certificate")
	}
}
