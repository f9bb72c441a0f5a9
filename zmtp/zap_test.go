package zmtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// zapStatus is a refusal with a ZAP status code, as auth.StatusError is.
type zapStatus int

func (s zapStatus) Error() string  { return fmt.Sprintf("ZAP status %d", int(s)) }
func (s zapStatus) ZAPStatus() int { return int(s) }

// zapSpy is a Security.ZAP that records what it was asked.
type zapSpy struct {
	mu     sync.Mutex
	reqs   []AuthRequest
	answer func(ctx context.Context, req *AuthRequest) (*AuthResult, error)
}

func (z *zapSpy) fn(ctx context.Context, req *AuthRequest) (*AuthResult, error) {
	z.mu.Lock()
	z.reqs = append(z.reqs, *req)
	z.mu.Unlock()
	return z.answer(ctx, req)
}

func (z *zapSpy) asked() []AuthRequest {
	z.mu.Lock()
	defer z.mu.Unlock()
	return append([]AuthRequest(nil), z.reqs...)
}

// zapCase is one mechanism with a server consulting ZAP.
type zapCase struct {
	mech           string
	client, server Security
	creds          [][]byte // what the handler must see
}

func zapCases(t *testing.T) []zapCase {
	k := newCurveKeys(t)
	return []zapCase{
		{"NULL", Security{}, Security{}, nil},
		{"PLAIN", Security{Mechanism: "PLAIN", Username: "alice", Password: "pw"},
			Security{Mechanism: "PLAIN", Server: true}, [][]byte{[]byte("alice"), []byte("pw")}},
		{"CURVE", k.client(), Security{Mechanism: "CURVE", Server: true, CurveSecretKey: k.sSec}, [][]byte{k.cPub[:]}},
	}
}

// zapHandshake runs a DEALER client against a ROUTER server whose handshake
// asks spy, over tcp.
func zapHandshake(t *testing.T, tc zapCase, spy *zapSpy, timeout time.Duration) (cli, srv hsResult) {
	t.Helper()
	tc.server.ZAP = spy.fn
	a, b := tcpPair(t)
	return handshakeBoth(t, a, b,
		Config{SocketType: "DEALER", Security: tc.client, HandshakeTimeout: timeout},
		Config{SocketType: "ROUTER", Security: tc.server, HandshakeTimeout: timeout})
}

func TestZAPAccepts(t *testing.T) {
	for _, tc := range zapCases(t) {
		t.Run(tc.mech, func(t *testing.T) {
			spy := &zapSpy{answer: func(context.Context, *AuthRequest) (*AuthResult, error) {
				return &AuthResult{UserID: "user-" + tc.mech, Metadata: Metadata{{Name: "Role", Value: []byte("admin")}}}, nil
			}}
			rc, rs := zapHandshake(t, tc, spy, 0)
			if rc.err != nil || rs.err != nil {
				t.Fatalf("handshake: %v / %v", rc.err, rs.err)
			}
			if rs.c.UserID() != "user-"+tc.mech || rs.c.AuthMetadata().Get("Role") != "admin" {
				t.Fatalf("server sees user %q metadata %v", rs.c.UserID(), rs.c.AuthMetadata())
			}
			if rc.c.UserID() != "" || rc.c.AuthMetadata() != nil {
				t.Fatalf("client sees user %q metadata %v", rc.c.UserID(), rc.c.AuthMetadata())
			}
			asked := spy.asked()
			if len(asked) != 1 || asked[0].Mechanism != tc.mech || fmt.Sprint(asked[0].Credentials) != fmt.Sprint(tc.creds) {
				t.Fatalf("handler asked %+v", asked)
			}
			if a, ok := asked[0].Remote.(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
				t.Fatalf("remote %v", asked[0].Remote)
			}
			// Traffic flows both ways afterwards.
			send(t, rc.c, []byte("hello"))
			if m, _, err := rs.c.ReadMessage(); err != nil || len(m) != 1 || string(m[0]) != "hello" {
				t.Fatalf("read %q %v", m, err)
			}
		})
	}
}

// 400 and 500 reach the client as ERROR with the code; 300 closes silently.
func TestZAPRefuses(t *testing.T) {
	for _, tc := range zapCases(t) {
		for _, code := range []int{300, 400, 500} {
			t.Run(fmt.Sprint(tc.mech, code), func(t *testing.T) {
				spy := &zapSpy{answer: func(context.Context, *AuthRequest) (*AuthResult, error) {
					return nil, zapStatus(code)
				}}
				rc, rs := zapHandshake(t, tc, spy, 5*time.Second)
				if !errors.Is(rs.err, ErrAuthFailed) || !errors.Is(rs.err, zapStatus(code)) {
					t.Fatalf("server: %v", rs.err)
				}
				var pe *PeerError
				gotError := errors.As(rc.err, &pe)
				switch {
				case rc.err == nil:
					t.Fatal("client got in")
				case code == 300 && gotError:
					t.Fatalf("300 sent ERROR %q", pe.Reason)
				case code != 300 && (!gotError || pe.Reason != fmt.Sprint(code)):
					t.Fatalf("client: %v, want ERROR %d", rc.err, code)
				}
			})
		}
	}
}

// A handler that fails without deciding (a malformed reply from a socket
// handler) closes the connection without ERROR and with a typed error.
func TestZAPHandlerFails(t *testing.T) {
	broken := errors.New("malformed ZAP reply")
	for _, tc := range zapCases(t) {
		t.Run(tc.mech, func(t *testing.T) {
			spy := &zapSpy{answer: func(context.Context, *AuthRequest) (*AuthResult, error) { return nil, broken }}
			rc, rs := zapHandshake(t, tc, spy, 5*time.Second)
			if !errors.Is(rs.err, ErrAuthHandler) || !errors.Is(rs.err, broken) || errors.Is(rs.err, ErrAuthFailed) {
				t.Fatalf("server: %v", rs.err)
			}
			var pe *PeerError
			if rc.err == nil || errors.As(rc.err, &pe) {
				t.Fatalf("client: %v", rc.err)
			}
		})
	}
}

// A handler that never answers is bounded by the handshake timeout.
func TestZAPHandlerNeverAnswers(t *testing.T) {
	for _, tc := range zapCases(t) {
		t.Run(tc.mech, func(t *testing.T) {
			spy := &zapSpy{answer: func(ctx context.Context, _ *AuthRequest) (*AuthResult, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			}}
			start := time.Now()
			_, rs := zapHandshake(t, tc, spy, 300*time.Millisecond)
			if !errors.Is(rs.err, ErrHandshakeTimeout) {
				t.Fatalf("server: %v", rs.err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

// Both NULL sides consulting ZAP do not wait for each other's READY.
func TestZAPNullBothSides(t *testing.T) {
	spy := &zapSpy{answer: func(context.Context, *AuthRequest) (*AuthResult, error) { return &AuthResult{UserID: "x"}, nil }}
	a, b := tcpPair(t)
	sec := Security{ZAP: spy.fn}
	ra, rb := handshakeBoth(t, a, b, Config{SocketType: "PAIR", Security: sec}, Config{SocketType: "PAIR", Security: sec})
	if ra.err != nil || rb.err != nil || ra.c.UserID() != "x" || rb.c.UserID() != "x" || len(spy.asked()) != 2 {
		t.Fatalf("%v / %v, asked %d", ra.err, rb.err, len(spy.asked()))
	}
}

// Without ZAP nor Authenticate a PLAIN server is a configuration error.
func TestPlainServerNeedsAuthenticator(t *testing.T) {
	if _, err := NewMechanism(Config{SocketType: "PULL", Security: Security{Mechanism: "PLAIN", Server: true}}); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("%v", err)
	}
}
