package socket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/memconn"
	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// durablePub makes a PUB that retains subscribers by identity and keeps
// their backlogs in dir.
func durablePub(t *testing.T, dir string, writeThrough bool) *Socket {
	t.Helper()
	return newSock(t, Pub, WithSendHWM(1), WithSwap(1<<20, dir), WithWriteThrough(writeThrough),
		WithRetention(Retention{TTL: time.Minute}))
}

// helloSub connects a SUB with identity "Hello" subscribed to everything.
func helloSub(t *testing.T, ep string) *Socket {
	t.Helper()
	sub := newSock(t, Sub, WithIdentity([]byte("Hello")), WithLinger(0))
	if err := sub.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	connectTo(t, sub, ep)
	return sub
}

func publish(t *testing.T, pub *Socket, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		send(t, pub, fmt.Sprintf("Update %d", i))
	}
}

// expectUpdates receives "Update from" ... "Update to-1" in order, skipping
// the sync messages of syncSub, then checks that nothing else arrives.
func expectUpdates(t *testing.T, sub *Socket, from, to int) {
	t.Helper()
	for i := from; i < to; {
		got := recv(t, sub)
		if got[0] == "sync" {
			continue
		}
		if want := fmt.Sprintf("Update %d", i); len(got) != 1 || got[0] != want {
			t.Fatalf("received %q, want %q", got, want)
		}
		i++
	}
	for {
		m, err := sub.Recv(ctxT(t, 150*time.Millisecond))
		if err != nil {
			return
		}
		if s := strs(m); s[0] != "sync" {
			t.Fatalf("received %q after Update %d", s, to-1)
		}
	}
}

func TestWriteThroughNeedsSwapAndRetention(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]Option{
		"alone":     {WithWriteThrough(true)},
		"no swap":   {WithWriteThrough(true), WithRetention(Retention{})},
		"no retain": {WithWriteThrough(true), WithSwap(1<<20, dir)},
		"user key":  {WithWriteThrough(true), WithSwap(1<<20, dir), WithRetention(Retention{KeyBy: KeyUser})},
	}
	for name, opts := range cases {
		s, err := New(Pub, opts...)
		if err == nil {
			s.Close()
			t.Fatalf("%s: New succeeded", name)
		}
		var oe *OptionError
		if !errors.Is(err, ErrBadOption) || !errors.As(err, &oe) {
			t.Fatalf("%s: %v, want an *OptionError matching ErrBadOption", name, err)
		}
	}
	s, err := New(Pub, WithWriteThrough(false))
	if err != nil {
		t.Fatalf("WithWriteThrough(false) alone: %v", err)
	}
	s.Close()
}

// TestRecoverAfterClose is the durable subscriber across a clean restart of
// the publisher: what was published while the subscriber was away is kept
// on disk by Close and delivered, once and in order, by the next PUB on the
// same directory, together with what that PUB publishes before the
// subscriber returns (its subscription was saved too).
func TestRecoverAfterClose(t *testing.T) {
	for _, wt := range []bool{false, true} {
		t.Run(fmt.Sprintf("writeThrough=%v", wt), func(t *testing.T) {
			dir := t.TempDir()
			pub := durablePub(t, dir, wt)
			ep := bindAt(t, pub, "tcp")
			sub := helloSub(t, ep)
			syncSub(t, pub, sub, "sync")
			publish(t, pub, 0, 3)
			expectUpdates(t, sub, 0, 3)
			sub.Close()
			waitFor(t, 5*time.Second, "the subscriber to be retained", func() bool { return pub.Stats().Retained == 1 })
			publish(t, pub, 3, 8)
			if err := pub.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(queue.RingPath(dir, "Hello")); err != nil {
				t.Fatalf("no ring left by Close: %v", err)
			}

			pub2 := durablePub(t, dir, wt)
			e := waitEvent(t, pub2, EventRetained, time.Second)
			if e.Peer != "Hello" || !errors.Is(e.Err, ErrRecovered) {
				t.Fatalf("recovery event %v", e)
			}
			if st := pub2.Stats(); st.Retained != 1 || st.Queued != 5 {
				t.Fatalf("recovered socket: Retained %d Queued %d, want 1 and 5", st.Retained, st.Queued)
			}
			publish(t, pub2, 8, 10)
			sub2 := helloSub(t, bindAt(t, pub2, "tcp"))
			expectUpdates(t, sub2, 3, 10)
			// Live again: new messages flow as usual.
			publish(t, pub2, 10, 12)
			expectUpdates(t, sub2, 10, 12)
		})
	}
}

// TestRecoverTwice: a recovered backlog that was not claimed survives a
// second clean restart.
func TestRecoverTwice(t *testing.T) {
	dir := t.TempDir()
	pub := durablePub(t, dir, true)
	ep := bindAt(t, pub, "tcp")
	sub := helloSub(t, ep)
	syncSub(t, pub, sub, "sync")
	sub.Close()
	waitFor(t, 5*time.Second, "retention", func() bool { return pub.Stats().Retained == 1 })
	publish(t, pub, 0, 4)
	pub.Close()
	pub2 := durablePub(t, dir, true)
	publish(t, pub2, 4, 6)
	pub2.Close()
	pub3 := durablePub(t, dir, true)
	sub3 := helloSub(t, bindAt(t, pub3, "tcp"))
	expectUpdates(t, sub3, 0, 6)
}

// TestRecoverRouter: a ROUTER routes to a recovered peer by its identity
// before it has reconnected.
func TestRecoverRouter(t *testing.T) {
	dir := t.TempDir()
	opts := []Option{WithSendHWM(2), WithSwap(1<<20, dir), WithWriteThrough(true),
		WithRetention(Retention{}), WithRouterMandatory(true)}
	r := newSock(t, Router, opts...)
	ep := bindAt(t, r, "tcp")
	d := newSock(t, Dealer, WithIdentity([]byte("D1")), WithLinger(0))
	connectTo(t, d, ep)
	send(t, d, "hi")
	expect(t, r, "D1", "hi")
	d.Close()
	waitFor(t, 5*time.Second, "retention", func() bool { return r.Stats().Retained == 1 })
	send(t, r, "D1", "one")
	r.Close()

	r2 := newSock(t, Router, opts...)
	send(t, r2, "D1", "two") // ErrHostUnreachable unless D1 was recovered
	d2 := newSock(t, Dealer, WithIdentity([]byte("D1")), WithLinger(0))
	connectTo(t, d2, bindAt(t, r2, "tcp"))
	expect(t, d2, "one")
	expect(t, d2, "two")
}

// TestRecoverCorruptFiles: damaged files are reported and skipped; New
// still succeeds.
func TestRecoverCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	bad := queue.RingPath(dir, "Broken")
	if err := os.WriteFile(bad, []byte("not a ring at all, just some bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A good backlog whose subscriptions file is damaged.
	pub := durablePub(t, dir, true)
	sub := helloSub(t, bindAt(t, pub, "tcp"))
	syncSub(t, pub, sub, "sync")
	sub.Close()
	waitFor(t, 5*time.Second, "retention", func() bool { return pub.Stats().Retained == 1 })
	publish(t, pub, 0, 2)
	pub.Close()
	subs := queue.RingPath(dir, "Hello") + subsSuffix
	b, err := os.ReadFile(subs)
	if err != nil {
		t.Fatalf("no subscriptions file: %v", err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(subs, b, 0o600); err != nil {
		t.Fatal(err)
	}
	orphan := queue.RingPath(dir, "Gone") + subsSuffix
	if err := os.WriteFile(orphan, encodeSubs([]string{"x"}), 0o600); err != nil {
		t.Fatal(err)
	}

	pub2 := durablePub(t, dir, true)
	var ringErr, subsErr bool
	for range 3 {
		e := waitEvent(t, pub2, EventRetentionExpired, time.Second)
		var re *RecoverError
		if !errors.As(e.Err, &re) {
			continue
		}
		switch {
		case re.Path == bad:
			ringErr = true
		case re.Path == subs && errors.Is(re, ErrSubsCorrupt):
			subsErr = true
		}
		if ringErr && subsErr {
			break
		}
	}
	if !ringErr || !subsErr {
		t.Fatalf("reported ring %v, subscriptions %v", ringErr, subsErr)
	}
	if _, err := os.Stat(bad); err != nil {
		t.Fatalf("damaged ring was not left in place: %v", err)
	}
	if _, err := os.Stat(orphan); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("orphan subscriptions file: %v", err)
	}
	// The backlog is recovered without its subscriptions: new messages do
	// not reach it, the old ones do.
	if st := pub2.Stats(); st.Retained != 1 || st.Queued != 2 {
		t.Fatalf("Retained %d Queued %d, want 1 and 2", st.Retained, st.Queued)
	}
	publish(t, pub2, 2, 3)
	sub2 := helloSub(t, bindAt(t, pub2, "tcp"))
	expectUpdates(t, sub2, 0, 2)
}

func TestSubsFileRoundTrip(t *testing.T) {
	topics := []string{"", "a", "weather/", string([]byte{0, 1, 2})}
	b := encodeSubs(topics)
	got, err := decodeSubs(b)
	if err != nil || len(got) != len(topics) {
		t.Fatalf("decode: %q, %v", got, err)
	}
	for i := range topics {
		if string(got[i]) != topics[i] {
			t.Fatalf("topic %d: %q, want %q", i, got[i], topics[i])
		}
	}
	for n := 0; n < len(b); n++ {
		if _, err := decodeSubs(b[:n]); !errors.Is(err, ErrSubsCorrupt) {
			t.Fatalf("prefix %d: %v, want ErrSubsCorrupt", n, err)
		}
	}
}

// TestWriteThroughRollback: messages popped for a connection whose flush
// fails go back to the front of the pipe, in order, for the next one.
func TestWriteThroughRollback(t *testing.T) {
	dir := t.TempDir()
	s := newSock(t, Pub, WithSwap(1<<20, dir), WithWriteThrough(true), WithRetention(Retention{}))
	p := s.newPeer("test", []byte("K"), false)
	for i := range 3 {
		if err := p.out.TryPush([][]byte{[]byte(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := memconn.Pipe(1 << 16)
	type res struct {
		zc  *zmtp.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		zc, err := zmtp.Handshake(context.Background(), b, zmtp.Config{SocketType: "SUB"})
		ch <- res{zc, err}
	}()
	zc, err := zmtp.Handshake(context.Background(), a, zmtp.Config{SocketType: "PUB"})
	if err != nil {
		t.Fatal(err)
	}
	other := <-ch
	if other.err != nil {
		t.Fatal(other.err)
	}
	defer other.zc.Close()
	zc.NetConn().Close() // every write fails from now on
	c := &streamConn{s: s, zc: zc, p: p, ended: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer c.cancel()
	c.write()
	if !errors.Is(c.err, net.ErrClosed) && c.err == nil {
		t.Fatalf("writer ended with %v", c.err)
	}
	if n := p.out.Len(); n != 3 {
		t.Fatalf("after the failed flush the pipe holds %d messages, want 3", n)
	}
	// Rolled back messages are read from the ring again; without a ring
	// that reads ahead, one at a time, each after the previous commit.
	for i := range 3 {
		m, ok := p.out.Pop()
		if !ok || string(m[0]) != fmt.Sprint(i) {
			t.Fatalf("pop %d: %q %v", i, m, ok)
		}
		if err := p.out.Commit(1); err != nil {
			t.Fatal(err)
		}
	}
	p.out.Discard()
	p.in.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		names := []string{}
		for _, e := range ents {
			names = append(names, filepath.Base(e.Name()))
		}
		t.Fatalf("files left: %s", strings.Join(names, " "))
	}
}

// BenchmarkWriteThrough measures PUB → SUB over TCP for an identified
// subscriber of a retaining PUB with swap, in spill mode and in
// write-through mode (every message through the ring, a commit per batch).
func BenchmarkWriteThrough(b *testing.B) {
	for _, wt := range []bool{false, true} {
		b.Run(fmt.Sprintf("writeThrough=%v", wt), func(b *testing.B) {
			dir := b.TempDir()
			pub := newSock(b, Pub, WithSwap(64<<20, dir), WithWriteThrough(wt), WithRetention(Retention{}))
			sub := newSock(b, Sub, WithIdentity([]byte("Hello")), WithLinger(0))
			if err := sub.Subscribe(nil); err != nil {
				b.Fatal(err)
			}
			connectTo(b, sub, bindAt(b, pub, "tcp"))
			syncSub(b, pub, sub, "sync")
			payload := make([]byte, 64)
			done := make(chan int)
			go func() {
				n := 0
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				for n < b.N {
					m, err := sub.Recv(ctx)
					if err != nil {
						break
					}
					if len(m.Frames[0]) == len(payload) {
						n++
					}
				}
				done <- n
			}()
			b.SetBytes(int64(len(payload)))
			b.ResetTimer()
			for range b.N {
				if err := pub.Send(context.Background(), NewMsg(payload)); err != nil {
					b.Fatal(err)
				}
			}
			if n := <-done; n != b.N {
				b.Fatalf("received %d of %d (dropped %d)", n, b.N, pub.Stats().Dropped)
			}
		})
	}
}
