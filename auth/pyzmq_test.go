package auth

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/zmtp"
)

// These tests hold the package to real libzmq (pyzmq, Debian's python3-zmq):
// certificate files both ways, and our codec and Authenticator answering the
// ZAP requests a libzmq server sends to inproc://zeromq.zap.01.

func zappeer(t *testing.T, args ...string) []byte {
	t.Helper()
	py := testpeer.Python(t)
	script := filepath.Join(testpeer.RepoRoot(), "auth", "testdata", "zappeer.py")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, append([]string{script}, args...)...).Output()
	if err != nil {
		t.Fatalf("zappeer %v: %v\n%s", args, err, out)
	}
	return out
}

func TestPyzmqCertificatesLoadHere(t *testing.T) {
	dir := t.TempDir()
	var keys struct{ Public, Secret string }
	if err := json.Unmarshal(zappeer(t, "create", dir, "alice"), &keys); err != nil {
		t.Fatal(err)
	}
	pub, err := LoadCertificate(filepath.Join(dir, "alice.key"))
	if err != nil || pub.PublicZ85() != keys.Public || pub.HasSecret() {
		t.Fatalf("public file: %+v %v (pyzmq says %s)", pub, err, keys.Public)
	}
	sec, err := LoadCertificate(filepath.Join(dir, "alice.key_secret"))
	if err != nil || sec.PublicZ85() != keys.Public || sec.SecretZ85() != keys.Secret || sec.Metadata.Get("name") != "alice" {
		t.Fatalf("secret file: %+v %v", sec, err)
	}
	certs, err := LoadCertificates(dir)
	if err != nil || len(certs) != 1 || certs[0].PublicZ85() != keys.Public {
		t.Fatalf("directory: %d %v", len(certs), err)
	}
}

func TestOurCertificatesLoadInPyzmq(t *testing.T) {
	dir := t.TempDir()
	var want [][2]string
	for _, name := range []string{"a", "b"} {
		c, err := NewCertificate()
		if err != nil {
			t.Fatal(err)
		}
		c.Metadata = append(c.Metadata, metadataProp("name", name))
		if err := c.Save(filepath.Join(dir, name+".key")); err != nil {
			t.Fatal(err)
		}
		want = append(want, [2]string{c.PublicZ85(), c.SecretZ85()})
	}
	var got struct {
		Certs [][]*string
		Dir   []string
	}
	out := zappeer(t, "load", filepath.Join(dir, "a.key"), filepath.Join(dir, "a.key_secret"), filepath.Join(dir, "b.key_secret"), "--dir", dir)
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Certs) != 3 || *got.Certs[0][0] != want[0][0] || got.Certs[0][1] != nil ||
		*got.Certs[1][0] != want[0][0] || *got.Certs[1][1] != want[0][1] || *got.Certs[2][1] != want[1][1] {
		t.Fatalf("pyzmq read %s", out)
	}
	if strings.Join(got.Dir, ",") != strings.Join(sortedPair(want[0][0], want[1][0]), ",") {
		t.Fatalf("pyzmq load_certificates: %v", got.Dir)
	}
}

func sortedPair(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}

// zapOutcome is what the libzmq server saw after our handler answered.
type zapOutcome struct {
	Request  *Request
	Reply    *Reply
	Received bool
	UserID   string `json:"user_id"`
	Props    map[string]*string
}

// serveZAP runs a libzmq PULL server and PUSH client with mech and answers
// the server's ZAP request with h, through ParseRequest, Resolve and
// AppendReply, as a socket handler at inproc://zeromq.zap.01 would.
func serveZAP(t *testing.T, h Handler, mech string, opts ...string) zapOutcome {
	t.Helper()
	py := testpeer.Python(t)
	script := filepath.Join(testpeer.RepoRoot(), "auth", "testdata", "zappeer.py")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{script, "serve", mech}, opts...)...)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	rd := bufio.NewReader(stdout)
	var o zapOutcome
	var first struct{ Zap []string }
	line, _ := rd.ReadBytes('\n')
	if err := json.Unmarshal(line, &first); err != nil || first.Zap == nil {
		t.Fatalf("no ZAP request from libzmq: %q %v", line, err)
	}
	frames := make([][]byte, len(first.Zap))
	for i, h := range first.Zap {
		frames[i], _ = hex.DecodeString(h)
	}
	req, err := ParseRequest(frames)
	if err != nil {
		t.Fatalf("libzmq's request %q: %v", frames, err)
	}
	o.Request = req
	o.Reply = Resolve(ctx, h, req)
	wire, err := AppendReply(nil, o.Reply)
	if err != nil {
		t.Fatal(err)
	}
	hexes := make([]string, len(wire))
	for i, f := range wire {
		hexes[i] = hex.EncodeToString(f)
	}
	msg, _ := json.Marshal(map[string][]string{"reply": hexes})
	stdin.Write(append(msg, '\n'))
	line, _ = rd.ReadBytes('\n')
	if err := json.Unmarshal(line, &o); err != nil {
		t.Fatalf("outcome %q: %v", line, err)
	}
	return o
}

func TestPyzmqZAPPlainPasswordFile(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "passwords")
	os.WriteFile(pw, []byte("# users\nadmin=secret\n"), 0o600)
	a := NewAuthenticator()
	if err := a.SetPasswordFile("", pw); err != nil {
		t.Fatal(err)
	}
	o := serveZAP(t, a, "PLAIN", "user=admin", "pass=secret")
	if o.Request.Mechanism != "PLAIN" || o.Request.Address != "127.0.0.1" || !o.Received || o.UserID != "admin" {
		t.Fatalf("good password: %+v", o)
	}
	o = serveZAP(t, a, "PLAIN", "user=admin", "pass=wrong", "wait_ms=500")
	if o.Reply.Status != StatusDenied || o.Received {
		t.Fatalf("wrong password got in: %+v", o)
	}
}

func TestPyzmqZAPCurveCertificateDir(t *testing.T) {
	trusted, other := t.TempDir(), t.TempDir()
	zappeer(t, "create", trusted, "client") // pyzmq writes no metadata in the public file
	zappeer(t, "create", other, "stranger")
	ours, err := NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	ours.Metadata = append(ours.Metadata, metadataProp("name", "ours"))
	if err := ours.Save(filepath.Join(trusted, "ours.key")); err != nil {
		t.Fatal(err)
	}
	a := NewAuthenticator()
	if err := a.SetCertificateDir("", trusted); err != nil {
		t.Fatal(err)
	}
	o := serveZAP(t, a, "CURVE", "cert="+filepath.Join(trusted, "client.key_secret"))
	cert, _ := LoadCertificate(filepath.Join(trusted, "client.key"))
	if !o.Received || o.UserID != cert.PublicZ85() {
		t.Fatalf("pyzmq-written trusted key: %+v", o)
	}
	// Our certificate, used by the libzmq client: its metadata reaches the
	// server's messages through the ZAP reply.
	o = serveZAP(t, a, "CURVE", "cert="+filepath.Join(trusted, "ours.key_secret"), "props=name")
	if !o.Received || o.UserID != ours.PublicZ85() || o.Props["name"] == nil || *o.Props["name"] != "ours" {
		t.Fatalf("our trusted certificate: %+v", o)
	}
	o = serveZAP(t, a, "CURVE", "cert="+filepath.Join(other, "stranger.key_secret"), "wait_ms=500")
	if o.Reply.Status != StatusDenied || o.Received {
		t.Fatalf("unknown key got in: %+v", o)
	}
}

// libzmq asks ZAP about NULL clients only when the socket has a ZAP domain.
func TestPyzmqZAPNullDenyIP(t *testing.T) {
	a := NewAuthenticator()
	o := serveZAP(t, a, "NULL", "domain=global")
	if o.Request.Domain != "global" || !o.Received {
		t.Fatalf("allowed address: %+v", o)
	}
	if err := a.Deny("127.0.0.0/8"); err != nil {
		t.Fatal(err)
	}
	o = serveZAP(t, a, "NULL", "domain=global", "wait_ms=500")
	if o.Reply.Status != StatusDenied || o.Received {
		t.Fatalf("denied address got in: %+v", o)
	}
}

func metadataProp(name, value string) zmtp.Property {
	return zmtp.Property{Name: name, Value: []byte(value)}
}
