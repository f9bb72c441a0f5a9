package clitest

import (
	"strings"
	"testing"

	"github.com/purezmq/purezmq/internal/testpeer"
)

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"pull"},
		{"pull", "--bind", "tcp://127.0.0.1:5555", "--bogus"},
		{"pull", "--bind", "tcp://127.0.0.1:5555", "--count", "many"},
		{"nosuchverb"},
		{},
		{"bench", "local_thr", "tcp://127.0.0.1:5555", "16"},
	} {
		code, stdout, stderr := run(t, "", args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2; stderr %q", args, code, stderr)
		}
		if len(stdout) != 0 || stderr == "" {
			t.Errorf("%q: stdout %q, stderr %q; want the explanation on stderr only", args, stdout, stderr)
		}
	}
}

func TestHelpExit0(t *testing.T) {
	code, stdout, _ := run(t, "", "help")
	if code != 0 || !strings.Contains(strings.Join(stdout, "\n"), "router") {
		t.Errorf("help: exit %d, %q", code, stdout)
	}
	code, stdout, _ = run(t, "", "sub", "--help")
	if code != 0 || !strings.Contains(strings.Join(stdout, "\n"), "-subscribe PREFIX") {
		t.Errorf("sub --help: exit %d, %q", code, stdout)
	}
}

func TestBadEndpointExit1(t *testing.T) {
	for _, args := range [][]string{
		{"pull", "--bind", "nonsense://where"},
		{"pull", "--bind", "tcp://"},
		{"push", "--connect", "tcp://127.0.0.1"},
		{"pull", "--bind", "tcp://127.0.0.1:99999"},
		// TEST-NET-1 is never a local address: the bind cannot succeed.
		{"pull", "--bind", "tcp://192.0.2.1:5555"},
	} {
		code, stdout, stderr := run(t, "", args...)
		if code != 1 {
			t.Errorf("%q: exit %d, want 1; stderr %q", args, code, stderr)
		}
		if len(stdout) != 0 || !strings.Contains(stderr, "purezmq") {
			t.Errorf("%q: stdout %q, stderr %q", args, stdout, stderr)
		}
	}
}

func TestAddressInUseExit1(t *testing.T) {
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
	code, _, stderr := run(t, "", "pull", "--bind", py.Endpoint())
	if code != 1 || stderr == "" {
		t.Errorf("bind to %s held by pyzmq: exit %d, stderr %q", py.Endpoint(), code, stderr)
	}
}

func TestUnreachablePeerTimesOut(t *testing.T) {
	// Connecting never fails in ZeroMQ (it retries in the background); a
	// request to nobody must still end, through --timeout, with status 1.
	ep := freeTCP(t)
	code, stdout, stderr := run(t, "anyone there?\n", "req", "--connect", ep, "--timeout", "500ms", "--linger", "0s")
	if code != 1 || len(stdout) != 0 || !strings.Contains(stderr, "timed out") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and a timeout message", code, stdout, stderr)
	}
}

func TestCountNotReachedExit1(t *testing.T) {
	ep := freeTCP(t)
	code, _, stderr := run(t, "", "pull", "--bind", ep, "--count", "5", "--timeout", "300ms")
	if code != 1 || !strings.Contains(stderr, "0 of 5") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
