package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// TestProxyVerbSteered runs `purezmq proxy` with a capture and a REP
// control socket: messages pass and are captured, STATISTICS counts them,
// TERMINATE ends the verb with status 0 and --verbose prints the counters.
func TestProxyVerbSteered(t *testing.T) {
	front, back, capEP, ctlEP := ipcEP(t), ipcEP(t), ipcEP(t), ipcEP(t)
	ch := goRun(t, context.Background(), "", "proxy",
		"--frontend", "pull@"+front, "--backend", "push@"+back,
		"--capture", "push@"+capEP, "--control", "rep@"+ctlEP, "--verbose", "--timeout", "20s")
	sock := func(typ socket.Type, ep string) *socket.Socket {
		s, err := socket.New(typ, socket.WithLinger(0))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Connect(ep); err != nil {
			t.Fatal(err)
		}
		return s
	}
	producer, consumer, tap, req := sock(socket.Push, front), sock(socket.Pull, back), sock(socket.Pull, capEP), sock(socket.Req, ctlEP)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := producer.Send(ctx, msgOf("job", "42")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*socket.Socket{consumer, tap} {
		m, err := s.Recv(ctx)
		if err != nil || len(m.Frames) != 2 || string(m.Frames[0]) != "job" || string(m.Frames[1]) != "42" {
			t.Fatalf("%v got %q, %v", s.Type(), m.Frames, err)
		}
	}
	if err := req.Send(ctx, msgOf("STATISTICS")); err != nil {
		t.Fatal(err)
	}
	m, err := req.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := socket.ParseProxyStats(m)
	if err != nil || st.Frontend.MsgIn != 1 || st.Frontend.BytesIn != 5 || st.Backend.MsgOut != 1 {
		t.Fatalf("STATISTICS %+v, %v", st, err)
	}
	if err := req.Send(ctx, msgOf("TERMINATE")); err != nil {
		t.Fatal(err)
	}
	if m, err := req.Recv(ctx); err != nil || len(m.Frames) != 1 || len(m.Frames[0]) != 0 {
		t.Fatalf("TERMINATE answered %q, %v", m.Frames, err)
	}
	r := await(t, ch)
	if r.code != exitOK {
		t.Fatalf("proxy: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "frontend received 1 messages (5 bytes)") {
		t.Fatalf("--verbose printed %q", r.stderr)
	}
}

func TestProxyVerbUsage(t *testing.T) {
	for _, args := range [][]string{
		{"proxy", "--frontend", "router@tcp://127.0.0.1:0"},
		{"proxy", "--frontend", "router", "--backend", "dealer@tcp://127.0.0.1:0"},
		{"proxy", "--frontend", "router@tcp://127.0.0.1:0", "--backend", "dealer+tcp://x:1"},
		{"proxy", "--frontend", "router@tcp://127.0.0.1:0", "--backend", "dealer@tcp://127.0.0.1:0", "--control", "push@tcp://127.0.0.1:0"},
		{"proxy", "--frontend", "bogus@tcp://127.0.0.1:0", "--backend", "dealer@tcp://127.0.0.1:0"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d: %s", args, code, exitUsage, stderr)
		}
	}
	code, stdout, _ := runCLI(t, "", "help", "proxy")
	if code != exitOK || !strings.Contains(stdout, "zmq_proxy_steerable") || !strings.Contains(stdout, "--capture") {
		t.Fatalf("help proxy: exit %d, %q", code, stdout)
	}
	// A signal ends a running proxy with status 0.
	ctx, cancel := context.WithCancel(context.Background())
	ch := goRun(t, ctx, "", "proxy", "--frontend", "router@"+ipcEP(t), "--backend", "dealer@"+ipcEP(t))
	time.Sleep(50 * time.Millisecond)
	cancel()
	if r := await(t, ch); r.code != exitOK {
		t.Fatalf("proxy stopped by a signal: exit %d, %s", r.code, r.stderr)
	}
}
