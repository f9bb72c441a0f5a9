package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Benchmarks of routing a message through a whole socket (handler, strategy,
// pipe, counters) when the mute action decides its fate. Dropping and
// refusing are what a socket does under overload, so they must cost no
// allocation: a publisher flooding a stalled subscriber must not make
// garbage for every message it throws away.

const benchPayload = 64

func benchMsg(frames ...[]byte) Msg {
	return Msg{Frames: append(frames, make([]byte, benchPayload))}
}

func benchSock(b testing.TB, typ Type, opts ...Option) *Socket {
	b.Helper()
	s, err := New(typ, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// stalledPub is a PUB whose one subscriber's inproc pipe is at its HWM.
func stalledPub(tb testing.TB) (*Socket, Msg) {
	pub := benchSock(tb, Pub, WithSendHWM(1))
	sub := benchSock(tb, Sub, WithRecvHWM(1))
	sub.Subscribe(nil)
	connectTo(tb, sub, bindAt(tb, pub, "inproc"))
	m := benchMsg()
	for pub.Stats().Dropped == 0 {
		if err := pub.TrySend(m); err != nil {
			tb.Fatal(err)
		}
	}
	return pub, m
}

// fullRouter is a ROUTER whose one peer, "d", has a full inproc pipe.
func fullRouter(tb testing.TB) (*Socket, Msg) {
	router := benchSock(tb, Router, WithSendHWM(1))
	dealer := benchSock(tb, Dealer, WithIdentity([]byte("d")), WithRecvHWM(1))
	connectTo(tb, dealer, bindAt(tb, router, "inproc"))
	if err := dealer.Send(context.Background(), NewMsg([]byte("hi"))); err != nil {
		tb.Fatal(err)
	}
	if _, err := router.Recv(context.Background()); err != nil {
		tb.Fatal(err)
	}
	m := benchMsg([]byte("d"))
	for router.Stats().Dropped == 0 {
		if err := router.TrySend(m); err != nil {
			tb.Fatal(err)
		}
	}
	return router, m
}

// fullPush is a PUSH whose only inproc pipe is full.
func fullPush(tb testing.TB) (*Socket, Msg) {
	push := benchSock(tb, Push, WithSendHWM(1))
	pull := benchSock(tb, Pull, WithRecvHWM(1))
	connectTo(tb, push, bindAt(tb, pull, "inproc"))
	m := benchMsg()
	for push.TrySend(m) == nil {
	}
	return push, m
}

// TestRouteMuteDoesNotAllocate holds the overload paths to the benchmarks'
// 0 allocs/op in every test run, not only when someone benchmarks.
func TestRouteMuteDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	pub, pm := stalledPub(t)
	router, rm := fullRouter(t)
	push, sm := fullPush(t)
	cases := []struct {
		name string
		f    func()
	}{
		{"pub drop, owned", func() { _ = pub.SendOwned(ctx, pm) }},
		{"router drop, owned", func() { _ = router.SendOwned(ctx, rm) }},
		{"push would block, owned", func() { _ = push.TrySendOwned(sm) }},
	}
	// Send's copy comes from sync.Pool, which drops entries at random under
	// the race detector: the copying paths are checked without it.
	if !raceEnabled {
		cases = append(cases, []struct {
			name string
			f    func()
		}{
			{"pub drop", func() { _ = pub.Send(ctx, pm) }},
			{"router drop", func() { _ = router.Send(ctx, rm) }},
			{"push would block", func() { _ = push.TrySend(sm) }},
		}...)
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(1000, c.f); n != 0 {
			t.Errorf("%s: %v allocs per message, want 0", c.name, n)
		}
	}
}

// BenchmarkRoutePubDropStalled: PUB with one subscriber whose inproc pipe
// is at its HWM; every Send drops.
func BenchmarkRoutePubDropStalled(b *testing.B) {
	pub, m := stalledPub(b)
	benchDrops(b, pub, m)
}

// BenchmarkRouteRouterDropFull: ROUTER sending to a known peer whose pipe is
// full; every Send drops.
func BenchmarkRouteRouterDropFull(b *testing.B) {
	router, m := fullRouter(b)
	benchDrops(b, router, m)
}

// benchDrops times Sends that must all be dropped, and checks they were.
func benchDrops(b *testing.B, s *Socket, m Msg) {
	ctx := context.Background()
	before := s.Stats().Dropped
	b.SetBytes(benchPayload)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got := s.Stats().Dropped - before; got != uint64(b.N) {
		b.Fatalf("dropped %d of %d", got, b.N)
	}
}

// BenchmarkRoutePushTrySendFull: PUSH whose only pipe is full; every
// TrySend reports ErrWouldBlock.
func BenchmarkRoutePushTrySendFull(b *testing.B) {
	push, m := fullPush(b)
	b.SetBytes(benchPayload)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := push.TrySend(m); !errors.Is(err, ErrWouldBlock) {
			b.Fatalf("TrySend on a full pipe: %v", err)
		}
	}
}

// BenchmarkRoutePubFanout10: PUB to ten inproc subscribers with unlimited
// pipes, each drained by its own reader; SetBytes counts one copy.
func BenchmarkRoutePubFanout10(b *testing.B) {
	pub := benchSock(b, Pub, WithSendHWM(0))
	ep := bindAt(b, pub, "inproc")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for i := 0; i < 10; i++ {
		sub := benchSock(b, Sub, WithRecvHWM(0))
		sub.Subscribe(nil)
		connectTo(b, sub, ep)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := sub.Recv(ctx); err != nil {
					return
				}
			}
		}()
	}
	m := benchMsg()
	b.SetBytes(benchPayload)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pub.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if d := pub.Stats().Dropped; d != 0 {
		b.Fatal(fmt.Sprintf("fan-out with room dropped %d", d))
	}
}
