package clitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// A ROUTER run with --retain keeps a departed libzmq DEALER's queue under
// its identity: lines addressed to it while it is away reach it when it
// comes back, in order.
func TestRouterRetainsDepartedPyDealer(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "router", "--bind", ep, "--retain", "--retain-ttl", "1m", "--timeout", "30s")
	first := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("durable")})
	if err := first.Send([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if l := c.line(wait); l != "durable\thello" {
		t.Fatalf("printed %q", l)
	}
	first.Kill()
	// Give the ROUTER time to see the connection go, so the lines below
	// land in the retained queue rather than in the dead connection.
	time.Sleep(300 * time.Millisecond)
	c.stdin.Write([]byte("durable\tqueued 1\ndurable\tqueued 2\n"))
	time.Sleep(100 * time.Millisecond)
	back := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("durable")})
	for _, want := range []string{"queued 1", "queued 2"} {
		got, err := back.Recv(wait)
		if err != nil {
			t.Fatalf("returning dealer, waiting for %q: %v; stderr: %s", want, err, c.stderr.String())
		}
		if len(got) != 1 || string(got[0]) != want {
			t.Fatalf("returning dealer got %q, want %q", got, want)
		}
	}
	c.stdin.Close()
	c.signal(15)
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
}

// A PUB run with --retain --retain-by user keeps a libzmq SUB's queue (and
// its subscription) under its PLAIN user name, which libzmq SUB peers offer
// where they offer no identity.
func TestPubRetainsPySubByPlainUser(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "pub", "--bind", ep, "--retain", "--retain-by", "user", "--plain-server", "alice:pw", "--timeout", "30s")
	first := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"t"}, PlainUser: "alice", PlainPass: "pw"})
	// Publish until the subscription has arrived.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ok := eventually(ctx, 50*time.Millisecond, func() bool {
		c.stdin.Write([]byte("t\twarm-up\n"))
		m, err := first.Recv(50 * time.Millisecond)
		return err == nil && strings.HasPrefix(string(m[len(m)-1]), "warm-up")
	})
	if !ok {
		t.Fatalf("subscriber never got a message; stderr: %s", c.stderr.String())
	}
	first.Kill()
	time.Sleep(300 * time.Millisecond)
	c.stdin.Write([]byte("t\tmissed 1\nother\tnot subscribed\nt\tmissed 2\n"))
	time.Sleep(100 * time.Millisecond)
	back := testpeer.StartPy(t, testpeer.PyOptions{Type: "SUB", Connect: []string{ep}, Subscribe: []string{"t"}, PlainUser: "alice", PlainPass: "pw"})
	var got []string
	for len(got) < 2 {
		m, err := back.Recv(wait)
		if err != nil {
			t.Fatalf("returning subscriber after %q: %v; stderr: %s", got, err, c.stderr.String())
		}
		body := string(m[len(m)-1])
		if body == "warm-up" {
			continue // warm-up copies still queued when the first one left
		}
		got = append(got, body)
	}
	if strings.Join(got, ",") != "missed 1,missed 2" {
		t.Errorf("returning subscriber got %q, want the backlog in order without the unsubscribed topic", got)
	}
	c.stdin.Close()
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
}
