package main

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// dialRetry dials addr until the verb under test is listening.
func dialRetry(t *testing.T, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		nc, err := net.Dial("tcp", addr)
		if err == nil {
			t.Cleanup(func() { nc.Close() })
			return nc
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream verb never listened on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStreamVerbEcho: `purezmq stream --bind --echo` sends a raw TCP
// client's bytes back and prints the connect notification, the data and the
// disconnect notification, each as routing id TAB data.
func TestStreamVerbEcho(t *testing.T) {
	addr := strings.TrimPrefix(freeTCP(t), "tcp://")
	ch := goRun(t, context.Background(), "", "stream", "--bind", "tcp://"+addr, "--echo", "--count", "3", "--timeout", "15s")
	nc := dialRetry(t, addr)
	if _, err := nc.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 18)
	if _, err := io.ReadFull(nc, buf); err != nil || string(buf) != "GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("echo read %q, %v", buf, err)
	}
	nc.Close()
	r := await(t, ch)
	if r.code != exitOK {
		t.Fatalf("stream: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("printed %q, want 3 lines", r.stdout)
	}
	id := strings.TrimSuffix(lines[0], "\t")
	if !strings.HasPrefix(id, `\x00`) || lines[0] != id+"\t" || lines[2] != id+"\t" {
		t.Fatalf("notifications %q and %q, want the generated id and an empty data field", lines[0], lines[2])
	}
	if lines[1] != id+`	GET / HTTP/1.0\r\n\r\n` {
		t.Fatalf("data line %q", lines[1])
	}
}

// TestStreamVerbConnect: `purezmq stream --connect --connect-rid` reaches a
// raw TCP server, sends a stdin line addressed to the chosen id and prints
// what the server answers.
func TestStreamVerbConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan string, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			served <- err.Error()
			return
		}
		defer nc.Close()
		nc.Write([]byte("hello\x00raw"))
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		b := make([]byte, 4)
		_, err = io.ReadFull(nc, b)
		served <- string(b)
	}()
	// The answer is written to stdin only once the greeting was printed:
	// before the connection is up, the id would be unknown (exit 1).
	pr, pw := io.Pipe()
	out := &watchWriter{want: "hello", seen: make(chan struct{})}
	ch := make(chan result, 1)
	go func() {
		var errb strings.Builder
		code := run(context.Background(), []string{"stream", "--connect", "tcp://" + ln.Addr().String(), "--connect-rid", "web", "--count", "3", "--timeout", "15s"}, pr, out, &errb)
		ch <- result{code, out.String(), errb.String()}
	}()
	go func() {
		select {
		case <-out.seen:
			pw.Write([]byte("web\tpong\n"))
		case <-time.After(15 * time.Second):
		}
		pw.Close()
	}()
	select {
	case got := <-served:
		if got != "pong" {
			t.Fatalf("server read %q, want pong", got)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server never got the answer")
	}
	r := await(t, ch)
	if r.code != exitOK {
		t.Fatalf("stream: exit %d: %s", r.code, r.stderr)
	}
	if want := "web\t\nweb\thello\\x00raw\nweb\t\n"; r.stdout != want {
		t.Fatalf("printed %q, want %q", r.stdout, want)
	}
}

func TestStreamVerbFlags(t *testing.T) {
	for _, args := range [][]string{
		{"router", "--bind", "tcp://127.0.0.1:0", "--connect-rid", "x"},
		{"pull", "--bind", "tcp://127.0.0.1:0", "--stream-notify=false"},
		{"stream", "--connect", "tcp://127.0.0.1:1", "--connect-rid", `\x00x`},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d: %s", args, code, exitUsage, stderr)
		}
	}
}

// watchWriter collects output and closes seen once it contains want.
type watchWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
