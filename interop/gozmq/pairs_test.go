package gozmq

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/purezmq/purezmq/socket"
)

// theirInbox receives continuously from a zmq4 socket until it is closed.
func theirInbox(s zmq4.Socket) <-chan zmq4.Msg {
	ch := make(chan zmq4.Msg, 256)
	go func() {
		defer close(ch)
		for {
			m, err := s.Recv()
			if err != nil {
				return
			}
			ch <- m
		}
	}()
	return ch
}

type pairCase struct {
	name     string
	our      socket.Type
	their    zmq4.SocketType
	ourOpts  []socket.Option
	theirOpt []zmq4.Option
	run      func(t *testing.T, o *socket.Socket, th zmq4.Socket)
}

var pairCases = []pairCase{
	{name: "PUSH-to-zmq4-PULL", our: socket.Push, their: zmq4.Pull, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		want := [][][]byte{fr("one"), fr("two", "parts"), fr("", "empty first"), {bytes.Repeat([]byte{0xab}, 70000)}}
		for _, m := range want {
			sendOurs(t, o, m...)
		}
		for _, w := range want {
			m, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(m.Frames, w, bytes.Equal) {
				t.Fatalf("zmq4 got %s, want %s", show(m.Frames), show(w))
			}
		}
	}},
	{name: "PULL-from-zmq4-PUSH", our: socket.Pull, their: zmq4.Push, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		want := [][][]byte{fr("one"), fr("two", "parts"), {bytes.Repeat([]byte{0xcd}, 300)}}
		for _, m := range want {
			if err := theirSend(th, m...); err != nil {
				t.Fatal(err)
			}
		}
		for _, w := range want {
			if m := recvOurs(t, o); !slices.EqualFunc(m.Frames, w, bytes.Equal) {
				t.Fatalf("we got %s, want %s", show(m.Frames), show(w))
			}
		}
	}},
	{name: "PUB-to-zmq4-SUB", our: socket.Pub, their: zmq4.Sub, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		// zmq4 speaks ZMTP 3.0: its subscription arrives as a "\x01news"
		// message, which our PUB must honour.
		if err := th.SetOption(zmq4.OptionSubscribe, "news"); err != nil {
			t.Fatal(err)
		}
		inbox := theirInbox(th)
		got := 0
		deadline := time.After(wait)
		for got < 3 {
			sendOurs(t, o, fr("weather", "rain")...)
			sendOurs(t, o, fr("news", "headline")...)
			select {
			case m := <-inbox:
				if string(m.Frames[0]) != "news" || !slices.EqualFunc(m.Frames, fr("news", "headline"), bytes.Equal) {
					t.Fatalf("zmq4 SUB got %s; only news was subscribed", show(m.Frames))
				}
				got++
			case <-time.After(20 * time.Millisecond):
			case <-deadline:
				t.Fatalf("zmq4 SUB got %d news messages in %v", got, wait)
			}
		}
	}},
	{name: "SUB-from-zmq4-PUB", our: socket.Sub, their: zmq4.Pub, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		if err := o.Subscribe([]byte("news")); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		got := 0
		for got < 3 {
			for _, m := range [][][]byte{fr("weather", "rain"), fr("news", "headline")} {
				if err := theirSend(th, m...); err != nil {
					t.Fatal(err)
				}
			}
			rctx, rcancel := context.WithTimeout(ctx, 20*time.Millisecond)
			m, err := o.Recv(rctx)
			rcancel()
			if ctx.Err() != nil {
				t.Fatalf("got %d news messages in %v", got, wait)
			}
			if err != nil {
				continue
			}
			if !slices.EqualFunc(m.Frames, fr("news", "headline"), bytes.Equal) {
				t.Fatalf("our SUB got %s; only news was subscribed", show(m.Frames))
			}
			got++
		}
	}},
	{name: "REQ-to-zmq4-REP", our: socket.Req, their: zmq4.Rep, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		for i := range 3 {
			req := fr(fmt.Sprintf("ping %d", i))
			sendOurs(t, o, req...)
			m, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(m.Frames, req, bytes.Equal) {
				t.Fatalf("zmq4 REP got %s, want %s", show(m.Frames), show(req))
			}
			if err := theirSend(th, []byte(fmt.Sprintf("pong %d", i))); err != nil {
				t.Fatal(err)
			}
			if r := recvOurs(t, o); !slices.EqualFunc(r.Frames, fr(fmt.Sprintf("pong %d", i)), bytes.Equal) {
				t.Fatalf("reply %s", show(r.Frames))
			}
		}
	}},
	{name: "REP-for-zmq4-REQ", our: socket.Rep, their: zmq4.Req, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		for i := range 3 {
			// zmq4's REQ fails a send while it has no connection instead of
			// waiting for one (libzmq's REQ waits), so retry until it has.
			deadline := time.Now().Add(wait)
			for {
				err := theirSend(th, []byte(fmt.Sprintf("ping %d", i)))
				if err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
			m := recvOurs(t, o)
			if !slices.EqualFunc(m.Frames, fr(fmt.Sprintf("ping %d", i)), bytes.Equal) {
				t.Fatalf("our REP got %s", show(m.Frames))
			}
			sendOurs(t, o, []byte(fmt.Sprintf("pong %d", i)))
			r, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(r.Frames, fr(fmt.Sprintf("pong %d", i)), bytes.Equal) {
				t.Fatalf("zmq4 REQ got %s", show(r.Frames))
			}
		}
	}},
	{name: "DEALER-to-zmq4-ROUTER", our: socket.Dealer, their: zmq4.Router,
		ourOpts: []socket.Option{socket.WithIdentity([]byte("our-dealer"))},
		run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
			sendOurs(t, o, fr("a", "b")...)
			m, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(m.Frames, fr("our-dealer", "a", "b"), bytes.Equal) {
				t.Fatalf("zmq4 ROUTER got %s, want our identity first", show(m.Frames))
			}
			if err := theirSend(th, fr("our-dealer", "back")...); err != nil {
				t.Fatal(err)
			}
			if r := recvOurs(t, o); !slices.EqualFunc(r.Frames, fr("back"), bytes.Equal) {
				t.Fatalf("our DEALER got %s", show(r.Frames))
			}
		}},
	{name: "ROUTER-for-zmq4-DEALER", our: socket.Router, their: zmq4.Dealer,
		theirOpt: []zmq4.Option{zmq4.WithID(zmq4.SocketIdentity("their-dealer"))},
		run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
			if err := theirSend(th, fr("x", "y")...); err != nil {
				t.Fatal(err)
			}
			m := recvOurs(t, o)
			if !slices.EqualFunc(m.Frames, fr("their-dealer", "x", "y"), bytes.Equal) {
				t.Fatalf("our ROUTER got %s, want zmq4's identity first", show(m.Frames))
			}
			sendOurs(t, o, fr("their-dealer", "reply")...)
			r, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(r.Frames, fr("reply"), bytes.Equal) {
				t.Fatalf("zmq4 DEALER got %s", show(r.Frames))
			}
		}},
	{name: "PAIR-with-zmq4-PAIR", our: socket.Pair, their: zmq4.Pair, run: func(t *testing.T, o *socket.Socket, th zmq4.Socket) {
		for i := range 3 {
			sendOurs(t, o, []byte(fmt.Sprintf("to them %d", i)))
			m, err := theirRecv(t, th, wait)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(m.Frames, fr(fmt.Sprintf("to them %d", i)), bytes.Equal) {
				t.Fatalf("zmq4 PAIR got %s", show(m.Frames))
			}
			if err := theirSend(th, fr("to us", fmt.Sprint(i))...); err != nil {
				t.Fatal(err)
			}
			if r := recvOurs(t, o); !slices.EqualFunc(r.Frames, fr("to us", fmt.Sprint(i)), bytes.Equal) {
				t.Fatalf("our PAIR got %s", show(r.Frames))
			}
		}
	}},
}

// waitHandshake waits for s's first completed handshake.
func waitHandshake(t *testing.T, s *socket.Socket) {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case ev := <-s.Monitor():
			if ev.Kind == socket.EventHandshakeSucceeded {
				return
			}
		case <-timeout:
			t.Fatalf("no handshake within %v", wait)
		}
	}
}

func TestPairsWithGoZeromq(t *testing.T) {
	for _, c := range pairCases {
		for _, transport := range []string{"tcp", "ipc"} {
			for _, weBind := range []bool{true, false} {
				name := c.name + "/" + transport + "/zmq4-binds"
				if weBind {
					name = c.name + "/" + transport + "/we-bind"
				}
				t.Run(name, func(t *testing.T) {
					o := ours(t, c.our, c.ourOpts...)
					th := theirs(t, c.their, c.theirOpt...)
					ep := "ipc://" + filepath.Join(t.TempDir(), "s")
					switch {
					case weBind && transport == "tcp":
						ep = ourBind(t, o)
					case weBind:
						if err := o.Bind(ep); err != nil {
							t.Fatal(err)
						}
					case transport == "tcp":
						ep = theirBind(t, th)
					default:
						if err := th.Listen(ep); err != nil {
							t.Fatal(err)
						}
					}
					if weBind {
						if err := th.Dial(ep); err != nil {
							t.Fatal(err)
						}
					} else {
						if err := o.Connect(ep); err != nil {
							t.Fatal(err)
						}
						waitHandshake(t, o)
					}
					c.run(t, o, th)
				})
			}
		}
	}
}
