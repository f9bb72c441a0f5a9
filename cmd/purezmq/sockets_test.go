package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Both ends of these conversations run in this process, over ipc and
// inproc, so the verbs' loops are tested without any outside peer; the
// pyzmq side is interop/clitest's job.

type result struct {
	code           int
	stdout, stderr string
}

func goRun(t *testing.T, ctx context.Context, stdin string, args ...string) <-chan result {
	t.Helper()
	ch := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run(ctx, args, strings.NewReader(stdin), &out, &errb)
		ch <- result{code, out.String(), errb.String()}
	}()
	return ch
}

func await(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("verb still running after 20s")
	}
	return result{}
}

func ipcEP(t *testing.T) string { return "ipc://" + filepath.Join(t.TempDir(), "s") }

func TestPushPullInProcess(t *testing.T) {
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--count", "3", "--timeout", "15s")
	code, _, stderr := runCLI(t, "one\ntwo\tframes\n\\x00binary\\\\\n", "push", "--connect", ep)
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	r := await(t, pull)
	if r.code != exitOK {
		t.Fatalf("pull: exit %d: %s", r.code, r.stderr)
	}
	if want := "one\ntwo\tframes\n\\x00binary\\\\\n"; r.stdout != want {
		t.Errorf("pull printed %q, want %q", r.stdout, want)
	}
}

func TestPushCountStopsEarly(t *testing.T) {
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--count", "2", "--timeout", "15s")
	code, _, stderr := runCLI(t, "a\nb\nc\nd\n", "push", "--connect", ep, "--count", "2")
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	if r := await(t, pull); r.code != exitOK || r.stdout != "a\nb\n" {
		t.Errorf("pull: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
}

func TestReqRepEchoInProcess(t *testing.T) {
	ep := "inproc://cli-reqrep"
	rep := goRun(t, context.Background(), "", "rep", "--bind", ep, "--echo", "--count", "2", "--timeout", "15s")
	// No pause before connecting: like libzmq 4, an inproc connect may come
	// before the bind and waits for it.
	code, stdout, stderr := runCLI(t, "hello\nworld\tagain\n", "req", "--connect", ep, "--timeout", "15s")
	if code != exitOK || stdout != "hello\nworld\tagain\n" {
		t.Fatalf("req: exit %d, %q, %s", code, stdout, stderr)
	}
	if r := await(t, rep); r.code != exitOK || r.stdout != "hello\nworld\tagain\n" {
		t.Errorf("rep: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
}

func TestHexAndBase64InProcess(t *testing.T) {
	for _, mode := range []string{"--hex", "--base64"} {
		ep := ipcEP(t)
		pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--count", "1", "--timeout", "15s")
		in := "00ff\t0a0d"
		if mode == "--base64" {
			in = "AP8=\tCg0="
		}
		if code, _, stderr := runCLI(t, in+"\n", "push", "--connect", ep, mode); code != exitOK {
			t.Fatalf("%s push: exit %d: %s", mode, code, stderr)
		}
		if r := await(t, pull); r.stdout != "\\x00\\xff\t\\n\\r\n" {
			t.Errorf("%s: pull printed %q", mode, r.stdout)
		}
	}
}

func TestBadInputExit1(t *testing.T) {
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--count", "1", "--timeout", "15s")
	code, _, stderr := runCLI(t, "abcd\nnot hex\n", "push", "--connect", ep, "--hex")
	if code != exitError || !strings.Contains(stderr, "line 2") {
		t.Errorf("push --hex with bad input: exit %d, stderr %q", code, stderr)
	}
	if r := await(t, pull); r.stdout != "\\xab\\xcd\n" {
		t.Errorf("the good line before the bad one: %q", r.stdout)
	}
}

func TestCancelWithoutCountIsClean(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sub := goRun(t, ctx, "", "sub", "--bind", ipcEP(t))
	time.Sleep(50 * time.Millisecond)
	cancel()
	if r := await(t, sub); r.code != exitOK {
		t.Errorf("sub stopped by a signal: exit %d, %s", r.code, r.stderr)
	}
	ctx, cancel = context.WithCancel(context.Background())
	pull := goRun(t, ctx, "", "pull", "--bind", ipcEP(t), "--count", "4")
	time.Sleep(50 * time.Millisecond)
	cancel()
	if r := await(t, pull); r.code != exitError || !strings.Contains(r.stderr, "0 of 4") {
		t.Errorf("pull interrupted before --count: exit %d, %s", r.code, r.stderr)
	}
}

func TestDuplexPairInProcess(t *testing.T) {
	ep := ipcEP(t)
	// Each side sends its stdin and stops after receiving the other's two
	// lines: sending and receiving run at once.
	a := goRun(t, context.Background(), "from a 1\nfrom a 2\n", "pair", "--bind", ep, "--count", "2", "--timeout", "15s")
	b := goRun(t, context.Background(), "from b 1\nfrom b 2\n", "pair", "--connect", ep, "--count", "2", "--timeout", "15s")
	ra, rb := await(t, a), await(t, b)
	if ra.code != exitOK || ra.stdout != "from b 1\nfrom b 2\n" {
		t.Errorf("a: exit %d, %q, %s", ra.code, ra.stdout, ra.stderr)
	}
	if rb.code != exitOK || rb.stdout != "from a 1\nfrom a 2\n" {
		t.Errorf("b: exit %d, %q, %s", rb.code, rb.stdout, rb.stderr)
	}
}

func TestVerboseReportsEvents(t *testing.T) {
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--count", "1", "--verbose", "--timeout", "15s")
	if code, _, stderr := runCLI(t, "x\n", "push", "--connect", ep); code != exitOK {
		t.Fatalf("push: %d %s", code, stderr)
	}
	r := await(t, pull)
	for _, want := range []string{"event LISTENING", "received 1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--verbose stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestSwapDirCreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool", "pz")
	code, _, stderr := runCLI(t, "", "pub", "--bind", ipcEP(t), "--retain", "--swap", "1M", "--swap-dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("swap dir: %v, %v; want a 0700 directory", fi, err)
	}
	// A path that cannot be a directory is a runtime error.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "", "pub", "--bind", ipcEP(t), "--swap", "1M", "--swap-dir", filepath.Join(file, "sub")); code != exitError || stderr == "" {
		t.Errorf("swap dir under a file: exit %d, stderr %q", code, stderr)
	}
}

func TestRouterMandatoryFailsOnUnknownIdentity(t *testing.T) {
	code, _, stderr := runCLI(t, "nobody\thello\n", "router", "--bind", ipcEP(t), "--router-mandatory", "--timeout", "15s")
	if code != exitError || !strings.Contains(stderr, "unreachable") {
		t.Errorf("exit %d, stderr %q; want the unroutable line reported", code, stderr)
	}
	// Without the flag the line is dropped, as a ROUTER does, and the run
	// goes on until told to stop.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if r := await(t, goRun(t, ctx, "nobody\thello\n", "router", "--bind", ipcEP(t))); r.code != exitOK {
		t.Errorf("without --router-mandatory: exit %d, %q", r.code, r.stderr)
	}
}

func TestMaxMsgSizeDropsOversizedPeer(t *testing.T) {
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--max-msg-size", "8", "--count", "1", "--timeout", "1s")
	if code, _, stderr := runCLI(t, "this line is too long\n", "push", "--connect", ep, "--linger", "1s"); code != exitOK {
		t.Fatalf("push: exit %d, %s", code, stderr)
	}
	if r := await(t, pull); r.code != exitError || r.stdout != "" {
		t.Errorf("pull with --max-msg-size 8: exit %d, printed %q; want nothing delivered and a timeout", r.code, r.stdout)
	}
}

// A push that cannot deliver before its linger ends says, on exit, how
// many messages Close discarded, and fails.
func TestExitReportShowsLingerDiscard(t *testing.T) {
	ep := ipcEP(t) // nobody binds it
	code, _, stderr := runCLI(t, "a\nb\nc\n", "push", "--connect", ep, "--linger", "50ms", "--verbose")
	if code != exitError {
		t.Fatalf("exit %d, want %d: %s", code, exitError, stderr)
	}
	for _, want := range []string{"discarded at close 3", "close discarded 3 queued messages", "LINGER_DISCARDED"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	t.Logf("stderr:\n%s", stderr)
}

// TestPushPullAcked: --ack on both verbs negotiates acknowledged delivery
// (the verbose report counts the connection) and the messages arrive.
func TestPushPullAcked(t *testing.T) {
	ep := ipcEP(t)
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--ack", "--count", "3", "--timeout", "15s", "--verbose")
	code, _, stderr := runCLI(t, "a\nb\nc\n", "push", "--connect", ep, "--ack", "--verbose")
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "acknowledged connections 1,") || !strings.Contains(stderr, "unacknowledged at close 0") {
		t.Errorf("push's report: %s", stderr)
	}
	r := await(t, pull)
	if r.code != exitOK || r.stdout != "a\nb\nc\n" {
		t.Fatalf("pull: exit %d, %q: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "acknowledged connections 1,") {
		t.Errorf("pull's report: %s", r.stderr)
	}
}
