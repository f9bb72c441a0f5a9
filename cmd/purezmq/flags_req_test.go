package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

func TestReqFlagsParse(t *testing.T) {
	c, err := parseSocketFlags("req", []string{"--connect", "tcp://127.0.0.1:1",
		"--req-relaxed", "--req-correlate", "--req-retries", "5", "--rcvtimeo", "250ms", "--sndtimeo", "0s"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := reqFlags{relaxed: true, correlate: true, retries: 5,
		sndtimeo: optDuration{0, true}, rcvtimeo: optDuration{250 * time.Millisecond, true}}
	if c.req != want {
		t.Fatalf("parsed %+v, want %+v", c.req, want)
	}
	if n := len(c.req.options()); n != 4 {
		t.Fatalf("%d socket options, want 4", n)
	}
	d, err := parseSocketFlags("req", []string{"--connect", "tcp://127.0.0.1:1"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.req.options()); n != 0 {
		t.Fatalf("no flags gave %d options, want none", n)
	}
}

func TestReqFlagsBadUsageExit2(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"push", "--req-relaxed", "--rcvtimeo", "1s"}, "only for req"},
		{[]string{"rep", "--req-correlate"}, "only for req"},
		{[]string{"req", "--req-relaxed"}, "needs --rcvtimeo"},
		{[]string{"req", "--req-relaxed", "--rcvtimeo", "0s"}, "needs --rcvtimeo"},
		{[]string{"pull", "--rcvtimeo", "-1s"}, "0 or more"},
		{[]string{"req", "--req-retries", "-1"}, "must not be negative"},
	}
	for _, c := range cases {
		args := append(c.args, "--connect", "tcp://127.0.0.1:1")
		code, _, stderr := runCLI(t, "", args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}

// req --req-relaxed --req-correlate --rcvtimeo: the Lazy Pirate client.
// The server answers the first try too late; the CLI resends, prints the
// answer to the resent request and never the late one.
func TestReqRelaxedCLIResends(t *testing.T) {
	ep := "inproc://cli-lazy-pirate"
	rep, err := socket.New(socket.Rep, socket.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if err := rep.Bind(ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- func() error {
			if _, err := rep.Recv(ctx); err != nil {
				return err
			}
			time.Sleep(600 * time.Millisecond) // longer than the client's --rcvtimeo
			if err := rep.Send(ctx, socket.NewMsg([]byte("late"))); err != nil {
				return err
			}
			for { // the resends, answered at once, until the client is done
				m, err := rep.Recv(ctx)
				if err != nil {
					return nil
				}
				if err := rep.Send(ctx, socket.NewMsg(append([]byte("fresh-"), m.Frames[0]...))); err != nil {
					return err
				}
			}
		}()
	}()
	code, stdout, stderr := runCLI(t, "hello\n", "req", "--connect", ep, "--req-relaxed", "--req-correlate",
		"--rcvtimeo", "250ms", "--req-retries", "10", "--timeout", "15s")
	if code != exitOK || stdout != "fresh-hello\n" {
		t.Fatalf("req: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "resending") {
		t.Errorf("stderr %q does not tell about the resend", stderr)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}

// --rcvtimeo ends a receive that gets nothing: exit 1 with the reason.
// Without --req-relaxed a REQ gives up after one wait; with it, after
// --req-retries resends.
func TestRcvtimeoExit1(t *testing.T) {
	code, _, stderr := runCLI(t, "", "pull", "--bind", "inproc://cli-rcvtimeo", "--rcvtimeo", "50ms")
	if code != exitError || !strings.Contains(stderr, "timed out") {
		t.Fatalf("pull: exit %d, stderr %q", code, stderr)
	}
	rep, err := socket.New(socket.Rep, socket.WithLinger(0)) // takes requests, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if err := rep.Bind("inproc://cli-rcvtimeo-req"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "q\n", "req", "--connect", "inproc://cli-rcvtimeo-req", "--rcvtimeo", "50ms",
		"--req-relaxed", "--req-retries", "2")
	if code != exitError || !strings.Contains(stderr, "no reply after 3 tries") || strings.Count(stderr, "resending") != 2 {
		t.Fatalf("req: exit %d, stderr %q", code, stderr)
	}
}
