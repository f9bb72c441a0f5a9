package socket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// streamRecv receives one STREAM message and checks it is [id, data].
func streamRecv(t *testing.T, s *Socket) (id, data []byte) {
	t.Helper()
	m, err := s.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatalf("STREAM Recv: %v", err)
	}
	if len(m.Frames) != 2 {
		t.Fatalf("STREAM received %d frames %q, want [id, data]", len(m.Frames), strs(m))
	}
	return m.Frames[0], m.Frames[1]
}

// expectNotify receives a connect or disconnect notification and returns its id.
func expectNotify(t *testing.T, s *Socket) []byte {
	t.Helper()
	id, data := streamRecv(t, s)
	if len(data) != 0 {
		t.Fatalf("got data %q, want an empty notification", data)
	}
	return id
}

func streamSend(t *testing.T, s *Socket, id []byte, data string) {
	t.Helper()
	if err := s.Send(ctxT(t, 5*time.Second), NewMsg(id, []byte(data))); err != nil {
		t.Fatalf("STREAM Send: %v", err)
	}
}

func dialStreamClient(t *testing.T, ep string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

func readN(t *testing.T, nc net.Conn, n int) []byte {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(nc, b); err != nil {
		t.Fatalf("raw read: %v", err)
	}
	return b
}

// readAllRaw reads until EOF and fails unless EOF comes within 5 s.
func readAllRaw(t *testing.T, nc net.Conn) []byte {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("raw read to EOF: %v", err)
	}
	return b
}

// recvRawBytes receives STREAM messages from id until n data bytes came.
func recvRawBytes(t *testing.T, s *Socket, id []byte, n int) []byte {
	t.Helper()
	var got []byte
	for len(got) < n {
		gid, data := streamRecv(t, s)
		if !bytes.Equal(gid, id) {
			t.Fatalf("data from id %x, want %x", gid, id)
		}
		if len(data) == 0 {
			t.Fatalf("notification after %d of %d bytes", len(got), n)
		}
		if len(data) > streamReadSize {
			t.Fatalf("chunk of %d bytes, more than %d", len(data), streamReadSize)
		}
		got = append(got, data...)
	}
	return got
}

func TestStreamRawTCPClient(t *testing.T) {
	s := newSock(t, Stream)
	ep := bindAt(t, s, "tcp")
	nc := dialStreamClient(t, ep)
	id := expectNotify(t, s)
	if len(id) != 5 || id[0] != 0 {
		t.Fatalf("generated routing id %x, want 5 bytes starting with 0", id)
	}
	if _, err := nc.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := recvRawBytes(t, s, id, 18); string(got) != "GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("got %q", got)
	}
	streamSend(t, s, id, "HTTP/1.0 200 OK\r\n\r\nhi")
	// [id, ""] closes the connection after what was sent before it.
	streamSend(t, s, id, "")
	if got := readAllRaw(t, nc); string(got) != "HTTP/1.0 200 OK\r\n\r\nhi" {
		t.Fatalf("client read %q", got)
	}
	// A peer the application closed is not announced as gone: the next
	// message is the connect notification of a new client.
	nc2 := dialStreamClient(t, ep)
	id2 := expectNotify(t, s)
	if bytes.Equal(id2, id) {
		t.Fatalf("new client got the closed client's id %x", id)
	}
	nc2.Write([]byte("x"))
	if got := recvRawBytes(t, s, id2, 1); string(got) != "x" {
		t.Fatalf("got %q", got)
	}
	// The closed peer is unroutable now.
	err := s.Send(ctxT(t, time.Second), NewMsg(id, []byte("late")))
	if !errors.Is(err, ErrHostUnreachable) {
		t.Fatalf("send to closed peer: %v, want ErrHostUnreachable", err)
	}
}

func TestStreamDisconnectNotification(t *testing.T) {
	s := newSock(t, Stream)
	ep := bindAt(t, s, "tcp")
	a := dialStreamClient(t, ep)
	ida := expectNotify(t, s)
	b := dialStreamClient(t, ep)
	idb := expectNotify(t, s)
	// Replies go to the right peer.
	streamSend(t, s, idb, "to-b")
	streamSend(t, s, ida, "to-a")
	if got := readN(t, a, 4); string(got) != "to-a" {
		t.Fatalf("a read %q", got)
	}
	if got := readN(t, b, 4); string(got) != "to-b" {
		t.Fatalf("b read %q", got)
	}
	a.Write([]byte("bye"))
	a.Close()
	if got := recvRawBytes(t, s, ida, 3); string(got) != "bye" {
		t.Fatalf("got %q", got)
	}
	if id := expectNotify(t, s); !bytes.Equal(id, ida) {
		t.Fatalf("disconnect notification for %x, want %x", id, ida)
	}
	waitFor(t, 5*time.Second, "a unroutable", func() bool {
		return errors.Is(s.TrySend(NewMsg(ida, []byte("x"))), ErrHostUnreachable)
	})
	streamSend(t, s, idb, "still")
	if got := readN(t, b, 5); string(got) != "still" {
		t.Fatalf("b read %q", got)
	}
}

func TestStreamNotifyOff(t *testing.T) {
	s := newSock(t, Stream, WithStreamNotify(false))
	ep := bindAt(t, s, "tcp")
	nc := dialStreamClient(t, ep)
	nc.Write([]byte("first"))
	id, data := streamRecv(t, s)
	if string(data) != "first" {
		t.Fatalf("first message %q, want the data (no notification)", data)
	}
	nc.Close()
	nc2 := dialStreamClient(t, ep)
	nc2.Write([]byte("second"))
	id2, data := streamRecv(t, s)
	if string(data) != "second" || bytes.Equal(id, id2) {
		t.Fatalf("got [%x %q] after [%x first], want the second client's data", id2, data, id)
	}
}

func TestStreamConnectRoutingID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ep := "tcp://" + ln.Addr().String()
	// The option applies to the first Connect only; ConnectWithRoutingID
	// names a peer directly; a plain Connect generates an id.
	s := newSock(t, Stream, WithConnectRoutingID([]byte("first")))
	connectTo(t, s, ep)
	if err := s.ConnectWithRoutingID(ep, []byte("second")); err != nil {
		t.Fatal(err)
	}
	connectTo(t, s, ep)
	// Accepts and notifications may come in different orders: each
	// accepted connection says which it is, and its data carries its id.
	var accepted []net.Conn
	notified := map[string]bool{}
	for i := 0; i < 3; i++ {
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		accepted = append(accepted, nc)
		notified[string(expectNotify(t, s))] = true
	}
	conns := map[string]net.Conn{}
	for i, nc := range accepted {
		nc.Write([]byte{'0' + byte(i)})
		id, data := streamRecv(t, s)
		if len(data) != 1 || !notified[string(id)] {
			t.Fatalf("got [%x %q], want one byte from a notified peer", id, data)
		}
		conns[string(id)] = accepted[data[0]-'0']
	}
	var generated string
	for id := range conns {
		if id != "first" && id != "second" {
			generated = id
		}
	}
	if conns["first"] == nil || conns["second"] == nil || len(generated) != 5 || generated[0] != 0 {
		t.Fatalf("routing ids %q, want first, second and a generated one", keys(conns))
	}
	for id, nc := range conns {
		streamSend(t, s, []byte(id), "hello "+id)
		if got := readN(t, nc, 6+len(id)); string(got) != "hello "+id {
			t.Fatalf("%q read %q", id, got)
		}
		nc.Write([]byte("from " + id))
		if got := recvRawBytes(t, s, []byte(id), 5+len(id)); string(got) != "from "+id {
			t.Fatalf("got %q", got)
		}
	}
	// The listener side closes "second": a disconnect notification, then
	// the endpoint reconnects with the same id.
	conns["second"].Close()
	if id := expectNotify(t, s); string(id) != "second" {
		t.Fatalf("disconnect of %q, want second", id)
	}
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if id := expectNotify(t, s); string(id) != "second" {
		t.Fatalf("reconnect announced as %q, want second", id)
	}
	// Closing a connected peer from our side ends that endpoint for good.
	streamSend(t, s, []byte("first"), "")
	readAllRaw(t, conns["first"])
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(300 * time.Millisecond))
	// Another endpoint's late redial may land in this window on a loaded
	// machine; only one announced as "first" is a failure.
	if c, err := ln.Accept(); err == nil {
		defer c.Close()
		if id := expectNotify(t, s); string(id) == "first" {
			t.Fatal("endpoint reconnected after the application closed its peer")
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestStreamRoutingIDInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ep := "tcp://" + ln.Addr().String()
	s := newSock(t, Stream, WithReconnectInterval(time.Hour), WithConnectRoutingID([]byte("dup")))
	if err := s.ConnectWithRoutingID(ep, []byte("dup")); err != nil {
		t.Fatal(err)
	}
	expectNotifyAccept(t, s, ln)
	// Known in use at Connect time: refused at once.
	if err := s.ConnectWithRoutingID(ep, []byte("dup")); !errors.Is(err, ErrPeerRefused) {
		t.Fatalf("second ConnectWithRoutingID: %v, want ErrPeerRefused", err)
	}
	// Set by option, it is only found in use once connected: that
	// connection is refused, with a monitor event saying why.
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
	e := waitEvent(t, s, EventPeerRefused, 5*time.Second)
	if !errors.Is(e.Err, ErrPeerRefused) {
		t.Fatalf("refusal %v, want ErrPeerRefused", e.Err)
	}
	if err := newSock(t, Pull).ConnectWithRoutingID(ep, []byte("x")); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("ConnectWithRoutingID on PULL: %v, want ErrNotSupported", err)
	}
}

func expectNotifyAccept(t *testing.T, s *Socket, ln net.Listener) net.Conn {
	t.Helper()
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	expectNotify(t, s)
	return nc
}

func TestStreamLargeTransferBothWays(t *testing.T) {
	s := newSock(t, Stream)
	ep := bindAt(t, s, "tcp")
	nc := dialStreamClient(t, ep)
	id := expectNotify(t, s)
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	go nc.Write(big)
	if got := recvRawBytes(t, s, id, len(big)); !bytes.Equal(got, big) {
		t.Fatal("received bytes differ")
	}
	if err := s.Send(ctxT(t, 5*time.Second), NewMsg(id, big)); err != nil {
		t.Fatal(err)
	}
	streamSend(t, s, id, "")
	if got := readAllRaw(t, nc); !bytes.Equal(got, big) {
		t.Fatalf("client read %d bytes, want %d then EOF", len(got), len(big))
	}
}

func TestStreamIPC(t *testing.T) {
	s := newSock(t, Stream)
	ep := bindAt(t, s, "ipc")
	nc, err := net.Dial("unix", strings.TrimPrefix(ep, "ipc://"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	id := expectNotify(t, s)
	nc.Write([]byte("ping"))
	if got := recvRawBytes(t, s, id, 4); string(got) != "ping" {
		t.Fatalf("got %q", got)
	}
	streamSend(t, s, id, "pong")
	if got := readN(t, nc, 4); string(got) != "pong" {
		t.Fatalf("read %q", got)
	}
}

func TestStreamTwoStreams(t *testing.T) {
	srv := newSock(t, Stream)
	ep := bindAt(t, srv, "tcp")
	cli := newSock(t, Stream)
	if err := cli.ConnectWithRoutingID(ep, []byte("srv")); err != nil {
		t.Fatal(err)
	}
	if id := expectNotify(t, cli); string(id) != "srv" {
		t.Fatalf("client notified of %q", id)
	}
	cid := expectNotify(t, srv)
	streamSend(t, cli, []byte("srv"), "abc")
	if got := recvRawBytes(t, srv, cid, 3); string(got) != "abc" {
		t.Fatalf("got %q", got)
	}
	streamSend(t, srv, cid, "xyz")
	if got := recvRawBytes(t, cli, []byte("srv"), 3); string(got) != "xyz" {
		t.Fatalf("got %q", got)
	}
	// The server closes: the client hears the disconnect.
	streamSend(t, srv, cid, "")
	if id := expectNotify(t, cli); string(id) != "srv" {
		t.Fatalf("disconnect of %q", id)
	}
}

func TestStreamErrors(t *testing.T) {
	s := newSock(t, Stream)
	if err := s.Bind("inproc://stream-x"); !errors.Is(err, ErrStreamTransport) {
		t.Errorf("Bind inproc: %v, want ErrStreamTransport", err)
	}
	if err := s.Connect("inproc://stream-x"); !errors.Is(err, ErrStreamTransport) {
		t.Errorf("Connect inproc: %v, want ErrStreamTransport", err)
	}
	if err := s.Send(context.Background(), NewMsg([]byte("nobody"), []byte("x"))); !errors.Is(err, ErrHostUnreachable) {
		t.Errorf("Send to unknown id: %v, want ErrHostUnreachable", err)
	}
	if err := s.Send(context.Background(), NewMsg([]byte("only-id"))); !errors.Is(err, ErrBadMessage) {
		t.Errorf("Send without data: %v, want ErrBadMessage", err)
	}
	if _, err := New(Stream, WithRetention(Retention{TTL: time.Second})); !errors.Is(err, ErrBadOption) {
		t.Errorf("STREAM with retention: %v, want ErrBadOption", err)
	}
	if _, err := New(Stream, WithPlainClient("u", "p")); !errors.Is(err, ErrBadOption) {
		t.Errorf("STREAM with PLAIN: %v, want ErrBadOption", err)
	}
	if _, err := New(Stream, WithHeartbeat(time.Second, time.Second, time.Second)); !errors.Is(err, ErrBadOption) {
		t.Errorf("STREAM with heartbeats: %v, want ErrBadOption", err)
	}
	if _, err := New(Stream, WithConnectRoutingID([]byte{0, 1})); !errors.Is(err, ErrBadOption) {
		t.Errorf("zero-led connect routing id: %v, want ErrBadOption", err)
	}
	if err := s.ConnectWithRoutingID("tcp://127.0.0.1:1", nil); !errors.Is(err, ErrBadOption) {
		t.Errorf("empty connect routing id: %v, want ErrBadOption", err)
	}
	if got, err := ParseType("stream"); err != nil || got != Stream || Stream.String() != "STREAM" {
		t.Errorf("ParseType(stream) = %v, %v", got, err)
	}
}

// TestStreamPoll: a STREAM is readable once a raw client connected (the
// notification) and writable once it has a peer; Poll takes nothing off it.
func TestStreamPoll(t *testing.T) {
	s := newSock(t, Stream)
	ep := bindAt(t, s, "tcp")
	if ev := s.Events(); ev != 0 {
		t.Fatalf("events with no peer: %v, want none", ev)
	}
	nc := dialStreamClient(t, ep)
	ev, err := s.Poll(ctxT(t, 5*time.Second), PollIn)
	if err != nil || ev != PollIn {
		t.Fatalf("Poll = %v, %v; want in", ev, err)
	}
	if ev := s.Events(); ev != PollIn|PollOut {
		t.Fatalf("events with a peer and its notification: %v, want in|out", ev)
	}
	id := expectNotify(t, s)
	nc.Write([]byte("x"))
	if ev, err := s.Poll(ctxT(t, 5*time.Second), PollIn); err != nil || ev != PollIn {
		t.Fatalf("Poll = %v, %v; want in", ev, err)
	}
	if got := recvRawBytes(t, s, id, 1); string(got) != "x" {
		t.Fatalf("got %q", got)
	}
}

// TestStreamCloseLingers: Close flushes what was sent to a raw peer (the
// linger covers raw connections too), and with a peer that reads nothing it
// returns once the linger is up.
func TestStreamCloseLingers(t *testing.T) {
	s, err := New(Stream, WithLinger(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ep := bindAt(t, s, "tcp")
	nc := dialStreamClient(t, ep)
	id := expectNotify(t, s)
	big := bytes.Repeat([]byte("z"), 1<<20)
	if err := s.Send(ctxT(t, 5*time.Second), NewMsg(id, big)); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	if got := readAllRaw(t, nc); len(got) != len(big) {
		t.Fatalf("client read %d bytes before EOF, want %d", len(got), len(big))
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}

	// A small kernel send buffer, so that what is queued cannot all leave.
	s2, err := New(Stream, WithLinger(100*time.Millisecond), WithSendBuffer(4096))
	if err != nil {
		t.Fatal(err)
	}
	ep = bindAt(t, s2, "tcp")
	stuck := dialStreamClient(t, ep) // reads nothing until Close returned
	stuck.(*net.TCPConn).SetReadBuffer(4096)
	id = expectNotify(t, s2)
	for i := 0; i < 4; i++ { // more than the kernel buffers hold
		if err := s2.Send(ctxT(t, 5*time.Second), NewMsg(id, big)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	s2.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v with a 100ms linger", d)
	}
	// The linger cut the connection with data still queued: the peer
	// gets less than was sent, then EOF.
	if got := readAllRaw(t, stuck); len(got) >= 4*len(big) {
		t.Fatalf("peer got all %d bytes; the linger should have cut the rest", len(got))
	}
}

// TestStreamSetOption: CONNECT_ROUTING_ID and STREAM_NOTIFY change at run
// time as in libzmq: the routing id for the next Connect only, the
// notification setting for connections made afterwards.
func TestStreamSetOption(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ep := "tcp://" + ln.Addr().String()
	s := newSock(t, Stream)
	if err := s.SetOption(WithConnectRoutingID([]byte("set-live"))); err != nil {
		t.Fatal(err)
	}
	connectTo(t, s, ep)
	accepted, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer accepted.Close()
	if id := expectNotify(t, s); string(id) != "set-live" {
		t.Fatalf("connected peer's id %q, want set-live", id)
	}
	// The id was consumed: it is no longer in the options.
	if got := s.opt().stream.connectRID; got != nil {
		t.Fatalf("connect routing id %q still set after Connect", got)
	}
	if err := s.SetOption(WithStreamNotify(false)); err != nil {
		t.Fatal(err)
	}
	srv := bindAt(t, s, "tcp")
	nc := dialStreamClient(t, srv)
	nc.Write([]byte("quiet"))
	id, data := streamRecv(t, s)
	if string(data) != "quiet" || string(id) == "set-live" {
		t.Fatalf("got [%q %q], want the new client's data without a notification", id, data)
	}
}
