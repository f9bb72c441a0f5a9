package clitest

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

var keyLines = regexp.MustCompile(`^public: (\S{40})\nsecret: (\S{40})$`)

func keypair(t *testing.T) (public, secret string) {
	t.Helper()
	code, out, stderr := run(t, "", "keygen")
	m := keyLines.FindStringSubmatch(strings.Join(out, "\n"))
	if code != 0 || m == nil {
		t.Fatalf("keygen: exit %d, %q, %s", code, out, stderr)
	}
	return m[1], m[2]
}

// curvePeer starts testdata/curvepeer.py, killed at the end of the test.
func curvePeer(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	py := testpeer.Python(t)
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "curvepeer.py")}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("curvepeer.py stderr: %s", stderr.String())
		}
	})
	return cmd, bufio.NewReader(stdout)
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	ch := make(chan string, 1)
	go func() {
		l, _ := r.ReadString('\n')
		ch <- strings.TrimSuffix(l, "\n")
	}()
	select {
	case l := <-ch:
		return l
	case <-time.After(wait):
		t.Fatal("curvepeer.py printed nothing")
	}
	return ""
}

func TestCurveReqToPyRep(t *testing.T) {
	public, secret := keypair(t)
	_, out := curvePeer(t, "server", secret)
	ep := readLine(t, out)
	code, stdout, stderr := run(t, "over curve\n", "req", "--connect", ep, "--curve-serverkey", public, "--timeout", "15s")
	if code != 0 || strings.Join(stdout, "|") != "over curve" {
		t.Fatalf("exit %d, %q, %s", code, stdout, stderr)
	}
}

func TestCurveRepForPyReq(t *testing.T) {
	public, secret := keypair(t)
	ep := freeTCP(t)
	c := start(t, "rep", "--bind", ep, "--echo", "--count", "1", "--curve-server", "--curve-secret", secret, "--timeout", "15s")
	_, out := curvePeer(t, "client", ep, public)
	if l := readLine(t, out); l != "from libzmq" {
		t.Fatalf("libzmq client got %q", l)
	}
	if code := c.wait(wait); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, c.stderr.String())
	}
	if got := c.rest(); len(got) != 1 || got[0] != "from libzmq" {
		t.Errorf("printed %q", got)
	}
}
