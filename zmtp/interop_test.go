package zmtp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// Interop against real libzmq 4.3.4 through pyzmq. Skips locally when pyzmq is
// missing; fails in CI (PUREZMQ_INTEROP=required), as testpeer decides.

const pyTimeout = 10 * time.Second

// listenOne accepts one connection on a loopback listener and handshakes it.
type accepted struct {
	c   *Conn
	err error
}

func listenOne(t *testing.T, cfg Config) (endpoint string, result <-chan accepted) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan accepted, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ln.Close()
		nc, err := ln.Accept()
		if err != nil {
			ch <- accepted{nil, err}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), pyTimeout)
		defer cancel()
		c, err := Handshake(ctx, nc, cfg)
		ch <- accepted{c, err}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done // the handshake is bounded by its context
		select {
		case a := <-ch: // never collected by waitAccepted
			if a.c != nil {
				a.c.Close()
			}
		default:
		}
	})
	return "tcp://" + ln.Addr().String(), ch
}

// waitAccepted waits for the handshake of listenOne.
func waitAccepted(t *testing.T, ch <-chan accepted) (*Conn, error) {
	t.Helper()
	select {
	case a := <-ch:
		c := a.c
		if c != nil {
			t.Cleanup(func() { c.Close() })
		}
		return a.c, a.err
	case <-time.After(pyTimeout):
		t.Fatal("no connection from the pyzmq peer")
	}
	return nil, nil
}

func dialPy(t *testing.T, p *testpeer.Py, cfg Config) (*Conn, error) {
	t.Helper()
	addr := strings.TrimPrefix(p.Endpoint(), "tcp://")
	nc, err := net.DialTimeout("tcp", addr, pyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pyTimeout)
	defer cancel()
	c, err := Handshake(ctx, nc, cfg)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// interopMessages are the payload shapes every interop case exchanges.
func interopMessages() [][][]byte {
	return [][][]byte{
		{{}},
		{bytes.Repeat([]byte("a"), 255)},
		{bytes.Repeat([]byte("b"), 256)},
		{bytes.Repeat([]byte("c"), 1<<20)},
		{[]byte("multi"), {}, bytes.Repeat([]byte("d"), 300), []byte("part")},
	}
}

// readData reads the next message, failing on commands.
func readData(t *testing.T, c *Conn) [][]byte {
	t.Helper()
	c.NetConn().SetReadDeadline(time.Now().Add(pyTimeout))
	defer c.NetConn().SetReadDeadline(time.Time{})
	msg, cmd, err := c.ReadMessage()
	if err != nil || cmd.Name != "" {
		t.Fatalf("ReadMessage: %v (cmd %q)", err, cmd.Name)
	}
	return msg
}

func pyRecv(t *testing.T, p *testpeer.Py) [][]byte {
	t.Helper()
	m, err := p.Recv(pyTimeout)
	if err != nil {
		t.Fatalf("pyzmq recv: %v", err)
	}
	return m
}

func TestInteropPyDealerToUs(t *testing.T) {
	for _, mech := range []string{"NULL", "PLAIN"} {
		t.Run(mech, func(t *testing.T) {
			cfg := Config{SocketType: "ROUTER"}
			opts := testpeer.PyOptions{Type: "DEALER", Identity: testpeer.Str("id1")}
			if mech == "PLAIN" {
				cfg.Security = Security{Mechanism: "PLAIN", Server: true, Authenticate: plainUsers(map[string]string{"u": "p"})}
				opts.PlainUser, opts.PlainPass = "u", "p"
			}
			ep, ch := listenOne(t, cfg)
			opts.Connect = []string{ep}
			p := testpeer.StartPy(t, opts)
			c, err := waitAccepted(t, ch)
			if err != nil {
				t.Fatal(err)
			}
			if c.PeerSocketType() != "DEALER" || string(c.PeerIdentity()) != "id1" {
				t.Fatalf("peer %q %q", c.PeerSocketType(), c.PeerIdentity())
			}
			if maj, min := c.Version(); maj != 3 || min < 0 {
				t.Fatalf("version %d.%d", maj, min)
			}
			if mech == "PLAIN" && c.UserID() != "user:u" {
				t.Fatalf("user id %q", c.UserID())
			}
			for i, m := range interopMessages() {
				if err := p.Send(m...); err != nil {
					t.Fatal(err)
				}
				if got := readData(t, c); !slices.EqualFunc(got, m, bytes.Equal) {
					t.Fatalf("py->us message %d differs", i)
				}
				send(t, c, m...)
				if got := pyRecv(t, p); !slices.EqualFunc(got, m, bytes.Equal) {
					t.Fatalf("us->py message %d differs", i)
				}
			}
		})
	}
}

func TestInteropPyPushToUs(t *testing.T) {
	ep, ch := listenOne(t, Config{SocketType: "PULL"})
	p := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}})
	c, err := waitAccepted(t, ch)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range interopMessages() {
		if err := p.Send(m...); err != nil {
			t.Fatal(err)
		}
		if got := readData(t, c); !slices.EqualFunc(got, m, bytes.Equal) {
			t.Fatalf("message %d differs", i)
		}
	}
}

func TestInteropPySubToUs(t *testing.T) {
	ep, ch := listenOne(t, Config{SocketType: "PUB"})
	p := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"top"}})
	c, err := waitAccepted(t, ch)
	if err != nil {
		t.Fatal(err)
	}
	readCmd := func() Command {
		t.Helper()
		c.NetConn().SetReadDeadline(time.Now().Add(pyTimeout))
		defer c.NetConn().SetReadDeadline(time.Time{})
		msg, cmd, err := c.ReadMessage()
		if err != nil || msg != nil {
			t.Fatalf("ReadMessage: %v %q", err, msg)
		}
		return cmd
	}
	if cmd := readCmd(); cmd.Name != CmdSubscribe || string(cmd.Body) != "top" {
		t.Fatalf("got %q %q", cmd.Name, cmd.Body)
	}
	send(t, c, []byte("top: 1"), []byte("more"))
	if got := pyRecv(t, p); !slices.EqualFunc(got, [][]byte{[]byte("top: 1"), []byte("more")}, bytes.Equal) {
		t.Fatalf("got %q", got)
	}
	if err := p.Unsubscribe([]byte("top")); err != nil {
		t.Fatal(err)
	}
	if cmd := readCmd(); cmd.Name != CmdCancel || string(cmd.Body) != "top" {
		t.Fatalf("got %q %q", cmd.Name, cmd.Body)
	}
}

func TestInteropUsToPyRouter(t *testing.T) {
	for _, mech := range []string{"NULL", "PLAIN"} {
		t.Run(mech, func(t *testing.T) {
			opts := testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}}
			cfg := Config{SocketType: "DEALER", Identity: []byte("go-dealer")}
			if mech == "PLAIN" {
				opts.PlainServer, opts.PlainUsers = true, map[string]string{"u": "p"}
				cfg.Security = Security{Mechanism: "PLAIN", Username: "u", Password: "p"}
			}
			p := testpeer.StartPy(t, opts)
			c, err := dialPy(t, p, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c.PeerSocketType() != "ROUTER" {
				t.Fatalf("peer type %q", c.PeerSocketType())
			}
			for i, m := range interopMessages() {
				send(t, c, m...)
				got := pyRecv(t, p)
				// ROUTER prefixes the routing id: libzmq took our Identity property.
				if len(got) != len(m)+1 || string(got[0]) != "go-dealer" || !slices.EqualFunc(got[1:], m, bytes.Equal) {
					t.Fatalf("message %d: %d frames, id %q", i, len(got), got[0])
				}
				if err := p.Send(append([][]byte{[]byte("go-dealer")}, m...)...); err != nil {
					t.Fatal(err)
				}
				if got := readData(t, c); !slices.EqualFunc(got, m, bytes.Equal) {
					t.Fatalf("reply %d differs", i)
				}
			}
		})
	}
}

func TestInteropUsToPyPull(t *testing.T) {
	p := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
	c, err := dialPy(t, p, Config{SocketType: "PUSH"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range interopMessages() {
		if err := c.WriteMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	for i, m := range interopMessages() {
		if got := pyRecv(t, p); !slices.EqualFunc(got, m, bytes.Equal) {
			t.Fatalf("message %d differs", i)
		}
	}
}

func TestInteropPlainRejected(t *testing.T) {
	t.Run("py server", func(t *testing.T) {
		p := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"},
			PlainServer: true, PlainUsers: map[string]string{"u": "p"}})
		_, err := dialPy(t, p, Config{SocketType: "DEALER", Security: Security{Mechanism: "PLAIN", Username: "u", Password: "wrong"}})
		var pe *PeerError
		if !errors.As(err, &pe) {
			t.Fatalf("got %v, want *PeerError", err)
		}
		t.Logf("libzmq's reason: %q", pe.Reason)
	})
	t.Run("py client", func(t *testing.T) {
		ep, ch := listenOne(t, Config{SocketType: "ROUTER",
			Security: Security{Mechanism: "PLAIN", Server: true, Authenticate: plainUsers(map[string]string{"u": "p"})}})
		testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, PlainUser: "u", PlainPass: "wrong"})
		if _, err := waitAccepted(t, ch); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("incompatible", func(t *testing.T) {
		p := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
		_, err := dialPy(t, p, Config{SocketType: "PUB"})
		// libzmq refuses by closing before its READY, so EOF is as good as
		// our own IncompatibleSocketTypeError here.
		if err == nil {
			t.Fatal("PUB-PULL accepted")
		}
		t.Logf("refused with %v", err)
	})
}

func TestInteropHeartbeats(t *testing.T) {
	// libzmq PINGs us every 50 ms and drops the connection if no PONG (or
	// other traffic) comes back within 300 ms; ReadMessage must answer.
	ep, ch := listenOne(t, Config{SocketType: "PULL"})
	p := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep},
		Extra: []string{"--opt", "HEARTBEAT_IVL=50", "--opt", "HEARTBEAT_TIMEOUT=300", "--opt", "HEARTBEAT_TTL=1000"}})
	c, err := waitAccepted(t, ch)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(time.Second)
		p.Send([]byte("still here"))
	}()
	if got := readData(t, c); string(got[0]) != "still here" {
		t.Fatalf("got %q", got)
	}
}

// A libzmq client through a server whose handshake asks ZAP: the handler
// sees libzmq's credentials and our connection reports the handler's user
// id and metadata (what the socket layer attaches to received messages).
func TestInteropZAPUserIDAndMetadata(t *testing.T) {
	for _, mech := range []string{"NULL", "PLAIN"} {
		t.Run(mech, func(t *testing.T) {
			var asked *AuthRequest
			zap := func(_ context.Context, req *AuthRequest) (*AuthResult, error) {
				asked = req
				return &AuthResult{UserID: "user-" + mech, Metadata: Metadata{{Name: "X-Role", Value: []byte("reader")}}}, nil
			}
			cfg := Config{SocketType: "PULL", Security: Security{ZAP: zap}}
			opts := testpeer.PyOptions{Type: "PUSH"}
			if mech == "PLAIN" {
				cfg.Security.Mechanism, cfg.Security.Server = "PLAIN", true
				opts.PlainUser, opts.PlainPass = "alice", "pw"
			}
			ep, ch := listenOne(t, cfg)
			opts.Connect = []string{ep}
			p := testpeer.StartPy(t, opts)
			c, err := waitAccepted(t, ch)
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if c.UserID() != "user-"+mech || c.AuthMetadata().Get("X-Role") != "reader" {
				t.Fatalf("user id %q, metadata %v", c.UserID(), c.AuthMetadata())
			}
			if asked.Mechanism != mech || (mech == "PLAIN" && (string(asked.Credentials[0]) != "alice" || string(asked.Credentials[1]) != "pw")) {
				t.Fatalf("handler asked %+v", asked)
			}
			if err := p.Send([]byte("authenticated")); err != nil {
				t.Fatal(err)
			}
			if m := readData(t, c); len(m) != 1 || string(m[0]) != "authenticated" {
				t.Fatalf("read %q", m)
			}
		})
	}
}
