package auth

import (
	"context"
	"errors"
	"net"
	"testing"
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
