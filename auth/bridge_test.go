package auth

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// A handler behind an Exchanger (what a socket at inproc://zeromq.zap.01
// becomes): requests travel through the codec, replies are checked.
func TestRemoteHandler(t *testing.T) {
	a := NewAuthenticator()
	a.SetPasswords("", map[string]string{"admin": "secret"})
	var seen [][]byte
	h := RemoteHandler(ExchangerFunc(func(ctx context.Context, in [][]byte) ([][]byte, error) {
		seen = in
		req, err := ParseRequest(in)
		if err != nil {
			return nil, err
		}
		rep, _ := a.Authenticate(ctx, req)
		return AppendReply(nil, rep)
	}))
	req := plainReq("", "admin", "secret")
	req.RequestID = []byte("local")
	rep := Resolve(context.Background(), h, req)
	if rep.Status != StatusOK || rep.UserID != "admin" || string(rep.RequestID) != "local" {
		t.Fatalf("%+v", rep)
	}
	if string(seen[0]) != "1.0" || string(seen[1]) != "1" || string(seen[5]) != "PLAIN" {
		t.Fatalf("sent %q", seen)
	}

	bad := func(reply [][]byte, want error) {
		t.Helper()
		h := RemoteHandler(ExchangerFunc(func(context.Context, [][]byte) ([][]byte, error) { return reply, nil }))
		if _, err := h.Authenticate(context.Background(), req); !errors.Is(err, want) {
			t.Fatalf("reply %q: %v, want %v", reply, err, want)
		}
		if rep := Resolve(context.Background(), h, req); rep.Status != StatusInternal {
			t.Fatalf("reply %q resolved to %v", reply, rep.Status)
		}
	}
	bad(frames("1.0", "1", "200", "OK", "u"), ErrMalformedReply)
	bad(frames("1.0", "1", "999", "", "", ""), ErrMalformedReply)
	bad(frames("1.0", "7", "200", "", "", ""), ErrRequestID)
}

func TestPeerAddress(t *testing.T) {
	cases := []struct {
		a    net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 5555}, "192.0.2.1"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 1}, "192.0.2.1"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 1}, "::1"},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, ""},
		{nil, ""},
	}
	for _, tc := range cases {
		if got := PeerAddress(tc.a); got != tc.want {
			t.Errorf("PeerAddress(%v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

// Decide keeps Resolve's replies but reports a handler that broke the
// protocol, or did not answer, as an error the handshake can act on.
func TestDecide(t *testing.T) {
	req := plainReq("", "admin", "secret")
	ok := HandlerFunc(func(context.Context, *Request) (*Reply, error) {
		r := NewReply(req, StatusOK, "OK")
		r.UserID = "admin"
		return r, nil
	})
	if rep, err := Decide(context.Background(), ok, req); err != nil || rep.Status != StatusOK || rep.UserID != "admin" {
		t.Fatalf("ok: %+v %v", rep, err)
	}
	failing := HandlerFunc(func(context.Context, *Request) (*Reply, error) { return nil, errors.New("db down") })
	if rep, err := Decide(context.Background(), failing, req); err != nil || rep.Status != StatusInternal {
		t.Fatalf("failing handler: %+v %v, want a 500 reply", rep, err)
	}
	malformed := RemoteHandler(ExchangerFunc(func(context.Context, [][]byte) ([][]byte, error) {
		return frames("1.0", "1", "200"), nil
	}))
	if _, err := Decide(context.Background(), malformed, req); !errors.Is(err, ErrMalformedReply) {
		t.Fatalf("malformed reply: %v", err)
	}
	otherID := RemoteHandler(ExchangerFunc(func(context.Context, [][]byte) ([][]byte, error) {
		return frames("1.0", "99", "200", "", "", ""), nil
	}))
	if _, err := Decide(context.Background(), otherID, req); !errors.Is(err, ErrRequestID) {
		t.Fatalf("other request id: %v", err)
	}
	badStatus := HandlerFunc(func(context.Context, *Request) (*Reply, error) { return &Reply{Status: 201}, nil })
	if _, err := Decide(context.Background(), badStatus, req); !errors.Is(err, ErrMalformedReply) {
		t.Fatalf("bad status: %v", err)
	}
	stuck := make(chan struct{})
	defer close(stuck)
	ignoring := HandlerFunc(func(context.Context, *Request) (*Reply, error) { <-stuck; return nil, nil })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Decide(ctx, ignoring, req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("handler ignoring ctx: %v", err)
	}
	// Resolve still answers for all of them.
	if rep := Resolve(context.Background(), malformed, req); rep.Status != StatusInternal {
		t.Fatalf("Resolve of a malformed reply: %v", rep.Status)
	}
	var se *StatusError
	if err := NewReply(req, StatusTemporary, "later").Err(); !errors.As(err, &se) || se.ZAPStatus() != 300 {
		t.Fatalf("ZAPStatus: %v", err)
	}
}
