package zmq4

import (
	"encoding/binary"
	"testing"
	"time"
)

// TestProxySteerableCaptureAndControl: a capture socket gets a copy of each
// forwarded message, and a REP control socket answers PAUSE, RESUME,
// STATISTICS and TERMINATE, after which ProxySteerable returns nil.
func TestProxySteerableCaptureAndControl(t *testing.T) {
	front, back, capEP, ctlEP := inproc(), inproc(), inproc(), inproc()
	pull, push := newSock(t, PULL), newSock(t, PUSH)
	capture, control := newSock(t, PUSH), newSock(t, REP)
	for s, ep := range map[*Socket]string{pull: front, push: back, capture: capEP, control: ctlEP} {
		if err := s.Bind(ep); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- ProxySteerable(pull, push, capture, control) }()
	producer, consumer, tap, req := newSock(t, PUSH), newSock(t, PULL), newSock(t, PULL), newSock(t, REQ)
	for s, ep := range map[*Socket]string{producer: front, consumer: back, tap: capEP, req: ctlEP} {
		if err := s.Connect(ep); err != nil {
			t.Fatal(err)
		}
		s.SetRcvtimeo(5 * time.Second)
	}
	if _, err := producer.SendMessage("job", "1"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Socket{consumer, tap} {
		if m, err := s.RecvMessage(0); err != nil || len(m) != 2 || m[0] != "job" || m[1] != "1" {
			t.Fatalf("got %q %v", m, err)
		}
	}
	for _, cmd := range []string{"PAUSE", "RESUME"} {
		req.Send(cmd, 0)
		if m, err := req.Recv(0); err != nil || m != "" {
			t.Fatalf("%s answered %q %v", cmd, m, err)
		}
	}
	req.Send("STATISTICS", 0)
	m, err := req.RecvMessageBytes(0)
	if err != nil || len(m) != 8 {
		t.Fatalf("STATISTICS answered %d frames, %v", len(m), err)
	}
	if in, out := binary.NativeEndian.Uint64(m[0]), binary.NativeEndian.Uint64(m[6]); in != 1 || out != 1 {
		t.Fatalf("statistics: frontend in %d, backend out %d, want 1 and 1", in, out)
	}
	req.Send("TERMINATE", 0)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ProxySteerable after TERMINATE: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ProxySteerable did not return after TERMINATE")
	}
}
