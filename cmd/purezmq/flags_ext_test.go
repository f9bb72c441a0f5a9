package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestExtFlagsWrongVerbExit2(t *testing.T) {
	cases := []struct{ verb, flag, value, want string }{
		{"router", "--conflate", "", "--conflate is only for"},
		{"sub", "--xpub-welcome", "hi", "--xpub-welcome is only for xpub"},
		{"push", "--probe-router", "", "--probe-router is only for"},
	}
	for _, c := range cases {
		t.Run(c.verb+c.flag, func(t *testing.T) {
			args := []string{c.verb, "--bind", "tcp://127.0.0.1:1", c.flag}
			if c.value != "" {
				args = append(args, c.value)
			}
			code, _, stderr := runCLI(t, "", args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, c.want)
			}
		})
	}
}

// push --conflate with no peer yet keeps only the newest line for it: the
// pull that binds later prints the last line (and, unless it came while
// push was still reading, nothing before it).
func TestConflateFlag(t *testing.T) {
	ep := ipcEP(t)
	var in strings.Builder
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&in, "%d\n", i)
	}
	push := goRun(t, context.Background(), in.String(), "push", "--connect", ep, "--conflate")
	time.Sleep(300 * time.Millisecond) // push reads its stdin meanwhile
	pull := goRun(t, context.Background(), "", "pull", "--bind", ep, "--conflate", "--count", "1", "--timeout", "15s")
	r := await(t, pull)
	if r.code != exitOK || r.stdout != "50\n" {
		t.Fatalf("pull: exit %d, printed %q (stderr %s); want 50", r.code, r.stdout, r.stderr)
	}
	if r := await(t, push); r.code != exitOK {
		t.Fatalf("push: exit %d: %s", r.code, r.stderr)
	}
}

func TestXPubWelcomeFlag(t *testing.T) {
	ep := ipcEP(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	xpub := goRun(t, ctx, "", "xpub", "--bind", ep, "--xpub-welcome", "HELLO\\tthere")
	code, out, stderr := runCLI(t, "", "sub", "--connect", ep, "--subscribe", "HEL", "--count", "1", "--timeout", "15s")
	if code != exitOK || out != "HELLO\\tthere\n" {
		// The welcome is one frame holding a TAB, printed escaped.
		t.Fatalf("sub: exit %d, printed %q (stderr %s)", code, out, stderr)
	}
	cancel()
	await(t, xpub)
}

func TestProbeRouterFlag(t *testing.T) {
	ep := ipcEP(t)
	router := goRun(t, context.Background(), "", "router", "--bind", ep, "--count", "1", "--timeout", "15s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dealer := goRun(t, ctx, "", "dealer", "--connect", ep, "--identity", "d1", "--probe-router")
	r := await(t, router)
	if r.code != exitOK || r.stdout != "d1\t\n" {
		t.Fatalf("router: exit %d, printed %q (stderr %s); want the probe from d1", r.code, r.stdout, r.stderr)
	}
	cancel()
	await(t, dealer)
}
