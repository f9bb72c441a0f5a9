package socket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newSock makes a socket closed when the test ends.
func newSock(t testing.TB, typ Type, opts ...Option) *Socket {
	t.Helper()
	s, err := New(typ, opts...)
	if err != nil {
		t.Fatalf("New(%v): %v", typ, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var epSeq atomic.Uint64

// endpointFor returns a fresh endpoint to bind for a transport.
func endpointFor(t testing.TB, transport string) string {
	switch transport {
	case "inproc":
		return fmt.Sprintf("inproc://test-%s-%d", t.Name(), epSeq.Add(1))
	case "tcp":
		return "tcp://127.0.0.1:0"
	case "ipc":
		return fmt.Sprintf("ipc://%s/s%d", t.TempDir(), epSeq.Add(1))
	}
	t.Fatalf("unknown transport %s", transport)
	return ""
}

// bindAt binds s to a fresh endpoint and returns the endpoint to connect to.
func bindAt(t testing.TB, s *Socket, transport string) string {
	t.Helper()
	ep := endpointFor(t, transport)
	if err := s.Bind(ep); err != nil {
		t.Fatalf("Bind(%s): %v", ep, err)
	}
	eps := s.Endpoints()
	return eps[len(eps)-1]
}

func connectTo(t testing.TB, s *Socket, ep string) {
	t.Helper()
	if err := s.Connect(ep); err != nil {
		t.Fatalf("Connect(%s): %v", ep, err)
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func send(t testing.TB, s *Socket, frames ...string) {
	t.Helper()
	m := Msg{}
	for _, f := range frames {
		m.Frames = append(m.Frames, []byte(f))
	}
	if err := s.Send(ctxT(t, 5*time.Second), m); err != nil {
		t.Fatalf("%v Send(%q): %v", s.Type(), frames, err)
	}
}

func recv(t testing.TB, s *Socket) []string {
	t.Helper()
	m, err := s.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatalf("%v Recv: %v", s.Type(), err)
	}
	return strs(m)
}

func strs(m Msg) []string {
	out := make([]string, len(m.Frames))
	for i, f := range m.Frames {
		out[i] = string(f)
	}
	return out
}

func expect(t testing.TB, s *Socket, want ...string) {
	t.Helper()
	got := recv(t, s)
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Fatalf("%v received %q, want %q", s.Type(), got, want)
	}
}

// expectNothing checks that nothing arrives within d.
func expectNothing(t testing.TB, s *Socket, d time.Duration) {
	t.Helper()
	m, err := s.Recv(ctxT(t, d))
	if err == nil {
		t.Fatalf("%v received %q, want nothing", s.Type(), strs(m))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v Recv: %v, want deadline", s.Type(), err)
	}
}

// waitFor polls cond until it holds or fails the test after d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitEvent reads the monitor until an event of kind arrives.
func waitEvent(t testing.TB, s *Socket, kind EventKind, d time.Duration) Event {
	t.Helper()
	timer := time.NewTimer(d)
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
			t.Fatalf("no %v event within %v", kind, d)
		}
	}
}

var transports = []string{"inproc", "tcp", "ipc"}

// sync subscribers: publish until the subscriber sees a message, so a test
// does not depend on how long subscriptions take to travel.
func syncSub(t testing.TB, pub, sub *Socket, topic string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if err := pub.Send(context.Background(), NewMsg([]byte(topic))); err != nil {
			t.Fatal(err)
		}
		m, err := sub.Recv(ctxT(t, 20*time.Millisecond))
		if err == nil {
			if !bytes.Equal(m.Frames[0], []byte(topic)) {
				t.Fatalf("sync got %q", strs(m))
			}
			// drain further sync messages
			for {
				if _, err := sub.TryRecv(); err != nil {
					return
				}
			}
		}
	}
	t.Fatal("subscription never took effect")
}
