package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/zmtp"
)

// testKey is a well-formed Z85 key (RFC 32's test vector), for flag checks.
const testKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

var keyLine = regexp.MustCompile(`^public: (\S{40})\nsecret: (\S{40})\n$`)

func keygen(t *testing.T) (public, secret string) {
	t.Helper()
	code, out, stderr := runCLI(t, "", "keygen")
	m := keyLine.FindStringSubmatch(out)
	if code != exitOK || m == nil {
		t.Fatalf("keygen: exit %d, %q, %s", code, out, stderr)
	}
	return m[1], m[2]
}

func TestKeygen(t *testing.T) {
	public, secret := keygen(t)
	s, err := zmtp.ParseCurveKeyZ85(secret)
	if err != nil {
		t.Fatal(err)
	}
	p, err := zmtp.CurvePublicKey(s)
	if err != nil || zmtp.CurveKeyZ85(p) != public {
		t.Errorf("public %s does not belong to secret (derived %s, %v)", public, zmtp.CurveKeyZ85(p), err)
	}
	if p2, _ := keygen(t); p2 == public {
		t.Error("two key pairs alike")
	}
	if code, _, _ := runCLI(t, "", "keygen", "extra"); code != exitUsage {
		t.Errorf("keygen extra: exit %d", code)
	}
	if code, out, _ := runCLI(t, "", "help", "keygen"); code != exitOK || !strings.Contains(out, "Z85") {
		t.Errorf("help keygen: exit %d, %q", code, out)
	}
}

func TestReadKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{testKey, "@" + file} {
		k, err := readKey(arg)
		if err != nil || zmtp.CurveKeyZ85(k) != testKey {
			t.Errorf("%q: %v", arg, err)
		}
	}
	// '@' is a Z85 digit: a key that starts with it is a key, not a file.
	var at [32]byte
	for i := 0; ; i++ {
		at[0], at[1] = byte(i), byte(i>>8)
		if strings.HasPrefix(zmtp.CurveKeyZ85(at), "@") {
			break
		}
	}
	if k, err := readKey(zmtp.CurveKeyZ85(at)); err != nil || k != at {
		t.Errorf("key starting with @: %v", err)
	}
	if _, err := readKey("tooshort"); !errors.Is(err, zmtp.ErrZ85) {
		t.Errorf("short key: %v", err)
	}
	if _, err := readKey("@" + filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// CLI against CLI over CURVE: an allowed client gets its echo, a client
// with another key is refused by the server and gets nothing.
func TestCurveReqRep(t *testing.T) {
	serverPub, serverSec := keygen(t)
	clientPub, clientSec := keygen(t)
	secretFile := filepath.Join(t.TempDir(), "server.key")
	if err := os.WriteFile(secretFile, []byte(serverSec), 0o600); err != nil {
		t.Fatal(err)
	}
	ep := ipcEP(t)
	rep := goRun(t, t.Context(), "", "rep", "--bind", ep, "--echo", "--count", "1", "--timeout", "15s",
		"--curve-server", "--curve-secret", "@"+secretFile, "--curve-allow", clientPub)
	code, _, stderr := runCLI(t, "intruder\n", "req", "--connect", ep, "--curve-serverkey", serverPub, "--timeout", "500ms", "--linger", "0s")
	if code != exitError || !strings.Contains(stderr, "timed out") {
		t.Errorf("unlisted client: exit %d, stderr %q; want a timeout", code, stderr)
	}
	code, out, stderr := runCLI(t, "secret hello\n", "req", "--connect", ep, "--curve-serverkey", serverPub,
		"--curve-secret", clientSec, "--timeout", "15s")
	if code != exitOK || out != "secret hello\n" {
		t.Errorf("allowed client: exit %d, %q, %s", code, out, stderr)
	}
	if r := await(t, rep); r.code != exitOK || r.stdout != "secret hello\n" {
		t.Errorf("rep: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if code, _, stderr := runCLI(t, "", "req", "--connect", ep, "--curve-serverkey", "not-a-key"); code != exitError || !strings.Contains(stderr, "--curve-serverkey") {
		t.Errorf("bad key: exit %d, %q", code, stderr)
	}
}

// keygen --cert writes the certificate pair CZMQ and pyzmq read; the keys in
// the files are those printed, the secret file is private, and existing
// files are not overwritten.
func TestKeygenCertificate(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "", "keygen", "--cert", "alice", "--out", dir, "--meta", "name=alice")
	lines := strings.Split(out, "\n")
	if code != exitOK || len(lines) < 4 || keyLine.FindStringSubmatch(strings.Join(lines[:2], "\n")+"\n") == nil {
		t.Fatalf("keygen --cert: exit %d, %q, %s", code, out, stderr)
	}
	public, secret := strings.TrimPrefix(lines[0], "public: "), strings.TrimPrefix(lines[1], "secret: ")
	path := filepath.Join(dir, "alice.key")
	pub, err := auth.LoadCertificate(path)
	if err != nil || pub.PublicZ85() != public || pub.HasSecret() || pub.Metadata.Get("name") != "alice" {
		t.Fatalf("public file: %+v %v", pub, err)
	}
	sec, err := auth.LoadCertificate(path + "_secret")
	if err != nil || sec.SecretZ85() != secret || sec.PublicZ85() != public {
		t.Fatalf("secret file: %+v %v", sec, err)
	}
	if fi, err := os.Stat(path + "_secret"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode: %v %v", fi.Mode(), err)
	}
	if code, _, stderr := runCLI(t, "", "keygen", "--cert", "alice", "--out", dir); code != exitError || !strings.Contains(stderr, "exists") {
		t.Fatalf("overwrite: exit %d, %s", code, stderr)
	}
	if again, _ := auth.LoadCertificate(path); again.PublicZ85() != public {
		t.Fatal("existing certificate was replaced")
	}
	for _, args := range [][]string{{"--out", dir}, {"--cert", "a/b"}, {"--cert", "x", "--meta", "novalue"}, {"--bogus"}} {
		if code, _, _ := runCLI(t, "", append([]string{"keygen"}, args...)...); code != exitUsage {
			t.Errorf("keygen %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
