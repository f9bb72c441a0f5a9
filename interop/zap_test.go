package interop

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// ZAP (RFC 27) on our servers against libzmq 4.3 clients through pyzmq
// (interop/peers/pyzapclient.py): our stock Authenticator with pyzmq's
// certificate files and password files, IP filtering, and a handler of the
// program's own at inproc://zeromq.zap.01.

// pyZAP runs pyzapclient.py and decodes its JSON line.
func pyZAP(t *testing.T, v any, args ...string) {
	t.Helper()
	py := testpeer.Python(t)
	script := filepath.Join(testpeer.RepoRoot(), "interop", "peers", "pyzapclient.py")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, append([]string{script}, args...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("pyzapclient %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("pyzapclient %v: %v", args, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("pyzapclient %v printed %q: %v", args, out, err)
	}
}

// pyCert has pyzmq write a certificate pair (zmq.auth.create_certificates)
// into dir and returns the keys it reads back.
func pyCert(t *testing.T, dir, name string) (public, secret string) {
	var keys struct{ Public, Secret string }
	pyZAP(t, &keys, "create", dir, name)
	return keys.Public, keys.Secret
}

// clientOutcome is what a libzmq client's monitor reported.
type clientOutcome struct {
	Events  [][2]any
	Outcome string
}

// authStatus is the value of HANDSHAKE_FAILED_AUTH: the ZAP status code.
func (o clientOutcome) authStatus() int {
	for _, e := range o.Events {
		if e[0] == "HANDSHAKE_FAILED_AUTH" {
			if v, ok := e[1].(float64); ok {
				return int(v)
			}
		}
	}
	return 0
}

func pyConnect(t *testing.T, ep string, args ...string) clientOutcome {
	t.Helper()
	var o clientOutcome
	pyZAP(t, &o, append([]string{"connect", ep}, args...)...)
	return o
}

// zapServer is our PULL bound on tcp with the given options.
func zapServer(t *testing.T, opts ...socket.Option) (*socket.Socket, string) {
	t.Helper()
	s, err := socket.New(socket.Pull, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Bind("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	return s, s.Endpoints()[0]
}

func recvText(t *testing.T, s *socket.Socket) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if len(m.Frames) != 1 {
		t.Fatalf("received %q", m.Frames)
	}
	return string(m.Frames[0])
}

// handshakeFailure reads our monitor until a failed handshake.
func handshakeFailure(t *testing.T, s *socket.Socket) error {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e := <-s.Monitor():
			if e.Kind == socket.EventHandshakeFailed {
				return e.Err
			}
		case <-timer.C:
			t.Fatal("no failed handshake on our side")
		}
	}
}

// zmtpUnexpectedCommand is libzmq's ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND.
const zmtpUnexpectedCommand = 0x10000001

// expectRefused checks both sides of a refusal with a status code.
func expectRefused(t *testing.T, s *socket.Socket, o clientOutcome, code int) {
	t.Helper()
	if o.Outcome != "HANDSHAKE_FAILED_AUTH" || o.authStatus() != code {
		t.Fatalf("libzmq client: %+v, want HANDSHAKE_FAILED_AUTH %d", o, code)
	}
	if err := handshakeFailure(t, s); !errors.Is(err, zmtp.ErrAuthFailed) {
		t.Fatalf("our side: %v", err)
	}
}

// expectPlainRefused is expectRefused for a libzmq 4.3 PLAIN client, which
// recognises only the malformed ERROR its own servers send (0x5E "RROR",
// see zmtp's libzmqErrorQuirk) and reports our well-formed ERROR as an
// unexpected command: refused all the same, without the status code.
func expectPlainRefused(t *testing.T, s *socket.Socket, o clientOutcome) {
	t.Helper()
	quirk := o.Outcome == "HANDSHAKE_FAILED_PROTOCOL" && len(o.Events) > 0 && o.Events[len(o.Events)-1][1] == float64(zmtpUnexpectedCommand)
	if !quirk && (o.Outcome != "HANDSHAKE_FAILED_AUTH" || o.authStatus() != 400) {
		t.Fatalf("libzmq client: %+v, want it refused", o)
	}
	if err := handshakeFailure(t, s); !errors.Is(err, auth.ErrDenied) {
		t.Fatalf("our side: %v", err)
	}
}

// A libzmq CURVE client whose certificate pyzmq wrote into our certificate
// directory gets in; one whose certificate is elsewhere is refused.
func TestZAPPyCurveCertificateDir(t *testing.T) {
	trusted, elsewhere := t.TempDir(), t.TempDir()
	pyCert(t, trusted, "client")
	pyCert(t, elsewhere, "stranger")
	a := auth.NewAuthenticator()
	if err := a.SetCertificateDir("", trusted); err != nil {
		t.Fatal(err)
	}
	sPub, sSec, _ := zmtp.GenerateCurveKeypair()
	s, ep := zapServer(t, socket.WithCurveServer(sSec), socket.WithZAP(a))

	o := pyConnect(t, ep, "--curve", zmtp.CurveKeyZ85(sPub), filepath.Join(trusted, "client.key_secret"), "--send", "trusted")
	if o.Outcome != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("trusted client: %+v", o)
	}
	if got := recvText(t, s); got != "trusted" {
		t.Fatalf("received %q", got)
	}
	o = pyConnect(t, ep, "--curve", zmtp.CurveKeyZ85(sPub), filepath.Join(elsewhere, "stranger.key_secret"), "--send", "stranger")
	expectRefused(t, s, o, 400)
}

// A libzmq PLAIN client with a password from our password file gets in; a
// wrong password is refused with 400.
func TestZAPPyPlainPasswordFile(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "passwords")
	if err := os.WriteFile(pw, []byte("# pyzmq and CZMQ format\nadmin=s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := auth.NewAuthenticator()
	if err := a.SetPasswordFile("", pw); err != nil {
		t.Fatal(err)
	}
	s, ep := zapServer(t, socket.WithPlainServer(nil), socket.WithZAP(a))
	if o := pyConnect(t, ep, "--plain", "admin", "s3cret", "--send", "plain"); o.Outcome != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("good password: %+v", o)
	}
	if got := recvText(t, s); got != "plain" {
		t.Fatalf("received %q", got)
	}
	expectPlainRefused(t, s, pyConnect(t, ep, "--plain", "admin", "guess"))
}

// IP filtering: a NULL server with a ZAP domain refuses a denied address,
// and admits it when it is on the allow list.
func TestZAPPyDenyIP(t *testing.T) {
	deny := auth.NewAuthenticator()
	if err := deny.Deny("127.0.0.0/8"); err != nil {
		t.Fatal(err)
	}
	s, ep := zapServer(t, socket.WithZAP(deny), socket.WithZAPDomain("global"))
	expectRefused(t, s, pyConnect(t, ep), 400)

	allow := auth.NewAuthenticator()
	if err := allow.Allow("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	s, ep = zapServer(t, socket.WithZAP(allow), socket.WithZAPDomain("global"))
	if o := pyConnect(t, ep, "--send", "allowed"); o.Outcome != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("allowed address: %+v", o)
	}
	if got := recvText(t, s); got != "allowed" {
		t.Fatalf("received %q", got)
	}
}

// A ZAP handler of the program's own, a REP socket bound at
// inproc://zeromq.zap.01 as pyzmq and pebbe/zmq4 programs bind it, decides
// for a PLAIN server that has no WithZAP handler.
func TestZAPPyOwnInprocHandler(t *testing.T) {
	rep, err := socket.New(socket.Rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Bind(auth.Endpoint); err != nil {
		rep.Close()
		t.Fatal(err)
	}
	var mu sync.Mutex
	var users []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := rep.Recv(context.Background())
			if err != nil {
				return
			}
			req, err := auth.ParseRequest(m.Frames)
			var reply *auth.Reply
			switch user, pass, _ := req.PlainCredentials(); {
			case err != nil:
				t.Errorf("libzmq client's request through our server: %v", err)
				return
			case pass == "open sesame":
				reply = auth.NewReply(req, auth.StatusOK, "OK")
				reply.UserID = "user:" + user
			default:
				reply = auth.NewReply(req, auth.StatusDenied, "no")
			}
			mu.Lock()
			users = append(users, req.Address)
			mu.Unlock()
			out, _ := auth.AppendReply(nil, reply)
			if rep.Send(context.Background(), socket.NewMsg(out...)) != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { rep.Close(); wg.Wait() })

	s, ep := zapServer(t, socket.WithPlainServer(nil))
	if o := pyConnect(t, ep, "--plain", "ali", "open sesame", "--send", "via handler"); o.Outcome != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("accepted client: %+v", o)
	}
	if got := recvText(t, s); got != "via handler" {
		t.Fatalf("received %q", got)
	}
	expectPlainRefused(t, s, pyConnect(t, ep, "--plain", "ali", "wrong"))
	mu.Lock()
	defer mu.Unlock()
	if len(users) != 2 || users[0] != "127.0.0.1" {
		t.Fatalf("handler saw addresses %q", users)
	}
}

// A handler that never answers: the libzmq client does not get in and our
// handshake fails at its interval.
func TestZAPPyHandlerNeverAnswers(t *testing.T) {
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	h := auth.HandlerFunc(func(ctx context.Context, _ *auth.Request) (*auth.Reply, error) {
		<-stuck
		return nil, ctx.Err()
	})
	s, ep := zapServer(t, socket.WithPlainServer(nil), socket.WithZAP(h), socket.WithHandshakeInterval(500*time.Millisecond))
	o := pyConnect(t, ep, "--plain", "u", "p", "--wait", "2")
	if o.Outcome == "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("client got in: %+v", o)
	}
	if err := handshakeFailure(t, s); !errors.Is(err, zmtp.ErrHandshakeTimeout) {
		t.Fatalf("our side: %v", err)
	}
}

// The status codes as a libzmq CURVE client sees them: 500 arrives as an
// authentication failure with its code, 300 without any status (we hang up
// so that the client may retry; a libzmq server sends no ERROR either).
func TestZAPPyStatusCodes(t *testing.T) {
	for _, code := range []auth.Status{auth.StatusInternal, auth.StatusTemporary} {
		h := auth.HandlerFunc(func(_ context.Context, req *auth.Request) (*auth.Reply, error) {
			return auth.NewReply(req, code, "decided by the test"), nil
		})
		sPub, sSec, _ := zmtp.GenerateCurveKeypair()
		s, ep := zapServer(t, socket.WithCurveServer(sSec), socket.WithZAP(h))
		dir := t.TempDir()
		pyCert(t, dir, "client")
		o := pyConnect(t, ep, "--curve", zmtp.CurveKeyZ85(sPub), filepath.Join(dir, "client.key_secret"), "--wait", "2")
		if code == auth.StatusTemporary {
			if o.Outcome == "HANDSHAKE_SUCCEEDED" || o.Outcome == "HANDSHAKE_FAILED_AUTH" {
				t.Fatalf("300: libzmq client saw %+v, want neither success nor a status", o)
			}
			if err := handshakeFailure(t, s); !errors.Is(err, auth.ErrTemporary) {
				t.Fatalf("300: our side: %v", err)
			}
			continue
		}
		expectRefused(t, s, o, int(code))
	}
}

// User-Id and the ZAP handler's metadata on each message a libzmq client
// sends: a PLAIN client through our handler, and a CURVE client whose
// certificate (ours, read by pyzmq) carries metadata in our cert directory.
func TestZAPPyUserIDAndMetadataOnMessages(t *testing.T) {
	h := auth.HandlerFunc(func(_ context.Context, req *auth.Request) (*auth.Reply, error) {
		user, pass, _ := req.PlainCredentials()
		if pass != "pw" {
			return auth.NewReply(req, auth.StatusDenied, "no"), nil
		}
		r := auth.NewReply(req, auth.StatusOK, "OK")
		r.UserID = "user:" + user
		r.Metadata = zmtp.Metadata{{Name: "X-Team", Value: []byte("blue")}}
		return r, nil
	})
	s, ep := zapServer(t, socket.WithPlainServer(nil), socket.WithZAP(h))
	if o := pyConnect(t, ep, "--plain", "ali", "pw", "--send", "plain"); o.Outcome != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("PLAIN client: %+v", o)
	}
	m := recvMsg(t, s)
	if props(m, "User-Id", "X-Team", "Peer-Address", "Socket-Type") != "user:ali|blue|127.0.0.1|PUSH" {
		t.Fatalf("PLAIN message %q: %s", m.Frames, props(m, "User-Id", "X-Team", "Peer-Address", "Socket-Type"))
	}

	dir := t.TempDir()
	cert, err := auth.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	cert.Metadata = zmtp.Metadata{{Name: "name", Value: []byte("client")}}
	if err := cert.Save(filepath.Join(dir, "client.key")); err != nil {
		t.Fatal(err)
	}
	a := auth.NewAuthenticator()
	if err := a.SetCertificateDir("", dir); err != nil {
		t.Fatal(err)
	}
	sPub, sSec, _ := zmtp.GenerateCurveKeypair()
	s, ep = zapServer(t, socket.WithCurveServer(sSec), socket.WithZAP(a))
	if o := pyConnect(t, ep, "--curve", zmtp.CurveKeyZ85(sPub), filepath.Join(dir, "client.key_secret"), "--send", "curve"); o.Outcome != "HANDSHAKE_SUCCEEDED" {
		t.Fatalf("CURVE client: %+v", o)
	}
	m = recvMsg(t, s)
	if got, want := props(m, "User-Id", "name"), cert.PublicZ85()+"|client"; got != want {
		t.Fatalf("CURVE message: %s, want %s", got, want)
	}
}

// props joins the named properties of m with "|" ("-" for a missing one).
func props(m socket.Msg, names ...string) string {
	var out []string
	for _, n := range names {
		v, ok := m.Property(n)
		if !ok {
			v = "-"
		}
		out = append(out, v)
	}
	return strings.Join(out, "|")
}
