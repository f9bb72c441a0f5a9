package clitest

import (
	"strings"
	"testing"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// TestCLIZMTPVersion: `--zmtp 2.0` and `--zmtp 1.0` make the CLI's socket
// talk as a libzmq 3.x / 2.x one; libzmq 4.3 (pyzmq) downgrades, and
// --verbose shows the protocol of the connection.
func TestCLIZMTPVersion(t *testing.T) {
	for _, v := range []string{"2.0", "1.0"} {
		t.Run("pull-"+v, func(t *testing.T) {
			ep := freeTCP(t)
			c := start(t, "pull", "--bind", ep, "--zmtp", v, "--count", "2", "--verbose", "--timeout", "20s")
			py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{ep}})
			for _, m := range [][][]byte{frames("one"), frames("two", "parts")} {
				if err := py.Send(m...); err != nil {
					t.Fatal(err)
				}
			}
			if code := c.wait(wait); code != 0 {
				t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
			}
			if got := strings.Join(c.rest(), "\n"); got != "one\ntwo\tparts" {
				t.Errorf("stdout %q", got)
			}
			if !strings.Contains(c.stderr.String(), "protocol=ZMTP/"+v) {
				t.Errorf("stderr does not name the protocol:\n%s", c.stderr.String())
			}
		})
		t.Run("req-"+v, func(t *testing.T) {
			py := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"}})
			done := make(chan error, 1)
			go func() {
				m, err := py.Recv(wait)
				if err == nil {
					err = py.Send(append([][]byte{[]byte("re:")}, m...)...)
				}
				done <- err
			}()
			code, out, stderr := run(t, "question\n", "req", "--connect", py.Endpoint(), "--zmtp", v, "--verbose", "--timeout", "20s")
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if code != 0 || strings.Join(out, "\n") != "re:\tquestion" {
				t.Fatalf("exit %d, stdout %q, stderr %s", code, out, stderr)
			}
			if !strings.Contains(stderr, "protocol=ZMTP/"+v) {
				t.Errorf("stderr does not name the protocol:\n%s", stderr)
			}
		})
	}
	t.Run("bad-version", func(t *testing.T) {
		code, _, stderr := run(t, "", "push", "--connect", "tcp://127.0.0.1:1", "--zmtp", "4.0")
		if code != 2 || !strings.Contains(stderr, "want 3.1, 2.0 or 1.0") {
			t.Fatalf("exit %d, stderr %s", code, stderr)
		}
	})
}
