package socket

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/chaosproxy"
)

// The chaos runs: a proxy between two sockets cuts their connection every
// 50-500 ms while numbered messages flow, and the receiver counts what it
// lost, got twice and got out of order. With acknowledged delivery and
// queues that survive the cut (the connecting side's own, the binding
// side's by retention) all three must be 0; without, what was in flight at
// each cut is lost, as ZMTP must lose it.

type chaosConfig struct {
	n       int           // messages per direction
	burst   int           // messages sent between pauses
	pause   time.Duration // the pace: the run lasts about n/burst*pause
	minCut  time.Duration
	maxCut  time.Duration
	acked   bool
	dealer  bool // DEALER<->ROUTER (both directions) instead of PUSH->PULL
	pubsub  bool // PUB->SUB, a durable subscriber: the SUB connects, the PUB retains
	minCuts int  // the proxy cuts at least this often before the sender ends
	// swap gives both senders an HWM of 50 and a swap: most of the
	// backlog goes through the ring files.
	swap bool
	// wt adds write-through to swap (and retention to the sender, which
	// write-through needs): the ROUTER's pipe to the DEALER goes through
	// its ring and is committed on acknowledgement.
	wt bool
	// bare: the receiver keeps no retention, so each connection of the
	// sender is a new peer with a new inbound queue.
	bare bool
}

// chaosCount is one direction's tally at the receiver.
type chaosCount struct {
	got, lost, dup, reorder int
}

func (c chaosCount) String() string {
	return fmt.Sprintf("received %d, lost %d, duplicated %d, reordered %d", c.got, c.lost, c.dup, c.reorder)
}

// tally follows the numbers one receiver sees.
type tally struct {
	seen []bool
	last int
	c    chaosCount
}

func newTally(n int) *tally { return &tally{seen: make([]bool, n), last: -1} }

func (t *tally) add(seq int) {
	if seq < 0 || seq >= len(t.seen) {
		t.c.reorder++ // garbage: count it against us
		return
	}
	if t.seen[seq] {
		t.c.dup++
		return
	}
	if seq < t.last {
		t.c.reorder++
	}
	t.seen[seq] = true
	t.last = seq
	t.c.got++
}

func (t *tally) done() bool { return t.c.got == len(t.seen) }

func (t *tally) final() chaosCount {
	c := t.c
	c.lost = len(t.seen) - c.got
	return c
}

func chaosPayload(seq int) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(seq))
	copy(b[8:], "chaos...")
	return b
}

func chaosSeq(b []byte) int {
	if len(b) != 16 {
		return -1
	}
	return int(binary.BigEndian.Uint64(b))
}

// chaosResult is what a run measured.
type chaosResult struct {
	fwd, back chaosCount // sender to receiver; ROUTER to DEALER (dealer runs)
	cuts      int
	conns     int
	resent    uint64
	dups      uint64
	dropped   uint64
	spilled   uint64
}

func (r chaosResult) String() string {
	s := fmt.Sprintf("cuts %d (connections %d); forward: %v", r.cuts, r.conns, r.fwd)
	if r.back != (chaosCount{}) {
		s += fmt.Sprintf("; back: %v", r.back)
	}
	s += fmt.Sprintf("; resent %d, repeats dropped by the receiver %d, dropped at HWM %d", r.resent, r.dups, r.dropped)
	if r.spilled > 0 {
		s += fmt.Sprintf(", through the swap %d", r.spilled)
	}
	return s
}

// runChaos runs one chaos pair and returns the counts. Once the senders
// are done (and the proxy has cut at least minCuts times) the cutting
// stops, so the last connection can carry what is left; a receiver stops
// when it has everything, or when nothing more came for a while after that
// (the rest was lost: 1 s without acknowledgements, 20 s with).
func runChaos(t *testing.T, cfg chaosConfig) chaosResult {
	t.Helper()
	if cfg.pubsub {
		return runChaosPubSub(t, cfg)
	}
	sendT, recvT := Push, Pull
	if cfg.dealer {
		sendT, recvT = Dealer, Router
	}
	common := []Option{WithAckedDelivery(cfg.acked), WithLinger(0)}
	if cfg.swap {
		common = append(common, WithSendHWM(50), WithSwap(64<<20, t.TempDir()))
	}
	if cfg.wt {
		common = append(common, WithWriteThrough(true), WithRetention(Retention{}))
	}
	recvOpts := append([]Option{WithRouterMandatory(cfg.dealer)}, common...)
	if !cfg.bare {
		recvOpts = append(recvOpts, WithRetention(Retention{}))
	}
	rcv := newSock(t, recvT, recvOpts...)
	ep := bindAt(t, rcv, "tcp")
	px, err := chaosproxy.Start(strings.TrimPrefix(ep, "tcp://"), cfg.minCut, cfg.maxCut, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	id := []byte("chaos-peer")
	snd := newSock(t, sendT, append([]Option{WithIdentity(id),
		WithReconnectInterval(10 * time.Millisecond)}, common...)...)
	connectTo(t, snd, "tcp://"+px.Addr())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fwd, back := newTally(cfg.n), newTally(cfg.n)
	// Without acknowledgements what is missing a second after the end is
	// lost; with them it must come, so a slow machine gets 20 s.
	quietMax := 10
	if cfg.acked {
		quietMax = 200
	}
	sendersDone := make(chan struct{})
	routerKnows := make(chan struct{}) // the ROUTER has heard from the DEALER
	var senders, receivers sync.WaitGroup
	var errMu sync.Mutex
	var errs []error
	fail := func(err error) { errMu.Lock(); errs = append(errs, err); errMu.Unlock(); cancel() }
	pace := func(s *Socket, prefix [][]byte) {
		defer senders.Done()
		for i := 0; i < cfg.n; i++ {
			frames := append(append([][]byte(nil), prefix...), chaosPayload(i))
			if err := s.Send(ctx, Msg{Frames: frames}); err != nil {
				fail(fmt.Errorf("%v send %d: %w", s.Type(), i, err))
				return
			}
			if (i+1)%cfg.burst == 0 {
				time.Sleep(cfg.pause)
			}
		}
	}
	senders.Add(1)
	go pace(snd, nil)
	if cfg.dealer {
		senders.Add(1)
		go func() {
			select {
			case <-routerKnows:
				pace(rcv, [][]byte{id})
			case <-ctx.Done():
				senders.Done()
			}
		}()
		receivers.Add(1)
		go func() {
			defer receivers.Done()
			chaosReceive(ctx, snd, back, 0, sendersDone, nil, quietMax)
		}()
	}
	receivers.Add(1)
	go func() {
		defer receivers.Done()
		idx := 0
		if cfg.dealer {
			idx = 1
		}
		chaosReceive(ctx, rcv, fwd, idx, sendersDone, routerKnows, quietMax)
	}()
	senders.Wait()
	for px.Cuts() < cfg.minCuts && ctx.Err() == nil {
		time.Sleep(cfg.pause)
	}
	px.Pause(true)
	close(sendersDone)
	receivers.Wait()
	r := chaosResult{fwd: fwd.final(), cuts: px.Cuts(), conns: px.Conns()}
	if cfg.dealer {
		r.back = back.final()
	}
	ss, rs := snd.Stats(), rcv.Stats()
	r.resent = ss.Resent + rs.Resent
	r.dups = ss.AckDuplicates + rs.AckDuplicates
	r.dropped = ss.Dropped + rs.Dropped
	r.spilled = ss.Spilled + rs.Spilled
	if len(errs) > 0 {
		t.Fatalf("chaos run: %v (%v)", errs, r)
	}
	return r
}

// chaosReceive receives into tl until it has everything, or until the
// senders are done and quietMax tenths of a second passed without a
// message. frame is the index of the payload frame (1 behind a ROUTER's
// id); first is closed at the first message (nil: none).
func chaosReceive(ctx context.Context, s *Socket, tl *tally, frame int, sendersDone <-chan struct{}, first chan struct{}, quietMax int) {
	quiet := 0
	for !tl.done() && ctx.Err() == nil {
		rctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		m, err := s.Recv(rctx)
		cancel()
		if err != nil {
			select {
			case <-sendersDone:
				if quiet++; quiet >= quietMax {
					return
				}
			default:
			}
			continue
		}
		quiet = 0
		if len(m.Frames) == 1 && string(m.Frames[0]) == "sync" {
			continue // syncSub's, before the numbered messages
		}
		if first != nil {
			close(first)
			first = nil
		}
		if len(m.Frames) > frame {
			tl.add(chaosSeq(m.Frames[frame]))
		} else {
			tl.add(-1)
		}
		m.Release()
	}
}

// checkChaos asserts a run with acknowledgements lost, repeated and
// reordered nothing, across at least cfg.minCuts cuts.
func checkChaos(t *testing.T, cfg chaosConfig, r chaosResult) {
	t.Helper()
	want := chaosCount{got: cfg.n}
	if r.fwd != want || (cfg.dealer && r.back != want) || r.cuts < cfg.minCuts || r.dropped != 0 {
		t.Fatalf("want every message exactly once and in order across at least %d cuts: %v", cfg.minCuts, r)
	}
}

// TestChaosAcked is the short chaos run of the default test suite: 10k
// messages each way across at least 10 cuts, PUSH->PULL and
// DEALER<->ROUTER with retention and acknowledgements, PUSH->PULL again
// with a PULL that retains nothing (every connection a new peer), and
// DEALER<->ROUTER with HWM 50 and a swap, so most of it goes through ring
// files, and PUB->SUB to a durable subscriber: nothing lost, repeated,
// reordered or dropped.
func TestChaosAcked(t *testing.T) {
	for _, c := range []struct {
		name               string
		dealer, swap, bare bool
	}{{"push-pull", false, false, false}, {"push-pull-bare", false, false, true},
		{"dealer-router", true, false, false}, {"dealer-router-swap", true, true, false}, {"pub-sub", false, false, false},
		{"dealer-router-write-through", true, true, false}} {
		name, dealer := c.name, c.dealer
		t.Run(name, func(t *testing.T) {
			t.Parallel() // paced by sleeps: the runs share the time
			cfg := chaosConfig{n: 10000, burst: 100, pause: 20 * time.Millisecond,
				minCut: 50 * time.Millisecond, maxCut: 500 * time.Millisecond,
				acked: true, dealer: dealer, minCuts: 10, swap: c.swap, bare: c.bare, pubsub: name == "pub-sub",
				wt: name == "dealer-router-write-through"}
			r := runChaos(t, cfg)
			t.Logf("acked %s: %v", name, r)
			checkChaos(t, cfg, r)
		})
	}
}

// runChaosPubSub is runChaos for a durable subscriber: the PUB binds and
// retains by identity, the SUB connects through the proxy.
func runChaosPubSub(t *testing.T, cfg chaosConfig) chaosResult {
	t.Helper()
	common := []Option{WithAckedDelivery(cfg.acked), WithLinger(0)}
	pub := newSock(t, Pub, append([]Option{WithRetention(Retention{})}, common...)...)
	ep := bindAt(t, pub, "tcp")
	px, err := chaosproxy.Start(strings.TrimPrefix(ep, "tcp://"), cfg.minCut, cfg.maxCut, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	px.Pause(true) // until subscribed
	sub := newSock(t, Sub, append([]Option{WithIdentity([]byte("durable-sub")),
		WithReconnectInterval(10 * time.Millisecond)}, common...)...)
	if err := sub.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	connectTo(t, sub, "tcp://"+px.Addr())
	syncSub(t, pub, sub, "sync")
	px.Pause(false)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tl := newTally(cfg.n)
	quietMax := 10
	if cfg.acked {
		quietMax = 200
	}
	sendersDone := make(chan struct{})
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		chaosReceive(ctx, sub, tl, 0, sendersDone, nil, quietMax)
	}()
	for i := 0; i < cfg.n; i++ {
		if err := pub.Send(ctx, Msg{Frames: [][]byte{chaosPayload(i)}}); err != nil {
			t.Fatalf("PUB send %d: %v", i, err)
		}
		if (i+1)%cfg.burst == 0 {
			time.Sleep(cfg.pause)
		}
	}
	for px.Cuts() < cfg.minCuts && ctx.Err() == nil {
		time.Sleep(cfg.pause)
	}
	px.Pause(true)
	close(sendersDone)
	<-recvDone
	ps, ss := pub.Stats(), sub.Stats()
	return chaosResult{fwd: tl.final(), cuts: px.Cuts(), conns: px.Conns(),
		resent: ps.Resent, dups: ss.AckDuplicates, dropped: ps.Dropped}
}
