package clitest

import (
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// TestStreamEchoForPyStream: `purezmq stream --echo` serves a libzmq
// STREAM: what libzmq sends comes back, and the connect, data and
// disconnect are printed as id TAB data lines.
func TestStreamEchoForPyStream(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "stream", "--bind", ep, "--echo", "--count", "3", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "STREAM", Connect: []string{ep}})
	// libzmq retries the connection until the verb listens; its connect
	// notification carries the id it gave us.
	note, err := py.Recv(wait)
	if err != nil || len(note) != 2 || len(note[1]) != 0 {
		t.Fatalf("libzmq connect notification %q, %v", note, err)
	}
	id := note[0]
	if err := py.Send(id, []byte("hello raw")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for len(got) < len("hello raw") {
		m, err := py.Recv(wait)
		if err != nil || len(m) != 2 || len(m[1]) == 0 {
			t.Fatalf("echo %q, %v", m, err)
		}
		got = append(got, m[1]...)
	}
	if string(got) != "hello raw" {
		t.Fatalf("echoed %q", got)
	}
	// libzmq closes its peer; it acts on that when its socket is next used.
	if err := py.Send(id, nil); err != nil {
		t.Fatal(err)
	}
	py.Recv(100 * time.Millisecond)
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	lines := c.rest()
	if len(lines) != 3 {
		t.Fatalf("printed %q, want 3 lines", lines)
	}
	ourID, ok := strings.CutSuffix(lines[0], "\t")
	if !ok || lines[1] != ourID+"\thello raw" || lines[2] != ourID+"\t" {
		t.Fatalf("printed %q, want id<TAB>, id<TAB>hello raw, id<TAB>", lines)
	}
}
