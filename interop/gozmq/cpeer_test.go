package gozmq

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// zmqperf returns the C reference peer (see testpeer.ZmqPerf).
func zmqperf(t *testing.T) string { return testpeer.ZmqPerf(t) }

// startPerf runs zmqperf with a receive timeout, so a broken peer ends the
// test rather than hanging it.
func startPerf(t *testing.T, args ...string) (wait func() (string, error)) {
	t.Helper()
	cmd := exec.Command(zmqperf(t), append([]string{"--timeout", "10000"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		done <- nil // later waits see nil after cleanup
	})
	return func() (string, error) {
		select {
		case err := <-done:
			done <- err
			if err != nil {
				return out.String(), errors.New(err.Error() + ": " + errb.String())
			}
			return out.String(), nil
		case <-time.After(30 * time.Second):
			return out.String(), errors.New("zmqperf still running after 30s")
		}
	}
}

func TestOurPushToZmqperfLocalThr(t *testing.T) {
	ep := freeTCP(t)
	wait := startPerf(t, "local_thr", ep, "100", "20000")
	o := ours(t, socket.Push, socket.WithLinger(10*time.Second))
	if err := o.Connect(ep); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("p"), 100)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 20000 {
		if err := o.Send(ctx, socket.NewMsg(payload)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := wait()
	if err != nil {
		t.Fatalf("zmqperf local_thr: %v", err)
	}
	for _, want := range []string{"message size: 100 [B]\n", "message count: 20000\n", "[msg/s]\n", "[Mb/s]\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("zmqperf output lacks %q:\n%s", want, out)
		}
	}
}

func TestZmqperfRemoteThrToOurPull(t *testing.T) {
	o := ours(t, socket.Pull)
	ep := ourBind(t, o)
	wait := startPerf(t, "remote_thr", ep, "100", "20000")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	want := bytes.Repeat([]byte("x"), 100)
	for i := range 20000 {
		m, err := o.Recv(ctx)
		if err != nil {
			t.Fatalf("after %d messages: %v", i, err)
		}
		if len(m.Frames) != 1 || !bytes.Equal(m.Frames[0], want) {
			t.Fatalf("message %d: %s", i, show(m.Frames))
		}
	}
	if _, err := wait(); err != nil {
		t.Fatalf("zmqperf remote_thr: %v", err)
	}
}

func TestOurReqToZmqperfLocalLat(t *testing.T) {
	ep := freeTCP(t)
	wait := startPerf(t, "local_lat", ep, "64", "200")
	o := ours(t, socket.Req)
	if err := o.Connect(ep); err != nil {
		t.Fatal(err)
	}
	req := bytes.Repeat([]byte{7}, 64)
	for range 200 {
		sendOurs(t, o, req)
		if m := recvOurs(t, o); len(m.Frames) != 1 || !bytes.Equal(m.Frames[0], req) {
			t.Fatalf("reply %s", show(m.Frames))
		}
	}
	if _, err := wait(); err != nil {
		t.Fatalf("zmqperf local_lat: %v", err)
	}
}

func TestZmqperfRemoteLatToOurRep(t *testing.T) {
	o := ours(t, socket.Rep)
	ep := ourBind(t, o)
	wait := startPerf(t, "remote_lat", ep, "64", "200")
	for range 200 {
		m := recvOurs(t, o)
		if len(m.Frames) != 1 || len(m.Frames[0]) != 64 {
			t.Fatalf("request %s", show(m.Frames))
		}
		sendOurs(t, o, m.Frames...)
	}
	out, err := wait()
	if err != nil {
		t.Fatalf("zmqperf remote_lat: %v", err)
	}
	if !strings.Contains(out, "roundtrip count: 200\n") || !strings.Contains(out, "average latency: ") {
		t.Errorf("zmqperf output:\n%s", out)
	}
}
