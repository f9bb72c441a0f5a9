package gozmq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/purezmq/purezmq/socket"
)

const wait = 10 * time.Second

var errTheirRecvTimeout = errors.New("gozmq test: zmq4 Recv timed out")

// ours makes a purezmq socket that is closed when the test ends.
func ours(t *testing.T, typ socket.Type, opts ...socket.Option) *socket.Socket {
	t.Helper()
	s, err := socket.New(typ, append([]socket.Option{socket.WithLinger(time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// theirs makes a zmq4 socket that is closed when the test ends. zmq4's Dial
// gives up after ten tries by default; a longer budget keeps slow CI
// machines from failing on that.
func theirs(t *testing.T, typ zmq4.SocketType, opts ...zmq4.Option) zmq4.Socket {
	t.Helper()
	ctx := context.Background()
	opts = append([]zmq4.Option{zmq4.WithDialerRetry(50 * time.Millisecond), zmq4.WithDialerMaxRetries(100),
		// zmq4 logs every connection reset to stderr, which closing test
		// sockets cause by design.
		zmq4.WithLogger(log.New(io.Discard, "", 0))}, opts...)
	var s zmq4.Socket
	switch typ {
	case zmq4.Push:
		s = zmq4.NewPush(ctx, opts...)
	case zmq4.Pull:
		s = zmq4.NewPull(ctx, opts...)
	case zmq4.Pub:
		s = zmq4.NewPub(ctx, opts...)
	case zmq4.Sub:
		s = zmq4.NewSub(ctx, opts...)
	case zmq4.Req:
		s = zmq4.NewReq(ctx, opts...)
	case zmq4.Rep:
		s = zmq4.NewRep(ctx, opts...)
	case zmq4.Dealer:
		s = zmq4.NewDealer(ctx, opts...)
	case zmq4.Router:
		s = zmq4.NewRouter(ctx, opts...)
	case zmq4.Pair:
		s = zmq4.NewPair(ctx, opts...)
	default:
		t.Fatalf("no zmq4 constructor for %v", typ)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ourBind binds s to a fresh loopback port and returns the resolved endpoint.
func ourBind(t *testing.T, s *socket.Socket) string {
	t.Helper()
	if err := s.Bind("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	eps := s.Endpoints()
	if len(eps) != 1 || strings.HasSuffix(eps[0], ":0") {
		t.Fatalf("Endpoints() = %q, want one resolved endpoint", eps)
	}
	return eps[0]
}

// theirBind makes zmq4 listen on a fresh loopback port.
func theirBind(t *testing.T, s zmq4.Socket) string {
	t.Helper()
	if err := s.Listen("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	return "tcp://" + s.Addr().String()
}

// theirRecv bounds zmq4's Recv, which has no timeout of its own: on timeout
// the socket is closed, which ends the blocked Recv.
func theirRecv(t *testing.T, s zmq4.Socket, timeout time.Duration) (zmq4.Msg, error) {
	t.Helper()
	type res struct {
		m   zmq4.Msg
		err error
	}
	ch := make(chan res, 1)
	go func() {
		m, err := s.Recv()
		ch <- res{m, err}
	}()
	select {
	case r := <-ch:
		return r.m, r.err
	case <-time.After(timeout):
		s.Close()
		<-ch
		return zmq4.Msg{}, errTheirRecvTimeout
	}
}

// theirSend sends a message, multipart when it has several frames.
func theirSend(s zmq4.Socket, frames ...[]byte) error {
	m := zmq4.NewMsgFrom(frames...)
	if len(frames) > 1 {
		return s.SendMulti(m)
	}
	return s.Send(m)
}

func recvOurs(t *testing.T, s *socket.Socket) socket.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatalf("our %v Recv: %v", s.Type(), err)
	}
	return m
}

func sendOurs(t *testing.T, s *socket.Socket, frames ...[]byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := s.Send(ctx, socket.NewMsg(frames...)); err != nil {
		t.Fatalf("our %v Send: %v", s.Type(), err)
	}
}

func fr(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func show(frames [][]byte) string {
	parts := make([]string, len(frames))
	for i, f := range frames {
		parts[i] = fmt.Sprintf("%q", f)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// freeTCP returns a loopback tcp endpoint whose port was free a moment ago.
func freeTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}
