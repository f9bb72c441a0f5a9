package socket_test

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// A pipeline over inproc: PUSH round-robins, PULL fair-queues.
func Example_pushPull() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pull, _ := socket.New(socket.Pull)
	defer pull.Close()
	pull.Bind("inproc://example-pipeline")
	push, _ := socket.New(socket.Push)
	defer push.Close()
	push.Connect("inproc://example-pipeline")

	push.Send(ctx, socket.NewMsg([]byte("job"), []byte("42")))
	m, err := pull.Recv(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s\n", m.Frames[0], m.Frames[1])
	// Output: job 42
}

// A durable subscriber: the publisher keeps what it sends while the
// subscriber with identity "Hello" is away and delivers it on its return.
func Example_durableSubscriber() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pub, _ := socket.New(socket.Pub, socket.WithRetention(socket.Retention{TTL: time.Minute}))
	defer pub.Close()
	events := pub.Monitor()
	pub.Bind("tcp://127.0.0.1:0")
	ep := pub.Endpoints()[0]
	waitFor := func(kind socket.EventKind) {
		for ev := range events {
			if ev.Kind == kind {
				return
			}
		}
	}

	sub, _ := socket.New(socket.Sub, socket.WithIdentity([]byte("Hello")))
	sub.Subscribe(nil)
	sub.Connect(ep)
	// Publish until the subscriber hears something: then its subscription
	// has reached the publisher (libzmq's "slow joiner" has the same gap).
	for {
		pub.Send(ctx, socket.NewMsg([]byte("sync")))
		rctx, stop := context.WithTimeout(ctx, 10*time.Millisecond)
		_, err := sub.Recv(rctx)
		stop()
		if err == nil {
			break
		}
	}
	sub.Close()
	waitFor(socket.EventRetained) // the publisher keeps the subscriber's pipe

	pub.Send(ctx, socket.NewMsg([]byte("sent while away")))

	sub, _ = socket.New(socket.Sub, socket.WithIdentity([]byte("Hello")))
	defer sub.Close()
	sub.Subscribe(nil)
	sub.Connect(ep)
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if string(m.Frames[0]) != "sync" { // a late sync may come first
			fmt.Printf("%s\n", m.Frames[0])
			return
		}
	}
	// Output: sent while away
}
