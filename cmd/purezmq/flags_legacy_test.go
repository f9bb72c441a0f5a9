package main

import (
	"strings"
	"testing"

	"github.com/purezmq/purezmq/zmtp"
)

func TestZMTPFlagParse(t *testing.T) {
	for in, want := range map[string]zmtp.LegacyVersion{"2.0": zmtp.ZMTP20, "1": zmtp.ZMTP10, "3.1": 0} {
		c, err := parseSocketFlags("push", []string{"--connect", "tcp://127.0.0.1:1", "--zmtp", in}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.zmtp.v != want {
			t.Fatalf("--zmtp %s parsed as %v, want %v", in, c.zmtp.v, want)
		}
		if n := len(c.zmtp.options()); (n == 1) != (want != 0) {
			t.Fatalf("--zmtp %s gave %d options", in, n)
		}
	}
	code, _, stderr := runCLI(t, "", "push", "--connect", "tcp://127.0.0.1:1", "--zmtp", "2.5")
	if code != exitUsage || !strings.Contains(stderr, "want 3.1, 2.0 or 1.0") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// A type that did not exist then, or security, is refused by the socket.
	code, _, stderr = runCLI(t, "", "push", "--connect", "tcp://127.0.0.1:1", "--zmtp", "1.0", "--plain-user", "u", "--plain-pass", "p")
	if code == 0 || !strings.Contains(stderr, "ZMTPVersion") {
		t.Fatalf("--zmtp 1.0 with PLAIN: exit %d, stderr %q", code, stderr)
	}
}
