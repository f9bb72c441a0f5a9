package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/purezmq/purezmq/internal/emulation"
	"go.uber.org/goleak"
)

// zmq4 leaves goroutines behind after Close (connection readers, accept
// loops), so the program runs in a child process: the test binary re-executed
// with GOZMQPERF_AS_MAIN set behaves as gozmqperf itself.
func TestMain(m *testing.M) {
	if os.Getenv("GOZMQPERF_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

func child(args ...string) *exec.Cmd {
	cmd := emulation.Self(args...) // through the emulator under make test-arm
	cmd.Env = append(os.Environ(), "GOZMQPERF_AS_MAIN=1")
	return cmd
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

var (
	thrRe = regexp.MustCompile(`^message size: 16 \[B\]\nmessage count: 2000\nmean throughput: \d+ \[msg/s\]\nmean throughput: \d+\.\d{3} \[Mb/s\]\n$`)
	latRe = regexp.MustCompile(`^message size: 16 \[B\]\nroundtrip count: 200\naverage latency: \d+\.\d{3} \[us\]\n$`)
)

func TestInproc(t *testing.T) {
	out, err := child("inproc_thr", "16", "2000").Output()
	if err != nil || !thrRe.Match(out) {
		t.Errorf("inproc_thr: %v, %q", errText(err), out)
	}
	out, err = child("inproc_lat", "16", "200").Output()
	if err != nil || !latRe.Match(out) {
		t.Errorf("inproc_lat: %v, %q", errText(err), out)
	}
}

func TestOverTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + l.Addr().String()
	l.Close()
	for _, kind := range []string{"thr", "lat"} {
		local := child("local_"+kind, ep, "16", map[string]string{"thr": "2000", "lat": "200"}[kind])
		var lout bytes.Buffer
		local.Stdout = &lout
		if err := local.Start(); err != nil {
			t.Fatal(err)
		}
		rout, rerr := child("remote_"+kind, ep, "16", map[string]string{"thr": "2000", "lat": "200"}[kind]).Output()
		lerr := local.Wait()
		if rerr != nil || lerr != nil {
			t.Fatalf("%s: local %v, remote %v", kind, lerr, errText(rerr))
		}
		if kind == "thr" && !thrRe.Match(lout.Bytes()) {
			t.Errorf("local_thr: %q", lout.String())
		}
		if kind == "lat" && !latRe.Match(rout) {
			t.Errorf("remote_lat: %q", rout)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"inproc_thr", "16"}, {"--nope", "inproc_thr", "1", "1"}, {"local_thr", "tcp://x:1", "a", "1"}} {
		if code := exitCode(child(args...).Run()); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// errText adds what the child wrote on stderr (kept by Output) to err.
func errText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Error() + ": " + string(ee.Stderr)
	}
	if err != nil {
		return err.Error()
	}
	return "<nil>"
}
