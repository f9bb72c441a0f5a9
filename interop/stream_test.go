package interop

import (
	"bytes"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// streamNote receives from s until an empty data frame (a connect or
// disconnect notification) and returns its routing id; data must not come first.
func streamNote(t *testing.T, s side, who string) []byte {
	t.Helper()
	m, ok := s.recv(t, wait)
	if !ok {
		t.Fatalf("%s: no notification", who)
	}
	if len(m) != 2 || len(m[1]) != 0 {
		t.Fatalf("%s: got %q, want [id, \"\"]", who, m)
	}
	return m[0]
}

// streamData receives [id, data] messages from s until want arrived whole
// (a raw stream may cut it anywhere) and checks they came from id.
func streamData(t *testing.T, s side, who string, id []byte, want string) {
	t.Helper()
	var got []byte
	for len(got) < len(want) {
		m, ok := s.recv(t, wait)
		if !ok {
			t.Fatalf("%s: got %q of %q", who, got, want)
		}
		if len(m) != 2 || !bytes.Equal(m[0], id) || len(m[1]) == 0 {
			t.Fatalf("%s: got %q, want data from %x", who, m, id)
		}
		got = append(got, m[1]...)
	}
	if string(got) != want {
		t.Fatalf("%s: got %q, want %q", who, got, want)
	}
}

// TestPyStreamBindOurs: a libzmq STREAM connects to our STREAM. Both sides
// see the connect notification, raw bytes flow both ways, and our
// [id, ""] closes the connection, which libzmq reports as a disconnect and
// then reconnects (a new peer to us).
func TestPyStreamBindOurs(t *testing.T) {
	testpeer.Python(t)
	s := newOurs(t, "STREAM")
	ep := ourBind(t, s, "tcp://")
	py := theirs{testpeer.StartPy(t, testpeer.PyOptions{Type: "STREAM", Connect: []string{ep}})}
	us := ours{s}
	ourID := streamNote(t, us, "ours")
	theirID := streamNote(t, py, "libzmq")
	py.send(t, theirID, b("hello from libzmq"))
	streamData(t, us, "ours", ourID, "hello from libzmq")
	us.send(t, ourID, b("hello from purezmq"))
	streamData(t, py, "libzmq", theirID, "hello from purezmq")
	us.send(t, ourID, nil)
	if id := streamNote(t, py, "libzmq disconnect"); !bytes.Equal(id, theirID) {
		t.Fatalf("libzmq disconnect for %x, want %x", id, theirID)
	}
	// libzmq's connect side comes back; we see a new peer.
	if id := streamNote(t, us, "ours reconnect"); bytes.Equal(id, ourID) {
		t.Fatalf("reconnected peer kept the closed id %x", id)
	}
}

// TestPyStreamConnectOurs: our STREAM connects to a libzmq STREAM with a
// routing id of our choosing; libzmq closing the peer is a disconnect
// notification to us, after which our endpoint reconnects under that id.
func TestPyStreamConnectOurs(t *testing.T) {
	testpeer.Python(t)
	pyp := testpeer.StartPy(t, testpeer.PyOptions{Type: "STREAM", Bind: []string{"tcp://127.0.0.1:*"}})
	py := theirs{pyp}
	s := newOurs(t, "STREAM", socket.WithReconnectInterval(20*time.Millisecond))
	if err := s.ConnectWithRoutingID(pyp.Endpoint(), b("lz")); err != nil {
		t.Fatal(err)
	}
	us := ours{s}
	if id := streamNote(t, us, "ours"); string(id) != "lz" {
		t.Fatalf("our connect notification for %q, want lz", id)
	}
	theirID := streamNote(t, py, "libzmq")
	us.send(t, b("lz"), b("ping"))
	streamData(t, py, "libzmq", theirID, "ping")
	py.send(t, theirID, b("pong"))
	streamData(t, us, "ours", b("lz"), "pong")
	early, gotEarly := pyClose(t, py, theirID)
	if id := streamNote(t, us, "ours disconnect"); string(id) != "lz" {
		t.Fatalf("disconnect for %q, want lz", id)
	}
	if id := streamNote(t, us, "ours reconnect"); string(id) != "lz" {
		t.Fatalf("reconnect for %q, want lz", id)
	}
	if gotEarly {
		// Our reconnection reached libzmq during the close's poll.
		if len(early) != 2 || len(early[1]) != 0 {
			t.Fatalf("libzmq got %q, want a connect notification", early)
		}
		theirID = early[0]
	} else {
		theirID = streamNote(t, py, "libzmq reconnect")
	}
	us.send(t, b("lz"), b("again"))
	streamData(t, py, "libzmq", theirID, "again")
}

// TestPyStreamNotifyOff: with STREAM_NOTIFY off on our side, the first
// message we receive from a libzmq STREAM is its data, and its leaving is
// not announced.
func TestPyStreamNotifyOff(t *testing.T) {
	testpeer.Python(t)
	s := newOurs(t, "STREAM", socket.WithStreamNotify(false))
	ep := ourBind(t, s, "tcp://")
	py := theirs{testpeer.StartPy(t, testpeer.PyOptions{Type: "STREAM", Connect: []string{ep}})}
	us := ours{s}
	theirID := streamNote(t, py, "libzmq")
	py.send(t, theirID, b("data first"))
	m, ok := us.recv(t, wait)
	if !ok || len(m) != 2 || len(m[1]) == 0 {
		t.Fatalf("first message %q, want data", m)
	}
	ourID := m[0]
	if !bytes.HasPrefix(b("data first"), m[1]) {
		t.Fatalf("got %q", m[1])
	}
	us.send(t, ourID, b("reply"))
	streamData(t, py, "libzmq", theirID, "reply")
	if m, ok := pyClose(t, py, theirID); ok { // its endpoint is done
		t.Fatalf("libzmq received %q after closing", m)
	}
	deadline := time.Now().Add(wait)
	for s.Stats().Peers != 0 {
		if time.Now().After(deadline) {
			t.Fatal("peer never left")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		m, ok := us.recv(t, 100*time.Millisecond)
		if !ok {
			break
		}
		if len(m) != 2 || len(m[1]) == 0 {
			t.Fatalf("got %q after the peer left, want nothing (notifications off)", m)
		}
	}
}

// pyClose has libzmq close its STREAM peer id. libzmq acts on the close
// only when the application next enters the socket (it is a command to the
// socket's own thread), so the driver is made to poll once after it.
// What that poll received, if anything, is returned.
func pyClose(t *testing.T, py theirs, id []byte) ([][]byte, bool) {
	t.Helper()
	py.send(t, id, nil)
	return py.recv(t, 100*time.Millisecond)
}
