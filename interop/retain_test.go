package interop

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// Retention (ZeroMQ 2.x durable identities) against libzmq 4.3 peers, which
// know nothing about it: to them a restarted peer is a fresh connection that
// happens to receive a backlog first.

// awaitEvent reads s's monitor until an event of kind arrives.
func awaitEvent(t *testing.T, s *socket.Socket, kind socket.EventKind) socket.Event {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-s.Monitor():
			if !ok {
				t.Fatalf("monitor closed before %v", kind)
			}
			if e.Kind == kind {
				return e
			}
		case <-timer.C:
			t.Fatalf("no %v event within %v", kind, wait)
		}
	}
}

// expectQuiet checks that a libzmq peer receives nothing more.
func expectQuiet(t *testing.T, p *testpeer.Py) {
	t.Helper()
	m, err := p.Recv(200 * time.Millisecond)
	if err == nil {
		t.Fatalf("libzmq peer received %q, want nothing more", m)
	}
	if !errors.Is(err, testpeer.ErrTimeout) {
		t.Fatal(err)
	}
}

func TestPyRetainedDealer(t *testing.T) {
	testpeer.Python(t)
	for _, how := range []string{"kill", "close"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			router := newOurs(t, "ROUTER", socket.WithRetention(socket.Retention{TTL: time.Minute}),
				socket.WithRouterMandatory(true))
			ep := ourBind(t, router, "tcp://127.0.0.1:*")
			py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep},
				Identity: testpeer.Str("dealer-1")})
			theirs{py}.send(t, b("hello"))
			mustRecv(t, ours{router}, "dealer-1", "hello")
			ours{router}.send(t, b("dealer-1"), b("welcome"))
			mustRecv(t, theirs{py}, "welcome")
			if how == "kill" {
				py.Kill()
			} else if err := py.Close(); err != nil {
				t.Fatal(err)
			}
			if e := awaitEvent(t, router, socket.EventRetained); e.Peer != "dealer-1" {
				t.Fatalf("retained under %q", e.Peer)
			}
			const n = 20
			for i := 0; i < n; i++ {
				// Mandatory routing: the departed identity is still routable.
				ours{router}.send(t, b("dealer-1"), b(fmt.Sprint("away ", i)))
			}
			if st := router.Stats(); st.Dropped != 0 || st.Queued != n || st.Retained != 1 {
				t.Fatalf("dropped %d queued %d retained %d, want 0, %d, 1", st.Dropped, st.Queued, st.Retained, n)
			}
			py2 := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep},
				Identity: testpeer.Str("dealer-1")})
			for i := 0; i < n; i++ {
				mustRecv(t, theirs{py2}, fmt.Sprint("away ", i))
			}
			expectQuiet(t, py2)
			theirs{py2}.send(t, b("back"))
			mustRecv(t, ours{router}, "dealer-1", "back")
			ours{router}.send(t, b("dealer-1"), b("live"))
			mustRecv(t, theirs{py2}, "live")
			expectQuiet(t, py2)
		})
	}
}

// TestPyRetainedPlainSub: a libzmq SUB sends no identity, so it is retained
// by the PLAIN user it authenticated as.
func TestPyRetainedPlainSub(t *testing.T) {
	testpeer.Python(t)
	auth := func(user, pass string) (string, error) {
		if user == "alice" && pass == "secret" {
			return user, nil
		}
		return "", errors.New("unknown user")
	}
	pub := newOurs(t, "PUB", socket.WithPlainServer(auth),
		socket.WithRetention(socket.Retention{KeyBy: socket.KeyUser}))
	ep := ourBind(t, pub, "tcp://127.0.0.1:*")
	startSub := func() *testpeer.Py {
		return testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep},
			Subscribe: []string{""}, PlainUser: "alice", PlainPass: "secret"})
	}
	py := startSub()
	syncSub(t, ours{pub}, theirs{py}, "t")
	py.Kill()
	if e := awaitEvent(t, pub, socket.EventRetained); e.Peer != "alice" {
		t.Fatalf("retained under %q, want the PLAIN user", e.Peer)
	}
	const n = 10
	for i := 0; i < n; i++ {
		ours{pub}.send(t, b(fmt.Sprint("update ", i)))
	}
	py2 := startSub()
	for i := 0; i < n; i++ {
		mustRecv(t, theirs{py2}, fmt.Sprint("update ", i))
	}
	expectQuiet(t, py2)
	ours{pub}.send(t, b("live"))
	mustRecv(t, theirs{py2}, "live")
	if st := pub.Stats(); st.Dropped != 0 || st.Retained != 0 {
		t.Fatalf("dropped %d retained %d, want 0 and 0", st.Dropped, st.Retained)
	}
}
