package socket

import (
	"context"
	"testing"
	"time"
)

// BenchmarkPollerWaitReady is the cost of one Wait over four PULL sockets
// of which one has a message queued: the look at every socket, no
// blocking. The message stays queued, so every iteration sees the same.
func BenchmarkPollerWaitReady(b *testing.B) {
	for _, tr := range []string{"inproc", "tcp"} {
		b.Run(tr, func(b *testing.B) { benchPollerWaitReady(b, tr) })
	}
}

func benchPollerWaitReady(b *testing.B, transport string) {
	var pulls [4]*Socket
	var push *Socket
	for i := range pulls {
		pulls[i] = newSock(b, Pull)
		push = newSock(b, Push)
		connectTo(b, push, bindAt(b, pulls[i], transport))
	}
	if err := push.Send(context.Background(), NewMsg([]byte("x"))); err != nil {
		b.Fatal(err)
	}
	waitFor(b, 5*time.Second, "the message", func() bool { return pulls[3].Events() != 0 })
	p := NewPoller()
	defer p.Close()
	for _, s := range pulls {
		p.Add(s, PollIn)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r, err := p.Wait(ctx); err != nil || len(r) != 1 {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkPollerWaitWake is the cost of a Wait that blocks and is woken:
// a ping-pong between two goroutines over two inproc PUSH/PULL pairs, each
// side polling its PULL before receiving. One op is one round trip, so two
// blocking Waits (and two Recv, two Send).
func BenchmarkPollerWaitWake(b *testing.B) {
	pingPush, pingPull := newSock(b, Push), newSock(b, Pull)
	pongPush, pongPull := newSock(b, Push), newSock(b, Pull)
	connectTo(b, pingPush, bindAt(b, pingPull, "inproc"))
	connectTo(b, pongPush, bindAt(b, pongPull, "inproc"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { // the echo side
		defer close(done)
		p := NewPoller()
		defer p.Close()
		p.Add(pingPull, PollIn)
		for {
			if _, err := p.Wait(ctx); err != nil {
				return
			}
			m, err := pingPull.TryRecv()
			if err != nil {
				b.Error(err)
				return
			}
			if err := pongPush.SendOwned(ctx, m); err != nil {
				return
			}
		}
	}()
	p := NewPoller()
	defer p.Close()
	p.Add(pongPull, PollIn)
	msg := NewMsg([]byte("ping"))
	b.ReportAllocs()
	for b.Loop() {
		if err := pingPush.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Wait(ctx); err != nil {
			b.Fatal(err)
		}
		m, err := pongPull.TryRecv()
		if err != nil {
			b.Fatal(err)
		}
		m.Release()
	}
	cancel()
	<-done
}

// BenchmarkSocketPollWake is BenchmarkPollerWaitWake with Socket.Poll
// (one socket, its own signals) instead of a Poller.
func BenchmarkSocketPollWake(b *testing.B) {
	pingPush, pingPull := newSock(b, Push), newSock(b, Pull)
	pongPush, pongPull := newSock(b, Push), newSock(b, Pull)
	connectTo(b, pingPush, bindAt(b, pingPull, "inproc"))
	connectTo(b, pongPush, bindAt(b, pongPull, "inproc"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := pingPull.Poll(ctx, PollIn); err != nil {
				return
			}
			m, err := pingPull.TryRecv()
			if err != nil {
				b.Error(err)
				return
			}
			if err := pongPush.SendOwned(ctx, m); err != nil {
				return
			}
		}
	}()
	msg := NewMsg([]byte("ping"))
	b.ReportAllocs()
	for b.Loop() {
		if err := pingPush.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := pongPull.Poll(ctx, PollIn); err != nil {
			b.Fatal(err)
		}
		m, err := pongPull.TryRecv()
		if err != nil {
			b.Fatal(err)
		}
		m.Release()
	}
	cancel()
	<-done
}
