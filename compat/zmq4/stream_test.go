package zmq4

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestStreamRawPeer: a STREAM socket through this API talks to a raw TCP
// client: connect notification, data both ways, close by an empty frame.
func TestStreamRawPeer(t *testing.T) {
	s := newSock(t, STREAM)
	s.SetRcvtimeo(5 * time.Second)
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, err := s.GetLastEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	m, err := s.RecvMessageBytes(0)
	if err != nil || len(m) != 2 || len(m[1]) != 0 {
		t.Fatalf("connect notification %q, %v", m, err)
	}
	id := m[0]
	nc.Write([]byte("ping"))
	if m, err = s.RecvMessageBytes(0); err != nil || len(m) != 2 || string(m[1]) != "ping" {
		t.Fatalf("data %q, %v", m, err)
	}
	if _, err := s.SendMessage(id, "pong"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMessage(id, ""); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(nc); err != nil || string(b) != "pong" {
		t.Fatalf("client read %q, %v; want pong then EOF", b, err)
	}
	quiet := newSock(t, STREAM)
	if err := quiet.SetStreamNotify(0); err != nil {
		t.Fatal(err)
	}
	quiet.SetRcvtimeo(5 * time.Second)
	if err := quiet.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	if ep, err = quiet.GetLastEndpoint(); err != nil {
		t.Fatal(err)
	}
	nc2, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	nc2.Write([]byte("first"))
	if m, err = quiet.RecvMessageBytes(0); err != nil || len(m) != 2 || string(m[1]) != "first" {
		t.Fatalf("with STREAM_NOTIFY 0 the first message is %q, %v; want the data", m, err)
	}
	// Switched back on after Bind, it applies to the next connection.
	if err := quiet.SetStreamNotify(1); err != nil {
		t.Fatalf("SetStreamNotify(1) after Bind = %v", err)
	}
	nc3, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc3.Close()
	if m, err = quiet.RecvMessageBytes(0); err != nil || len(m) != 2 || len(m[1]) != 0 {
		t.Fatalf("after SetStreamNotify(1) a new connection gave %q, %v; want its notification", m, err)
	}
}
