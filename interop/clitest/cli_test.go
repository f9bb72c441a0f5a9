package clitest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cli is one running purezmq process.
type cli struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // stdout, line by line, closed at EOF
	stderr *lockedBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid after done
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the command with args; the process is killed at the end of
// the test if it is still running.
func start(t *testing.T, args ...string) *cli {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	c := &cli{t: t, cmd: exec.Command(cliPath, args...), lines: make(chan string, 1024),
		stderr: &lockedBuffer{}, done: make(chan struct{})}
	c.cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	go func() {
		// Wait closes stdout, so the scanner must be done first.
		readers.Wait()
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// run starts the command with stdin as its input and waits for it to exit.
func run(t *testing.T, stdin string, args ...string) (code int, stdout []string, stderr string) {
	t.Helper()
	c := start(t, args...)
	io.WriteString(c.stdin, stdin)
	c.stdin.Close()
	code = c.wait(20 * time.Second)
	return code, c.rest(), c.stderr.String()
}

// line returns the next stdout line, failing the test after timeout.
func (c *cli) line(timeout time.Duration) string {
	c.t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			c.t.Fatalf("purezmq exited before printing a line; stderr: %s", c.stderr.String())
		}
		return l
	case <-time.After(timeout):
		c.t.Fatalf("no output line within %v; stderr: %s", timeout, c.stderr.String())
	}
	return ""
}

// rest drains stdout after the process has exited.
func (c *cli) rest() []string {
	var out []string
	for l := range c.lines {
		out = append(out, l)
	}
	return out
}

// wait waits for the process to exit and returns its status.
func (c *cli) wait(timeout time.Duration) int {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		c.cmd.Process.Kill()
		<-c.done
		c.t.Fatalf("purezmq still running after %v; stderr: %s", timeout, c.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		c.t.Fatalf("purezmq: %v", c.err)
	}
	return 0
}

func (c *cli) signal(sig syscall.Signal) {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatal(err)
	}
}

// freeTCP returns a tcp endpoint on a loopback port that was free a moment ago.
func freeTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// eventually retries f until it reports true or the time is up.
func eventually(ctx context.Context, every time.Duration, f func() bool) bool {
	for {
		if f() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(every):
		}
	}
}
