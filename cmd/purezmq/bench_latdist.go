package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// Latency distribution under a steady offered load: local_latdist (ROUTER,
// binds, echoes) and remote_latdist (DEALER, connects, sends at RATE msg/s,
// prints percentiles of the round trip), argument for argument and line for
// line the same as zmqperf.c's.
//
// The client is open loop: message i goes out at start + i/RATE whatever the
// replies do, and its round trip is measured from that scheduled time, not
// from when Send was called or returned. A client that waited for each reply,
// or timed from the actual send, would hide a stall ("coordinated omission"):
// the messages that should have left while the path was stuck are not sent
// until it recovers, so a 10 ms stall shows as one slow sample instead of the
// 200 that a steady 20k msg/s load really suffers. DEALER/ROUTER rather than
// REQ/REP so that sending never waits for a reply. Over the one connection
// the replies come back in the order sent, so reply i belongs to scheduled
// time i; the first message is a warm-up (connection setup) and not counted.

var errLatDistFrame = errors.New("purezmq bench: echo message not [routing id, payload]")

// latDistRateMax bounds RATE: past ten million a second the schedule's
// nanosecond steps are coarser than the interval.
const latDistRateMax = 10_000_000

// latDistSleepMax caps one sleep of the sender, so that a slow schedule
// (RATE 1) still notices a cancelled run.
const latDistSleepMax = 10 * time.Millisecond

// parseLatDist checks remote_latdist's ENDPOINT SIZE RATE COUNT and
// local_latdist's ENDPOINT SIZE COUNT; it returns the endpoint, the SIZE
// COUNT pair the other verbs parse, the rate (0 for the server), and a usage
// complaint or "".
func parseLatDist(verb string, args []string) (ep string, sizeCount []string, rate int, complaint string) {
	if verb == "local_latdist" {
		if len(args) != 3 {
			return "", nil, 0, verb + " wants ENDPOINT SIZE COUNT"
		}
		return args[0], args[1:], 0, ""
	}
	if len(args) != 4 {
		return "", nil, 0, verb + " wants ENDPOINT SIZE RATE COUNT"
	}
	rate, err := strconv.Atoi(args[2])
	if err != nil || rate < 1 || rate > latDistRateMax {
		return "", nil, 0, fmt.Sprintf("RATE must be an integer from 1 to %d", latDistRateMax)
	}
	return args[0], []string{args[1], args[3]}, rate, ""
}

// localLatDist echoes the warm-up and COUNT messages back to their sender.
func (b *bench) localLatDist(parent context.Context, ep string) error {
	return b.session(parent, socket.Router, ep, true, benchLinger, b.echoRouted)
}

func (b *bench) echoRouted(ctx context.Context, s *socket.Socket) error {
	for range b.count + 1 {
		m, err := s.Recv(ctx)
		if err != nil {
			return cause(ctx, err)
		}
		if len(m.Frames) != 2 {
			return fmt.Errorf("%w: %d frames", errLatDistFrame, len(m.Frames))
		}
		if len(m.Frames[1]) != b.size {
			return fmt.Errorf("%w: %d bytes, want %d", errBenchSize, len(m.Frames[1]), b.size)
		}
		if err := s.Send(ctx, m); err != nil {
			return cause(ctx, err)
		}
		b.progress.Add(1)
	}
	return nil
}

// remoteLatDist runs the open-loop client and prints the distribution.
func (b *bench) remoteLatDist(parent context.Context, ep string, rate int) error {
	var d latDist
	err := b.session(parent, socket.Dealer, ep, false, benchLinger, func(ctx context.Context, s *socket.Socket) (err error) {
		d, err = b.openLoop(ctx, s, rate)
		return err
	})
	if err == nil {
		b.printLatDist(rate, d)
	}
	return err
}

// latDist holds one run's samples: each message's round trip from its
// scheduled send time, and how late the sender got to it.
type latDist struct {
	rtt, lag []time.Duration
}

// due is message i's send time after the start of the schedule, in whole
// nanoseconds as zmqperf.c computes it.
func due(i, rate int) time.Duration {
	return time.Duration(int64(i) * int64(time.Second) / int64(rate))
}

// openLoop sends the warm-up and waits for its echo, then sends COUNT
// messages on the schedule from one goroutine while this one receives.
func (b *bench) openLoop(parent context.Context, s *socket.Socket, rate int) (latDist, error) {
	m := b.payload()
	if err := s.Send(parent, m); err != nil {
		return latDist{}, cause(parent, err)
	}
	r, err := s.Recv(parent)
	if err != nil {
		return latDist{}, cause(parent, err)
	}
	if err := b.checkSize(r); err != nil {
		return latDist{}, err
	}
	r.Release()
	d := latDist{rtt: make([]time.Duration, b.count), lag: make([]time.Duration, b.count)}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	start := time.Now()
	var serr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if serr = b.sendScheduled(ctx, s, m, start, rate, d.lag); serr != nil {
			cancel(serr)
		}
	}()
	rerr := b.receiveScheduled(ctx, s, start, rate, d.rtt)
	if rerr != nil {
		cancel(rerr)
	}
	wg.Wait()
	if rerr != nil || serr != nil {
		// Whichever side failed first cancelled the other: report its
		// error (or the watchdog's), not the other's cancellation.
		return d, context.Cause(ctx)
	}
	return d, nil
}

// sendScheduled sends message i at start + due(i), at once when late, and
// records how late it was. It runs on a thread of its own with a precise
// sleep (see sleepPrecise): the runtime's timers wake a sleeping goroutine
// a millisecond late when the process is otherwise idle, which at 20k msg/s
// would be twenty messages in a burst and a millisecond charged to each.
func (b *bench) sendScheduled(ctx context.Context, s *socket.Socket, m socket.Msg, start time.Time, rate int, lag []time.Duration) error {
	// Never unlocked: when this goroutine ends, its thread (whose timer
	// slack sleepPrecise changed) ends with it.
	runtime.LockOSThread()
	sleep := sleepPrecise()
	for i := range lag {
		at := due(i, rate)
		for {
			ahead := at - time.Since(start)
			if ahead <= 0 {
				break
			}
			if err := ctx.Err(); err != nil {
				return cause(ctx, err)
			}
			sleep(min(ahead, latDistSleepMax))
		}
		lag[i] = time.Since(start) - at
		if err := s.Send(ctx, m); err != nil {
			return cause(ctx, err)
		}
	}
	return nil
}

// receiveScheduled receives the COUNT echoes; reply i's round trip is from
// message i's scheduled send time.
func (b *bench) receiveScheduled(ctx context.Context, s *socket.Socket, start time.Time, rate int, rtt []time.Duration) error {
	for i := range rtt {
		r, err := s.Recv(ctx)
		if err != nil {
			return cause(ctx, err)
		}
		rtt[i] = time.Since(start) - due(i, rate)
		if err := b.checkSize(r); err != nil {
			return err
		}
		r.Release()
		b.progress.Add(1)
	}
	return nil
}

// rank returns the per-mille quantile of sorted samples by nearest rank:
// the smallest sample with at least pm/1000 of them at or below it. Integer
// arithmetic, so zmqperf.c picks the same sample.
func rank(sorted []time.Duration, pm int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := (pm*len(sorted) + 999) / 1000
	return sorted[max(k, 1)-1]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func (b *bench) printLatDist(rate int, d latDist) {
	slices.Sort(d.rtt)
	slices.Sort(d.lag)
	fmt.Fprintf(b.out, "message size: %d [B]\n", b.size)
	fmt.Fprintf(b.out, "roundtrip count: %d\n", b.count)
	fmt.Fprintf(b.out, "offered rate: %d [msg/s]\n", rate)
	for _, q := range []struct {
		name string
		pm   int
	}{{"p50", 500}, {"p90", 900}, {"p99", 990}, {"p99.9", 999}, {"max", 1000}} {
		fmt.Fprintf(b.out, "roundtrip %s: %.3f [us]\n", q.name, micros(rank(d.rtt, q.pm)))
	}
	fmt.Fprintf(b.out, "send lag p99: %.3f [us]\n", micros(rank(d.lag, 990)))
	fmt.Fprintf(b.out, "send lag max: %.3f [us]\n", micros(rank(d.lag, 1000)))
}
