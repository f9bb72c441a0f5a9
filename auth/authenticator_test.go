package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

func nullReq(addr string) *Request {
	return &Request{RequestID: []byte("1"), Address: addr, Mechanism: "NULL"}
}

func plainReq(domain, user, pass string) *Request {
	return &Request{RequestID: []byte("1"), Domain: domain, Address: "127.0.0.1", Mechanism: "PLAIN",
		Credentials: [][]byte{[]byte(user), []byte(pass)}}
}

func curveReq(domain string, key [32]byte) *Request {
	return &Request{RequestID: []byte("1"), Domain: domain, Address: "127.0.0.1", Mechanism: "CURVE",
		Credentials: [][]byte{key[:]}}
}

func decide(t *testing.T, a Handler, req *Request) *Reply {
	t.Helper()
	rep, err := a.Authenticate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(rep.RequestID) != string(req.RequestID) {
		t.Fatalf("request id %q not echoed", rep.RequestID)
	}
	return rep
}

func wantStatus(t *testing.T, rep *Reply, want Status) {
	t.Helper()
	if rep.Status != want {
		t.Fatalf("status %v (%q), want %v", rep.Status, rep.StatusText, want)
	}
}

func TestAuthenticatorIPLists(t *testing.T) {
	a := NewAuthenticator()
	wantStatus(t, decide(t, a, nullReq("10.1.2.3")), StatusOK)

	if err := a.Deny("10.0.0.0/8", "::1"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, nullReq("10.1.2.3")), StatusDenied)
	wantStatus(t, decide(t, a, nullReq("::ffff:10.1.2.3")), StatusDenied) // v4-mapped
	wantStatus(t, decide(t, a, nullReq("::1")), StatusDenied)
	wantStatus(t, decide(t, a, nullReq("192.0.2.1")), StatusOK)
	wantStatus(t, decide(t, a, nullReq("")), StatusOK) // ipc: nothing to deny

	// With an allow list, only it counts (the deny list is not consulted).
	if err := a.Allow("10.1.2.3", "192.0.2.0/24"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, nullReq("10.1.2.3")), StatusOK)
	wantStatus(t, decide(t, a, nullReq("192.0.2.77")), StatusOK)
	wantStatus(t, decide(t, a, nullReq("10.1.2.4")), StatusDenied)
	wantStatus(t, decide(t, a, nullReq("")), StatusDenied)
	// The IP filter applies before credentials are looked at.
	a.SetPasswords("", map[string]string{"admin": "secret"})
	wantStatus(t, decide(t, a, plainReq("", "admin", "secret")), StatusDenied) // 127.0.0.1 not allowed
	_ = a.Allow("127.0.0.1")
	wantStatus(t, decide(t, a, plainReq("", "admin", "secret")), StatusOK)

	if err := a.Allow("not-an-ip"); !errors.Is(err, ErrAddress) {
		t.Fatalf("bad address: %v", err)
	}
	if err := a.Deny("10.0.0.0/33"); !errors.Is(err, ErrAddress) {
		t.Fatalf("bad network: %v", err)
	}
}

func TestAuthenticatorPlainDomains(t *testing.T) {
	a := NewAuthenticator()
	wantStatus(t, decide(t, a, plainReq("", "admin", "secret")), StatusDenied) // nothing configured

	a.SetPasswords(AnyDomain, map[string]string{"admin": "secret"})
	a.SetPasswords("global", map[string]string{"root": "toor"})
	rep := decide(t, a, plainReq("", "admin", "secret"))
	wantStatus(t, rep, StatusOK)
	if rep.UserID != "admin" {
		t.Fatalf("user id %q", rep.UserID)
	}
	wantStatus(t, decide(t, a, plainReq("other", "admin", "secret")), StatusOK) // falls back to "*"
	wantStatus(t, decide(t, a, plainReq("", "admin", "wrong")), StatusDenied)
	wantStatus(t, decide(t, a, plainReq("", "nobody", "x")), StatusDenied)
	wantStatus(t, decide(t, a, plainReq("global", "root", "toor")), StatusOK)
	wantStatus(t, decide(t, a, plainReq("global", "admin", "secret")), StatusDenied) // domain has its own table
	wantStatus(t, decide(t, a, plainReq("", "root", "toor")), StatusDenied)
}

func TestAuthenticatorPasswordFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passwords")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("admin=secret\n")
	a := NewAuthenticator()
	if err := a.SetPasswordFile("", path); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, plainReq("", "admin", "secret")), StatusOK)
	wantStatus(t, decide(t, a, plainReq("", "bob", "pw")), StatusDenied)

	write("admin=changed\nbob=pw\n")
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, plainReq("", "bob", "pw")), StatusOK)
	wantStatus(t, decide(t, a, plainReq("", "admin", "secret")), StatusDenied)

	// A broken file keeps the old table; users not in it get 300 (try later).
	write("bob=pw\nbroken line\n")
	err := a.Reload()
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 {
		t.Fatalf("reload of a bad file: %v", err)
	}
	wantStatus(t, decide(t, a, plainReq("", "bob", "pw")), StatusOK)
	wantStatus(t, decide(t, a, plainReq("", "carol", "pw")), StatusTemporary)
	if rep := decide(t, a, plainReq("", "carol", "pw")); !errors.Is(rep.Err(), ErrTemporary) {
		t.Fatalf("Err of 300: %v", rep.Err())
	}
	write("carol=pw\n")
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, plainReq("", "carol", "pw")), StatusOK)
	wantStatus(t, decide(t, a, plainReq("", "bob", "pw")), StatusDenied)
}

func TestAuthenticatorCurve(t *testing.T) {
	dir := t.TempDir()
	known, _ := NewCertificate()
	known.Metadata = zmtp.Metadata{{Name: "name", Value: []byte("alice")}, {Name: "bad$name", Value: []byte("dropped")}}
	if err := known.Save(filepath.Join(dir, "alice.key")); err != nil {
		t.Fatal(err)
	}
	single, _ := NewCertificate()
	stranger, _ := NewCertificate()

	a := NewAuthenticator()
	wantStatus(t, decide(t, a, curveReq("", known.Public)), StatusDenied)
	if err := a.SetCertificateDir("", dir); err != nil {
		t.Fatal(err)
	}
	a.AllowCurveKeys("", single.Public)
	rep := decide(t, a, curveReq("", known.Public))
	wantStatus(t, rep, StatusOK)
	if rep.UserID != known.PublicZ85() || rep.Metadata.Get("name") != "alice" || len(rep.Metadata) != 1 {
		t.Fatalf("reply %+v", rep)
	}
	if _, err := AppendReply(nil, rep); err != nil {
		t.Fatalf("reply cannot be sent: %v", err)
	}
	wantStatus(t, decide(t, a, curveReq("", single.Public)), StatusOK)
	wantStatus(t, decide(t, a, curveReq("", stranger.Public)), StatusDenied)

	// A new certificate in the directory counts after Reload.
	if err := stranger.Save(filepath.Join(dir, "stranger.key")); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, curveReq("", stranger.Public)), StatusDenied)
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, decide(t, a, curveReq("", stranger.Public)), StatusOK)

	// CURVE_ALLOW_ANY for one domain only.
	other, _ := NewCertificate()
	a.AllowAnyCurve("open")
	wantStatus(t, decide(t, a, curveReq("open", other.Public)), StatusOK)
	wantStatus(t, decide(t, a, curveReq("", other.Public)), StatusDenied)

	// An unreadable directory: known keys still pass, unknown ones get 300.
	os.WriteFile(filepath.Join(dir, "broken.key"), []byte("curve\n public-key = x\n"), 0o644)
	if err := a.Reload(); !errors.Is(err, ErrCertSyntax) {
		t.Fatalf("reload: %v", err)
	}
	wantStatus(t, decide(t, a, curveReq("", known.Public)), StatusOK)
	wantStatus(t, decide(t, a, curveReq("", other.Public)), StatusTemporary)
	wantStatus(t, decide(t, a, &Request{RequestID: []byte("1"), Mechanism: "GSSAPI", Credentials: [][]byte{{1}}}), StatusDenied)
}

// Reconfiguring and reloading while requests are decided is race-free (run
// with -race).
func TestAuthenticatorConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(path, []byte("u=p\n"), 0o600)
	a := NewAuthenticator()
	if err := a.SetPasswordFile("", path); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				rep, _ := a.Authenticate(context.Background(), plainReq("", "u", "p"))
				if rep.Status != StatusOK {
					t.Errorf("status %v", rep.Status)
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		if err := a.Reload(); err != nil {
			t.Fatal(err)
		}
		_ = a.Deny("10.0.0.1")
		a.AllowCurveKeys("", [32]byte{byte(i)})
	}
	wg.Wait()
}

func TestResolve(t *testing.T) {
	req := nullReq("1.2.3.4")
	req.RequestID = []byte("42")
	ctx := context.Background()
	cases := []struct {
		name string
		h    HandlerFunc
		want Status
	}{
		{"ok", func(context.Context, *Request) (*Reply, error) {
			return &Reply{Status: StatusOK, UserID: "u"}, nil
		}, StatusOK},
		{"temporary error", func(context.Context, *Request) (*Reply, error) {
			return nil, ErrTemporary
		}, StatusTemporary},
		{"other error", func(context.Context, *Request) (*Reply, error) {
			return nil, errors.New("database down")
		}, StatusInternal},
		{"nil reply", func(context.Context, *Request) (*Reply, error) { return nil, nil }, StatusInternal},
		{"invalid status", func(context.Context, *Request) (*Reply, error) {
			return &Reply{Status: 201}, nil
		}, StatusInternal},
		{"invalid metadata", func(context.Context, *Request) (*Reply, error) {
			return &Reply{Status: StatusOK, Metadata: zmtp.Metadata{{Name: ""}}}, nil
		}, StatusInternal},
		{"denied keeps no user", func(context.Context, *Request) (*Reply, error) {
			return &Reply{Status: StatusDenied, UserID: "u", Metadata: zmtp.Metadata{{Name: "a"}}}, nil
		}, StatusDenied},
	}
	for _, tc := range cases {
		rep := Resolve(ctx, tc.h, req)
		if rep.Status != tc.want || string(rep.RequestID) != "42" {
			t.Fatalf("%s: %+v", tc.name, rep)
		}
		if rep.Status != StatusOK && (rep.UserID != "" || rep.Metadata != nil) {
			t.Fatalf("%s: refusal carries %q %v", tc.name, rep.UserID, rep.Metadata)
		}
	}
}

// A handler that never answers is cut off by the context (the handshake
// timeout) with a 300, and its goroutine ends when it finally returns.
func TestResolveHandlerNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	h := HandlerFunc(func(context.Context, *Request) (*Reply, error) {
		<-release // ignores its context on purpose
		return &Reply{Status: StatusOK}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rep := Resolve(ctx, h, nullReq(""))
	if rep.Status != StatusTemporary || !errors.Is(rep.Err(), zmtp.ErrAuthFailed) {
		t.Fatalf("%+v", rep)
	}
	close(release) // the leak check in TestMain sees the goroutine end
	// An Authenticator asked with a dead context answers 300 too.
	rep, _ = NewAuthenticator().Authenticate(ctx, nullReq(""))
	if rep.Status != StatusTemporary {
		t.Fatalf("dead context: %+v", rep)
	}
}
