package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// The bench verbs mirror libzmq's perf programs (and interop/cpeer/zmqperf.c)
// argument for argument and line for line, so that any side of a measurement
// can be purezmq or libzmq.

// benchConfig holds the options that come before the bench verb.
type benchConfig struct {
	bind, connect bool
	linger        time.Duration
	lingerSet     bool
	hwm           int
	timeout       time.Duration
	cpuProfile    string
}

// benchRemoteThrLinger is long because remote_thr must deliver everything it
// queued before it exits, or local_thr never sees its last messages.
const (
	benchLinger          = time.Second
	benchRemoteThrLinger = 10 * time.Minute
)

var (
	errBenchSize    = errors.New("purezmq bench: message of unexpected size")
	errBenchTimeout = errors.New("purezmq bench: no message within the timeout")
)

func writeBenchUsage(w io.Writer) {
	fmt.Fprint(w, `usage: purezmq bench [options] VERB ARGS

The perf tools of libzmq, with the same arguments and output lines:
  local_thr  ENDPOINT SIZE COUNT       PULL, binds, receives COUNT messages, prints throughput
  remote_thr ENDPOINT SIZE COUNT       PUSH, connects, sends COUNT messages
  local_lat  ENDPOINT SIZE ROUNDTRIPS  REP, binds, echoes
  remote_lat ENDPOINT SIZE ROUNDTRIPS  REQ, connects, prints the one-way latency
  pub_thr    ENDPOINT SIZE COUNT SUBS  XPUB, binds, waits for SUBS subscribers, sends COUNT
  sub_thr    ENDPOINT SIZE COUNT       SUB, connects, receives COUNT messages, prints throughput
  router_thr ENDPOINT SIZE COUNT       ROUTER, binds, receives COUNT messages, prints throughput
  dealer_thr ENDPOINT SIZE COUNT       DEALER, connects, sends COUNT messages
  inproc_thr SIZE COUNT                both throughput sides in one process
  inproc_lat SIZE ROUNDTRIPS           both latency sides in one process
  local_latdist  ENDPOINT SIZE COUNT      ROUTER, binds, echoes a warm-up and COUNT messages
  remote_latdist ENDPOINT SIZE RATE COUNT DEALER, connects, sends COUNT at RATE msg/s
                                       (open loop), prints round-trip p50 p90 p99 p99.9 max
Throughput is timed from the first message received; latency is half the
average round trip; remote_latdist times each round trip from the message's
scheduled send time, so a stall counts for every message it delays. pub_thr
sends without dropping (XPUB no-drop) and ends with a marker message; sub_thr
fails unless it received exactly COUNT.

Options:
  --bind, --connect  bind or connect, whatever the verb's default
  --linger DURATION  how long closing waits to deliver (remote_thr: 10m, others: 1s)
  --hwm N            send and receive high-water marks (default: the library's)
  --timeout DURATION fail when no message arrives for this long (default: wait forever)
  --cpuprofile FILE  write a CPU profile of the run (go tool pprof FILE)
`)
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { writeBenchUsage(fs.Output()) }
	var c benchConfig
	fs.BoolVar(&c.bind, "bind", false, "")
	fs.BoolVar(&c.connect, "connect", false, "")
	fs.DurationVar(&c.linger, "linger", 0, "")
	fs.IntVar(&c.hwm, "hwm", -1, "")
	fs.DurationVar(&c.timeout, "timeout", 0, "")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) { c.lingerSet = c.lingerSet || f.Name == "linger" })
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "purezmq bench: "+format+"\n", a...)
		writeBenchUsage(stderr)
		return exitUsage
	}
	if c.bind && c.connect {
		return usage("--bind and --connect exclude each other")
	}
	if c.hwm < -1 || c.linger < 0 || c.timeout < 0 {
		return usage("--hwm, --linger and --timeout must not be negative")
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usage("missing verb")
	}
	verb, rest := rest[0], rest[1:]
	var ep string
	subs, rate := 0, 0
	switch verb {
	case "local_latdist", "remote_latdist":
		var complaint string
		if ep, rest, rate, complaint = parseLatDist(verb, rest); complaint != "" {
			return usage("%s", complaint)
		}
	case "pub_thr":
		if len(rest) != 4 {
			return usage("%s wants ENDPOINT SIZE COUNT SUBS", verb)
		}
		n, err := strconv.Atoi(rest[3])
		if err != nil || n < 0 || n > benchFanoutSubsMax {
			return usage("SUBS must be an integer from 0 to %d", benchFanoutSubsMax)
		}
		ep, rest, subs = rest[0], rest[1:3], n
	case "local_thr", "remote_thr", "local_lat", "remote_lat", "sub_thr", "router_thr", "dealer_thr":
		if len(rest) != 3 {
			return usage("%s wants ENDPOINT SIZE COUNT", verb)
		}
		ep, rest = rest[0], rest[1:]
	case "inproc_thr", "inproc_lat":
		if len(rest) != 2 {
			return usage("%s wants SIZE COUNT", verb)
		}
	default:
		return usage("unknown verb %q", verb)
	}
	size, err1 := strconv.Atoi(rest[0])
	count, err2 := strconv.Atoi(rest[1])
	if err1 != nil || err2 != nil || size < 0 || count < 0 {
		return usage("SIZE and COUNT must be non-negative integers")
	}
	b := &bench{cfg: c, size: size, count: count, out: stdout}
	if c.cpuProfile != "" {
		stop, err := startCPUProfile(c.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "purezmq bench: %v\n", err)
			return exitError
		}
		defer stop()
	}
	var err error
	switch verb {
	case "local_thr":
		err = b.localThr(ctx, ep)
	case "remote_thr":
		err = b.remoteThr(ctx, ep)
	case "local_lat":
		err = b.localLat(ctx, ep)
	case "remote_lat":
		err = b.remoteLat(ctx, ep)
	case "pub_thr":
		err = b.pubThr(ctx, ep, subs)
	case "sub_thr":
		err = b.subThr(ctx, ep)
	case "router_thr":
		err = b.routerThr(ctx, ep)
	case "dealer_thr":
		err = b.dealerThr(ctx, ep)
	case "inproc_thr":
		err = b.inprocThr(ctx)
	case "inproc_lat":
		err = b.inprocLat(ctx)
	case "local_latdist":
		err = b.localLatDist(ctx, ep)
	case "remote_latdist":
		err = b.remoteLatDist(ctx, ep, rate)
	}
	if err != nil {
		fmt.Fprintf(stderr, "purezmq bench %s: %v\n", verb, err)
		return exitError
	}
	return exitOK
}

// bench is one measurement.
type bench struct {
	cfg         benchConfig
	size, count int
	out         io.Writer
	progress    atomic.Int64 // messages handled, for the --timeout watchdog
}

// open creates a socket and binds or connects it as the role and options say.
func (b *bench) open(t socket.Type, ep string, bindByDefault bool, linger time.Duration) (*socket.Socket, error) {
	if b.cfg.lingerSet {
		linger = b.cfg.linger
	}
	opts := []socket.Option{socket.WithLinger(linger)}
	if b.cfg.hwm >= 0 {
		opts = append(opts, socket.WithSendHWM(b.cfg.hwm), socket.WithRecvHWM(b.cfg.hwm))
	}
	s, err := socket.New(t, opts...)
	if err != nil {
		return nil, err
	}
	bind := (bindByDefault || b.cfg.bind) && !b.cfg.connect
	if bind {
		err = s.Bind(ep)
	} else {
		err = s.Connect(ep)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// watch cancels the returned context when --timeout passes with no progress.
// A per-message deadline would put a timer on the hot path; sampling a
// counter costs nothing there.
func (b *bench) watch(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	if b.cfg.timeout <= 0 {
		return ctx, func() { cancel(nil) }
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(b.cfg.timeout / 4)
		defer tick.Stop()
		last, idle := b.progress.Load(), time.Duration(0)
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if n := b.progress.Load(); n != last {
					last, idle = n, 0
					continue
				}
				if idle += b.cfg.timeout / 4; idle >= b.cfg.timeout {
					cancel(errBenchTimeout)
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(stop)
		wg.Wait()
		cancel(nil)
	}
}

// cause reports why ctx ended in place of the bare cancellation error.
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && errors.Is(c, errBenchTimeout) {
		return c
	}
	return err
}

func (b *bench) payload() socket.Msg {
	p := make([]byte, b.size)
	for i := range p {
		p[i] = 'x'
	}
	// Send takes ownership of frames but never writes to them, so one
	// read-only payload can stand for every message of the run.
	return socket.NewMsg(p)
}

func (b *bench) checkSize(m socket.Msg) error {
	if len(m.Frames) != 1 || len(m.Frames[0]) != b.size {
		return fmt.Errorf("%w: %d frames, first %d bytes, want 1 frame of %d", errBenchSize, len(m.Frames), firstLen(m), b.size)
	}
	return nil
}

func firstLen(m socket.Msg) int {
	if len(m.Frames) == 0 {
		return 0
	}
	return len(m.Frames[0])
}

// receiveThr receives the run's messages and returns the time from the first
// to the last, so connection setup is not part of the measurement.
func (b *bench) receiveThr(ctx context.Context, s *socket.Socket) (time.Duration, error) {
	if b.count == 0 {
		return 0, nil
	}
	m, err := s.Recv(ctx)
	if err != nil {
		return 0, cause(ctx, err)
	}
	if err := b.checkSize(m); err != nil {
		return 0, err
	}
	// Each message is released once checked, as libzmq's local_thr closes
	// it (zmq_msg_close): the next read may reuse its buffer.
	m.Release()
	start := time.Now()
	for i := 1; i < b.count; i++ {
		m, err := s.Recv(ctx)
		if err != nil {
			return 0, cause(ctx, err)
		}
		if err := b.checkSize(m); err != nil {
			return 0, err
		}
		m.Release()
		b.progress.Add(1)
	}
	return time.Since(start), nil
}

func (b *bench) sendThr(ctx context.Context, s *socket.Socket) error {
	// One read-only payload sent again and again, without Send's copy, as
	// libzmq's remote_thr sends from one buffer.
	m := b.payload()
	for range b.count {
		if err := s.SendOwned(ctx, m); err != nil {
			return cause(ctx, err)
		}
		b.progress.Add(1)
	}
	return nil
}

func (b *bench) echoLat(ctx context.Context, s *socket.Socket) error {
	for range b.count {
		m, err := s.Recv(ctx)
		if err != nil {
			return cause(ctx, err)
		}
		if err := b.checkSize(m); err != nil {
			return err
		}
		// Echoed as received, without a copy; its buffers are recycled
		// once written.
		if err := s.SendOwned(ctx, m); err != nil {
			return cause(ctx, err)
		}
		b.progress.Add(1)
	}
	return nil
}

func (b *bench) measureLat(ctx context.Context, s *socket.Socket) (time.Duration, error) {
	m := b.payload()
	start := time.Now()
	for range b.count {
		if err := s.SendOwned(ctx, m); err != nil { // read-only payload, no copy
			return 0, cause(ctx, err)
		}
		r, err := s.Recv(ctx)
		if err != nil {
			return 0, cause(ctx, err)
		}
		if err := b.checkSize(r); err != nil {
			return 0, err
		}
		r.Release()
		b.progress.Add(1)
	}
	return time.Since(start), nil
}

func (b *bench) printThr(elapsed time.Duration) {
	us := float64(elapsed.Microseconds())
	if us <= 0 {
		us = 1
	}
	msgs := float64(b.count) * 1e6 / us
	fmt.Fprintf(b.out, "message size: %d [B]\n", b.size)
	fmt.Fprintf(b.out, "message count: %d\n", b.count)
	fmt.Fprintf(b.out, "mean throughput: %d [msg/s]\n", int64(msgs))
	fmt.Fprintf(b.out, "mean throughput: %.3f [Mb/s]\n", msgs*float64(b.size)*8/1e6)
}

func (b *bench) printLat(elapsed time.Duration) {
	lat := 0.0
	if b.count > 0 {
		// One-way, as libzmq reports it: half the average round trip.
		lat = float64(elapsed.Nanoseconds()) / 1e3 / (2 * float64(b.count))
	}
	fmt.Fprintf(b.out, "message size: %d [B]\n", b.size)
	fmt.Fprintf(b.out, "roundtrip count: %d\n", b.count)
	fmt.Fprintf(b.out, "average latency: %.3f [us]\n", lat)
}

// closeBoth closes s and keeps the first error.
func closeBoth(err error, s *socket.Socket) error {
	if cerr := s.Close(); err == nil && cerr != nil && !errors.Is(cerr, socket.ErrClosed) {
		return cerr
	}
	return err
}

// session opens one socket, runs f on it under the bench's timeout, and
// closes it, keeping the first error: the shape every perf verb shares.
func (b *bench) session(parent context.Context, t socket.Type, ep string, bind bool, linger time.Duration,
	f func(ctx context.Context, s *socket.Socket) error) error {
	s, err := b.open(t, ep, bind, linger)
	if err != nil {
		return err
	}
	ctx, stop := b.watch(parent)
	err = f(ctx, s)
	stop()
	return closeBoth(err, s)
}

// measure adapts a timed run to the shape session and inproc take, keeping
// its duration in *d.
func measure(d *time.Duration, f func(context.Context, *socket.Socket) (time.Duration, error)) func(context.Context, *socket.Socket) error {
	return func(ctx context.Context, s *socket.Socket) (err error) {
		*d, err = f(ctx, s)
		return err
	}
}

// timed runs receive in a session and prints throughput once the socket
// closed cleanly.
func (b *bench) timed(parent context.Context, t socket.Type, ep string,
	receive func(ctx context.Context, s *socket.Socket) (time.Duration, error)) error {
	var elapsed time.Duration
	err := b.session(parent, t, ep, true, benchLinger, measure(&elapsed, receive))
	if err == nil {
		b.printThr(elapsed)
	}
	return err
}

func (b *bench) localThr(parent context.Context, ep string) error {
	return b.timed(parent, socket.Pull, ep, b.receiveThr)
}

func (b *bench) remoteThr(parent context.Context, ep string) error {
	return b.session(parent, socket.Push, ep, false, benchRemoteThrLinger, b.sendThr)
}

func (b *bench) localLat(parent context.Context, ep string) error {
	return b.session(parent, socket.Rep, ep, true, benchLinger, b.echoLat)
}

func (b *bench) remoteLat(parent context.Context, ep string) error {
	var elapsed time.Duration
	err := b.session(parent, socket.Req, ep, false, benchLinger, measure(&elapsed, b.measureLat))
	if err == nil {
		b.printLat(elapsed)
	}
	return err
}

// inprocSeq keeps the inproc names of concurrent runs in one process apart.
var inprocSeq atomic.Uint64

// inproc runs local in this goroutine and remote in another, over a fresh
// inproc endpoint; the local side binds first.
func (b *bench) inproc(parent context.Context, name string, lt, rt socket.Type,
	local func(context.Context, *socket.Socket) error, remote func(context.Context, *socket.Socket) error) error {
	ep := fmt.Sprintf("inproc://purezmq-bench-%s-%d", name, inprocSeq.Add(1))
	b.cfg.bind, b.cfg.connect = false, false
	ls, err := b.open(lt, ep, true, benchLinger)
	if err != nil {
		return err
	}
	rs, err := b.open(rt, ep, false, benchRemoteThrLinger)
	if err != nil {
		return closeBoth(err, ls)
	}
	ctx, stop := b.watch(parent)
	ctx, cancel := context.WithCancelCause(ctx)
	var rerr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if rerr = remote(ctx, rs); rerr != nil {
			cancel(rerr)
		}
	}()
	err = local(ctx, ls)
	if err != nil {
		cancel(err)
	}
	wg.Wait()
	cancel(nil)
	stop()
	if err == nil {
		err = rerr
	}
	return closeBoth(closeBoth(err, rs), ls)
}

func (b *bench) inprocThr(ctx context.Context) error {
	var elapsed time.Duration
	err := b.inproc(ctx, "thr", socket.Pull, socket.Push, measure(&elapsed, b.receiveThr), b.sendThr)
	if err != nil {
		return err
	}
	b.printThr(elapsed)
	return nil
}

func (b *bench) inprocLat(ctx context.Context) error {
	var elapsed time.Duration
	err := b.inproc(ctx, "lat", socket.Req, socket.Rep, measure(&elapsed, b.measureLat), b.echoLat)
	if err != nil {
		return err
	}
	b.printLat(elapsed)
	return nil
}

// startCPUProfile profiles the process into path until the returned stop is
// called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
