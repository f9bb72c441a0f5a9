package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// The case: 50,000 messages queued to a slow pyzmq PULL, Close
// with the default linger (1 s). What linger could not deliver is counted:
// Close returns a LingerError with the number, Stats and the monitor agree,
// and what the PULL received plus what was discarded is what was sent.
func TestLingerDiscardToSlowPyzmqPull(t *testing.T) {
	py := testpeer.Python(t)
	cmd := exec.Command(py, filepath.Join(testpeer.RepoRoot(), "interop", "peers", "slowpull.py"),
		"--delay", "0.0002", "--idle", "2", "--rcvhwm", "100")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	var ready struct{ Endpoint string }
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &ready) != nil {
		t.Fatalf("slowpull.py did not start: %s", stderr.String())
	}

	const sent = 50000
	push, err := socket.New(socket.Push, socket.WithSendHWM(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := push.Connect(ready.Endpoint); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 1024)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < sent; i++ {
		if err := push.Send(ctx, socket.NewMsg(body)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	err = push.Close()
	took := time.Since(start)
	var le *socket.LingerError
	if !errors.As(err, &le) || !errors.Is(err, socket.ErrLingerDiscard) {
		t.Fatalf("Close: %v, want a LingerError (a slow peer cannot take %d messages in 1 s)", err, sent)
	}
	if le.Linger != socket.DefaultLinger || le.Discarded == 0 {
		t.Fatalf("LingerError %+v", le)
	}
	if st := push.Stats(); st.LingerDropped != le.Discarded {
		t.Fatalf("Stats.LingerDropped %d, Close said %d", st.LingerDropped, le.Discarded)
	}
	seen := false
	for e := range push.Monitor() {
		seen = seen || (e.Kind == socket.EventLingerDiscarded && errors.Is(e.Err, socket.ErrLingerDiscard))
	}
	if !seen {
		t.Fatal("no LINGER_DISCARDED event")
	}
	var done struct{ Received int }
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &done) != nil {
		t.Fatalf("slowpull.py gave no count: %s", stderr.String())
	}
	t.Logf("sent %d, pyzmq PULL received %d, Close (after %v) discarded %d: %v", sent, done.Received, took.Round(time.Millisecond), le.Discarded, err)
	if total := uint64(done.Received) + le.Discarded; total < sent || total > sent+1 {
		t.Fatalf("received %d + discarded %d = %d, want %d (or one more)", done.Received, le.Discarded, total, sent)
	}
}

// A REQ connected to a libzmq PUB by mistake: libzmq hangs up after our
// READY, and the handshake failure says so instead of "unexpected EOF".
func TestHandshakeErrorReqToPyzmqPub(t *testing.T) {
	testpeer.Python(t)
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
	req, err := socket.New(socket.Req, socket.WithReconnectInterval(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer req.Close()
	if err := req.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	e := waitKind(t, req, socket.EventHandshakeFailed, 10*time.Second)
	var pc *zmtp.PeerClosedError
	if !errors.As(e.Err, &pc) || !errors.Is(e.Err, zmtp.ErrPeerClosedHandshake) {
		t.Fatalf("handshake failure %v, want a PeerClosedError", e.Err)
	}
	if pc.After != "READY" || pc.SocketType != "REQ" ||
		!strings.Contains(e.Err.Error(), "after our READY (socket type REQ; a socket-type mismatch or a refusal") {
		t.Fatalf("error %q (%+v)", e.Err, pc)
	}
	t.Logf("REQ to pyzmq PUB: %v", e.Err)
}

// A retaining PUB with a libzmq SUB that set IDENTITY: libzmq does not send
// a SUB's identity, so the PUB cannot key it, and says so.
func TestRetentionNoKeyPyzmqSub(t *testing.T) {
	testpeer.Python(t)
	pub, err := socket.New(socket.Pub, socket.WithRetention(socket.Retention{KeyBy: socket.KeyIdentity}))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Bind("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ep := pub.Endpoints()[0]
	testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Identity: testpeer.Str("durable-sub"), Subscribe: []string{""}})
	e := waitKind(t, pub, socket.EventRetentionNoKey, 10*time.Second)
	var nk *socket.NoKeyError
	if !errors.As(e.Err, &nk) || nk.PeerType != "SUB" || !strings.Contains(e.Err.Error(), "libzmq sends") {
		t.Fatalf("event %v", e)
	}
	t.Logf("pyzmq SUB with IDENTITY: %v", e)
}

func waitKind(t *testing.T, s *socket.Socket, kind socket.EventKind, d time.Duration) socket.Event {
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
			t.Fatalf("no %v within %v", kind, d)
		}
	}
}
