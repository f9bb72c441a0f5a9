package clitest

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

const wait = 15 * time.Second

func frames(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func sameFrames(got [][]byte, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !bytes.Equal(got[i], []byte(want[i])) {
			return false
		}
	}
	return true
}

func TestPullFromPyPush(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "pull", "--bind", ep, "--count", "3", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}})
	for _, m := range [][][]byte{frames("one"), frames("two", "parts"), frames("tab\there", "\x00\xff")} {
		if err := py.Send(m...); err != nil {
			t.Fatal(err)
		}
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	got := strings.Join(c.rest(), "\n")
	want := "one\ntwo\tparts\ntab\\there\t\\x00\\xff"
	if got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
}

func TestPullHexFromPyPush(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "pull", "--bind", ep, "--count", "1", "--hex", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}})
	if err := py.Send([]byte{0, 1, 0xfe}, []byte("\n")); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := strings.Join(c.rest(), "\n"); got != "0001fe\t0a" {
		t.Errorf("stdout %q, want %q", got, "0001fe\t0a")
	}
}

func TestPushToPyPull(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
	code, _, stderr := run(t, "one\ntwo\tparts\n\tafter empty\nescaped\\tTAB\n", "push", "--connect", py.Endpoint())
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	want := [][]string{{"one"}, {"two", "parts"}, {"", "after empty"}, {"escaped\tTAB"}}
	for _, w := range want {
		got, err := py.Recv(wait)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFrames(got, w...) {
			t.Errorf("pyzmq received %q, want %q", got, w)
		}
	}
}

func TestSubFromPyPub(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
	c := start(t, "sub", "--connect", py.Endpoint(), "--subscribe", "news", "--subscribe", "sport", "--count", "4", "--timeout", "20s")
	// PUB drops everything until the subscription has arrived, so publish
	// until the subscriber has seen enough.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	done := eventually(ctx, 20*time.Millisecond, func() bool {
		for _, topic := range []string{"weather", "news", "newsflash", "sport", "spor"} {
			if err := py.Send([]byte(topic), []byte("body")); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-c.done:
			return true
		default:
			return false
		}
	})
	if !done {
		t.Fatalf("subscriber did not get 4 messages; stderr: %s", c.stderr.String())
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	lines := c.rest()
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4: %q", len(lines), lines)
	}
	for _, l := range lines {
		topic, body, _ := strings.Cut(l, "\t")
		if !(strings.HasPrefix(topic, "news") || topic == "sport") || body != "body" {
			t.Errorf("line %q does not match the subscriptions", l)
		}
	}
}

func TestSubDefaultIsEverything(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUB", Bind: []string{"tcp://127.0.0.1:*"}})
	c := start(t, "sub", "--connect", py.Endpoint(), "--count", "1", "--timeout", "20s")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	eventually(ctx, 20*time.Millisecond, func() bool {
		py.Send([]byte("anything"))
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
	if lines := c.rest(); len(lines) != 1 || lines[0] != "anything" {
		t.Errorf("stdout %q", lines)
	}
}

func TestReqToPyRep(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"}})
	c := start(t, "req", "--connect", py.Endpoint(), "--timeout", "20s")
	c.stdin.Write([]byte("ping 1\nping\t2\n"))
	c.stdin.Close()
	if err := py.Echo(2, wait); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := strings.Join(c.rest(), "|"); got != "ping 1|ping\t2" {
		t.Errorf("replies %q", got)
	}
}

func TestRepEchoServesPyReq(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "rep", "--bind", ep, "--echo", "--count", "2", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}})
	for _, m := range [][][]byte{frames("hello"), frames("multi", "part")} {
		if err := py.Send(m...); err != nil {
			t.Fatal(err)
		}
		got, err := py.Recv(wait)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(m) || !bytes.Equal(bytes.Join(got, nil), bytes.Join(m, nil)) {
			t.Errorf("reply %q, want %q", got, m)
		}
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := strings.Join(c.rest(), "|"); got != "hello|multi\tpart" {
		t.Errorf("printed %q", got)
	}
}

func TestRepAnswersFromStdin(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "rep", "--bind", ep, "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}})
	if err := py.Send([]byte("question")); err != nil {
		t.Fatal(err)
	}
	if l := c.line(wait); l != "question" {
		t.Fatalf("printed %q", l)
	}
	c.stdin.Write([]byte("answer\tin two\n"))
	got, err := py.Recv(wait)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFrames(got, "answer", "in two") {
		t.Errorf("reply %q", got)
	}
	c.stdin.Close()
	// The next request finds stdin at its end: nothing can answer, so the
	// command ends normally.
	if err := py.Send([]byte("another")); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
}

func TestRouterEchoServesPyDealer(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "router", "--bind", ep, "--echo", "--count", "2", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("py-dealer")})
	for _, m := range [][][]byte{frames("a", "b"), frames("", "req-style")} {
		if err := py.Send(m...); err != nil {
			t.Fatal(err)
		}
		got, err := py.Recv(wait)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(m) || !bytes.Equal(bytes.Join(got, []byte("|")), bytes.Join(m, []byte("|"))) {
			t.Errorf("echo %q, want %q", got, m)
		}
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := strings.Join(c.rest(), "|"); got != "py-dealer\ta\tb|py-dealer\t\treq-style" {
		t.Errorf("printed %q", got)
	}
}

func TestRouterEchoServesPyReq(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "router", "--bind", ep, "--echo", "--count", "1", "--timeout", "20s")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}, Identity: testpeer.Str("asker")})
	if err := py.Send([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	got, err := py.Recv(wait)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFrames(got, "hi") {
		t.Errorf("reply %q", got)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	// A REQ peer's envelope: identity, empty delimiter, body.
	if got := strings.Join(c.rest(), "|"); got != "asker\t\thi" {
		t.Errorf("printed %q", got)
	}
}

func TestRouterRoutesStdinByIdentity(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "router", "--bind", ep, "--linger", "2s")
	one := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("one")})
	two := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep}, Identity: testpeer.Str("two")})
	for _, p := range []*testpeer.Py{one, two} {
		if err := p.Send([]byte("hello")); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{c.line(wait): true, c.line(wait): true}
	if !seen["one\thello"] || !seen["two\thello"] {
		t.Fatalf("printed %v", seen)
	}
	c.stdin.Write([]byte("two\tfor two\none\tfor\tone\n"))
	if got, err := two.Recv(wait); err != nil || !sameFrames(got, "for two") {
		t.Errorf("two got %q, %v", got, err)
	}
	if got, err := one.Recv(wait); err != nil || !sameFrames(got, "for", "one") {
		t.Errorf("one got %q, %v", got, err)
	}
	// Without --count the command runs until told to stop, and stopping is
	// not an error.
	c.signal(syscall.SIGTERM)
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d after SIGTERM; stderr: %s", code, c.stderr.String())
	}
}

func TestDealerToPyRouter(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}})
	c := start(t, "dealer", "--connect", py.Endpoint(), "--identity", "cli", "--count", "1", "--timeout", "20s")
	c.stdin.Write([]byte("x\ty\n"))
	// --count on a dealer ends the run once the reply is in and stdin has
	// been sent to its end.
	c.stdin.Close()
	got, err := py.Recv(wait)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFrames(got, "cli", "x", "y") {
		t.Fatalf("router got %q", got)
	}
	if err := py.Send([]byte("cli"), []byte("back")); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "back" {
		t.Errorf("printed %q", got)
	}
}

func TestPlainReqToPyRep(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"},
		PlainServer: true, PlainUsers: map[string]string{"alice": "s3cret"}})
	c := start(t, "req", "--connect", py.Endpoint(), "--plain-user", "alice", "--plain-pass", "s3cret", "--timeout", "20s")
	c.stdin.Write([]byte("authenticated\n"))
	c.stdin.Close()
	if err := py.Echo(1, wait); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "authenticated" {
		t.Errorf("printed %q", got)
	}
}

func TestPlainServerRepForPyReq(t *testing.T) {
	ep := freeTCP(t)
	c := start(t, "rep", "--bind", ep, "--echo", "--count", "1", "--plain-server", "bob:pw", "--timeout", "20s")
	// libzmq's REQ may have no pipe to queue into once its handshake was
	// refused (it waits for a reconnect), so its send is bounded: either
	// way, the request must never reach the echo.
	wrong := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}, PlainUser: "bob", PlainPass: "wrong",
		Extra: []string{"--opt", "SNDTIMEO=2000"}})
	if err := wrong.Send([]byte("let me in")); err != nil {
		t.Logf("refused peer's send: %v", err)
	}
	right := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}, PlainUser: "bob", PlainPass: "pw"})
	if err := right.Send([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got, err := right.Recv(wait); err != nil || !sameFrames(got, "hello") {
		t.Fatalf("reply %q, %v", got, err)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "hello" {
		t.Errorf("printed %q: only the authenticated peer may get through", got)
	}
	if _, err := wrong.Recv(300 * time.Millisecond); err == nil {
		t.Error("peer with the wrong password got a reply")
	}
}
