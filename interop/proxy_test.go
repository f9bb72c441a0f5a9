package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// TestPyProxyControl steers our proxy from libzmq: a REQ driving a REP
// control socket (every command answered) and a PAIR driving a PAIR
// (only STATISTICS answered), with the capture going to a libzmq PULL.
func TestPyProxyControl(t *testing.T) {
	testpeer.Python(t)
	for _, pr := range []struct{ ours, theirs string }{{"REP", "REQ"}, {"PAIR", "PAIR"}} {
		t.Run(pr.ours, func(t *testing.T) {
			front, back := newOurs(t, "PULL"), newOurs(t, "PUSH")
			producer, consumer := newOurs(t, "PUSH"), newOurs(t, "PULL")
			if err := producer.Connect(ourBind(t, front, "tcp://")); err != nil {
				t.Fatal(err)
			}
			if err := consumer.Connect(ourBind(t, back, "tcp://")); err != nil {
				t.Fatal(err)
			}
			capture := newOurs(t, "PUSH")
			tap := theirs{testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Connect: []string{ourBind(t, capture, "tcp://")}})}
			control := newOurs(t, pr.ours)
			driver := theirs{testpeer.StartPy(t, testpeer.PyOptions{Type: pr.theirs, Connect: []string{ourBind(t, control, "tcp://")}})}
			done := make(chan error, 1)
			go func() {
				done <- socket.ProxySteerable(context.Background(), front, back, capture, control)
			}()
			t.Cleanup(func() {
				front.Close() // ends the proxy if a failed test left it running
				<-done
			})
			command := func(cmd string) {
				t.Helper()
				driver.send(t, b(cmd))
				if pr.ours == "REP" {
					mustRecv(t, driver, "")
				}
			}
			stats := func() socket.ProxyStats {
				t.Helper()
				driver.send(t, b("STATISTICS"))
				m, ok := driver.recv(t, wait)
				if !ok {
					t.Fatal("no STATISTICS reply")
				}
				st, err := socket.ParseProxyStats(socket.NewMsg(m...))
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			ours{producer}.send(t, b("hello"), b("world"))
			mustRecv(t, ours{consumer}, "hello", "world")
			mustRecv(t, tap, "hello", "world")
			command("PAUSE")
			want := socket.ProxyStats{
				Frontend: socket.ProxySideStats{MsgIn: 1, BytesIn: 10},
				Backend:  socket.ProxySideStats{MsgOut: 1, BytesOut: 10},
			}
			if st := stats(); st != want {
				t.Fatalf("STATISTICS %+v, want %+v", st, want)
			}
			ours{producer}.send(t, b("held"))
			if m, ok := (ours{consumer}).recv(t, 150*time.Millisecond); ok {
				t.Fatalf("paused proxy forwarded %q", m)
			}
			command("RESUME")
			mustRecv(t, ours{consumer}, "held")
			mustRecv(t, tap, "held")
			command("TERMINATE")
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("proxy after TERMINATE: %v", err)
				}
				done <- nil // for the cleanup
			case <-time.After(wait):
				t.Fatal("proxy did not end after TERMINATE")
			}
		})
	}
}

// TestPyProxyStatisticsFormat asks libzmq's own zmq_proxy_steerable for
// STATISTICS from our REQ: ParseProxyStats reads its reply, so our reply
// (the same encoding) is what a libzmq program expects.
func TestPyProxyStatisticsFormat(t *testing.T) {
	py := testpeer.Python(t)
	script := `
import json, zmq
ctx = zmq.Context()
f = ctx.socket(zmq.PULL); f.setsockopt(zmq.LINGER, 0); f.bind("tcp://127.0.0.1:*")
b = ctx.socket(zmq.PUSH); b.setsockopt(zmq.LINGER, 0); b.bind("tcp://127.0.0.1:*")
c = ctx.socket(zmq.REP); c.setsockopt(zmq.LINGER, 0); c.bind("tcp://127.0.0.1:*")
print(json.dumps([s.getsockopt(zmq.LAST_ENDPOINT).decode() for s in (f, b, c)]), flush=True)
zmq.proxy_steerable(f, b, None, c)
`
	cmd := exec.Command(py, "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var eps []string
	dec := json.NewDecoder(out)
	got := make(chan error, 1)
	go func() { got <- dec.Decode(&eps) }()
	select {
	case err := <-got:
		if err != nil || len(eps) != 3 {
			t.Fatalf("libzmq proxy did not start: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("libzmq proxy did not start")
	}
	producer, consumer, req := newOurs(t, "PUSH"), newOurs(t, "PULL"), newOurs(t, "REQ")
	for i, s := range []*socket.Socket{producer, consumer, req} {
		if err := s.Connect(eps[i]); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for i := 0; i < 3; i++ {
		body := fmt.Sprintf("message-%d", i)
		ours{producer}.send(t, b(body), b("tail"))
		mustRecv(t, ours{consumer}, body, "tail")
		total += len(body) + 4
	}
	ours{req}.send(t, b("STATISTICS"))
	m, ok := ours{req}.recv(t, wait)
	if !ok {
		t.Fatal("libzmq proxy did not answer STATISTICS")
	}
	st, err := socket.ParseProxyStats(socket.NewMsg(m...))
	if err != nil {
		t.Fatalf("libzmq's STATISTICS reply: %v", err)
	}
	want := socket.ProxyStats{
		Frontend: socket.ProxySideStats{MsgIn: 3, BytesIn: uint64(total)},
		Backend:  socket.ProxySideStats{MsgOut: 3, BytesOut: uint64(total)},
	}
	if st != want {
		t.Fatalf("libzmq STATISTICS %+v, want %+v", st, want)
	}
}
