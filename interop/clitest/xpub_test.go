package clitest

import (
	"context"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// XPUB prints the subscriptions it receives as messages: "\x01" + topic to
// subscribe, "\x00" + topic to cancel, escaped in text mode.
func TestXPubShowsPySubscriptions(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "xpub", "--bind", ep, "--count", "2", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"weather"}})
	if l := c.line(wait); l != `\x01weather` {
		t.Fatalf("first line %q, want the subscription", l)
	}
	if err := py.Unsubscribe([]byte("weather")); err != nil {
		t.Fatal(err)
	}
	c.stdin.Close()
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != `\x00weather` {
		t.Errorf("after unsubscribing: %q", got)
	}
}

// XSUB subscribes upstream to its --subscribe prefixes and prints what a
// libzmq XPUB publishes.
func TestXSubFromPyXPub(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "XPUB", Bind: []string{"tcp://127.0.0.1:*"}})
	c := start(t, "xsub", "--connect", py.Endpoint(), "--subscribe", "alerts", "--count", "1", "--timeout", "20s")
	sub, err := py.Recv(wait)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) != 1 || string(sub[0]) != "\x01alerts" {
		t.Fatalf("libzmq XPUB got %q, want the subscription message", sub)
	}
	c.stdin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	eventually(ctx, 20*time.Millisecond, func() bool {
		py.Send([]byte("other"), []byte("x"))
		py.Send([]byte("alerts"), []byte("fire"))
		select {
		case <-c.done:
			return true
		default:
			return false
		}
	})
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "alerts\tfire" {
		t.Errorf("printed %q", got)
	}
}
