package interop

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// crashPub is one run of internal/crashpub, the write-through publisher.
type crashPub struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	ep    string
	oks   []int        // every "ok N" read so far, in order
	all   []string     // every line read so far
	used  map[int]bool // lines waitLine returned already
}

func buildCrashPub(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crashpub")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/purezmq/purezmq/internal/crashpub").CombinedOutput()
	if err != nil {
		t.Fatalf("building crashpub: %v\n%s", err, out)
	}
	return bin
}

func startCrashPub(t *testing.T, bin, dir string) *crashPub {
	t.Helper()
	cmd := exec.Command(bin, "-dir", dir, "-hwm", "50")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &crashPub{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 1024), used: make(map[int]bool)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		for range c.lines {
		}
		_ = cmd.Wait()
		if stderr.Len() > 0 {
			t.Logf("crashpub stderr: %s", stderr.String())
		}
	})
	c.ep = strings.TrimPrefix(c.waitLine("bound "), "bound ")
	return c
}

// waitLine returns the first line starting with prefix that it did not
// return before, reading more output as needed.
func (c *crashPub) waitLine(prefix string) string {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for seen := 0; ; {
		for ; seen < len(c.all); seen++ {
			if l := c.all[seen]; !c.used[seen] && strings.HasPrefix(l, prefix) {
				c.used[seen] = true
				return l
			}
		}
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("crashpub ended before %q", prefix)
			}
			c.note(l)
		case <-timeout:
			c.t.Fatalf("crashpub: no %q line within 10s; it said:\n%s", prefix, strings.Join(c.all, "\n"))
		}
	}
}

func (c *crashPub) note(l string) {
	c.all = append(c.all, l)
	if n, ok := strings.CutPrefix(l, "ok "); ok {
		i, err := strconv.Atoi(n)
		if err != nil {
			c.t.Fatalf("crashpub said %q", l)
		}
		c.oks = append(c.oks, i)
	}
}

func (c *crashPub) command(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.t.Fatalf("crashpub %q: %v", line, err)
	}
}

// kill ends the process with SIGKILL and reads what it printed before
// (all of it: Wait would close the pipe on unread output).
func (c *crashPub) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		c.t.Fatal(err)
	}
	for l := range c.lines {
		c.note(l)
	}
	_ = c.cmd.Wait()
}

func crashSub(t *testing.T, ep string) *socket.Socket {
	t.Helper()
	sub, err := socket.New(socket.Sub, socket.WithIdentity([]byte("Hello")), socket.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	if err := sub.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	if err := sub.Connect(ep); err != nil {
		t.Fatal(err)
	}
	return sub
}

// nextUpdate receives the next "Update N", skipping sync messages.
func nextUpdate(t *testing.T, sub *socket.Socket, d time.Duration) (int, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			return 0, false
		}
		s := string(m.Frames[0])
		if s == "sync" {
			continue
		}
		n, ok := strings.CutPrefix(s, "Update ")
		i, err := strconv.Atoi(n)
		if !ok || err != nil {
			t.Fatalf("received %q", s)
		}
		return i, true
	}
}

// TestCrashRecoveryWriteThrough is the durable subscriber of ZeroMQ 2.x
// across a kill -9 of the publisher: a PUB with retention, swap and
// write-through (internal/crashpub) serves a SUB with identity "Hello",
// which leaves; the PUB keeps publishing for it and is killed mid-stream;
// a new PUB on the same swap directory recovers the backlog and the
// subscription; the SUB returns and receives every update Send accepted,
// exactly once and in order, and nothing it had already received.
//
// "Accepted" is what crashpub printed an "ok" for. The kill can also land
// after Send accepted one more update but before crashpub printed it: that
// update may be delivered too (it is in the ring), but at most one.
func TestCrashRecoveryWriteThrough(t *testing.T) {
	bin := buildCrashPub(t)
	dir := t.TempDir()

	pub := startCrashPub(t, bin, dir)
	sub := crashSub(t, pub.ep)
	pub.command("sync")
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		m, err := sub.Recv(ctx)
		cancel()
		if err != nil {
			t.Fatalf("waiting for the subscription: %v", err)
		}
		if string(m.Frames[0]) == "sync" {
			break
		}
	}
	pub.command("pub 0 5")
	for want := 0; want < 5; want++ {
		got, ok := nextUpdate(t, sub, 5*time.Second)
		if !ok || got != want {
			t.Fatalf("first run received %d (%v), want %d", got, ok, want)
		}
	}
	sub.Close()
	pub.waitLine("event RETAINED Hello")

	const flood = 300
	pub.command("flood 5")
	pub.waitLine(fmt.Sprintf("ok %d", 5+flood))
	pub.kill()
	accepted := pub.oks[5:]
	last := accepted[len(accepted)-1]
	for i, n := range accepted {
		if n != 5+i {
			t.Fatalf("crashpub accepted %d at position %d", n, i)
		}
	}
	t.Logf("killed after %d accepted updates while the subscriber was away", len(accepted))

	pub2 := startCrashPub(t, bin, dir)
	pub2.waitLine("event RETAINED Hello recovered")
	const after = 1_000_000
	pub2.command(fmt.Sprintf("pub %d %d", after, after+3))
	pub2.waitLine(fmt.Sprintf("ok %d", after+2))

	sub2 := crashSub(t, pub2.ep)
	start := time.Now()
	want := 5
	for want <= last {
		got, ok := nextUpdate(t, sub2, 5*time.Second)
		if !ok || got != want {
			t.Fatalf("second run received %d (%v), want %d", got, ok, want)
		}
		want++
	}
	got, ok := nextUpdate(t, sub2, 5*time.Second)
	if ok && got == last+1 {
		t.Logf("update %d was accepted but not reported before the kill; delivered once", got)
		got, ok = nextUpdate(t, sub2, 5*time.Second)
	}
	for i := after; i < after+3; i++ {
		if !ok || got != i {
			t.Fatalf("second run received %d (%v), want %d (published after recovery)", got, ok, i)
		}
		if i < after+2 {
			got, ok = nextUpdate(t, sub2, 5*time.Second)
		}
	}
	t.Logf("recovered backlog of %d updates delivered in %v", last-4, time.Since(start))
	if got, ok := nextUpdate(t, sub2, 200*time.Millisecond); ok {
		t.Fatalf("received %d after the last update", got)
	}
	pub2.stdin.Close()
}
