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
	"time"
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
	copy          bool
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
  --copy             send with Send, which copies each message (the library's
                     default), instead of SendOwned, which takes the one
                     read-only payload as it is (libzmq's perf tools' way)
`)
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c benchConfig
	fs := newBenchFlagSet(&c, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) { c.lingerSet = c.lingerSet || f.Name == "linger" })
	r, complaint := parseBenchVerb(c, fs.Args())
	if complaint != "" {
		fmt.Fprintf(stderr, "purezmq bench: %s\n", complaint)
		writeBenchUsage(stderr)
		return exitUsage
	}
	b := &bench{cfg: c, size: r.size, count: r.count, out: stdout}
	if c.cpuProfile != "" {
		stop, err := startCPUProfile(c.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "purezmq bench: %v\n", err)
			return exitError
		}
		defer stop()
	}
	if err := b.run(ctx, r); err != nil {
		fmt.Fprintf(stderr, "purezmq bench %s: %v\n", r.verb, err)
		return exitError
	}
	return exitOK
}

// newBenchFlagSet declares the options that come before the verb; a parse
// error prints the usage on stderr.
func newBenchFlagSet(c *benchConfig, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { writeBenchUsage(fs.Output()) }
	fs.BoolVar(&c.bind, "bind", false, "")
	fs.BoolVar(&c.connect, "connect", false, "")
	fs.DurationVar(&c.linger, "linger", 0, "")
	fs.IntVar(&c.hwm, "hwm", -1, "")
	fs.DurationVar(&c.timeout, "timeout", 0, "")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "")
	fs.BoolVar(&c.copy, "copy", false, "")
	return fs
}

// benchVerb is the measurement the command line asks for: the verb and its
// arguments (subs for pub_thr, rate for remote_latdist).
type benchVerb struct {
	verb        string
	ep          string
	size, count int
	subs, rate  int
}

// parseBenchVerb checks the options against each other and parses the verb
// and its arguments; a non-empty complaint says what is wrong.
func parseBenchVerb(c benchConfig, rest []string) (r benchVerb, complaint string) {
	if c.bind && c.connect {
		return r, "--bind and --connect exclude each other"
	}
	if c.hwm < -1 || c.linger < 0 || c.timeout < 0 {
		return r, "--hwm, --linger and --timeout must not be negative"
	}
	if len(rest) == 0 {
		return r, "missing verb"
	}
	r.verb, rest = rest[0], rest[1:]
	switch r.verb {
	case "local_latdist", "remote_latdist":
		if r.ep, rest, r.rate, complaint = parseLatDist(r.verb, rest); complaint != "" {
			return r, complaint
		}
	case "pub_thr":
		if len(rest) != 4 {
			return r, fmt.Sprintf("%s wants ENDPOINT SIZE COUNT SUBS", r.verb)
		}
		n, err := strconv.Atoi(rest[3])
		if err != nil || n < 0 || n > benchFanoutSubsMax {
			return r, fmt.Sprintf("SUBS must be an integer from 0 to %d", benchFanoutSubsMax)
		}
		r.ep, rest, r.subs = rest[0], rest[1:3], n
	case "local_thr", "remote_thr", "local_lat", "remote_lat", "sub_thr", "router_thr", "dealer_thr":
		if len(rest) != 3 {
			return r, fmt.Sprintf("%s wants ENDPOINT SIZE COUNT", r.verb)
		}
		r.ep, rest = rest[0], rest[1:]
	case "inproc_thr", "inproc_lat":
		if len(rest) != 2 {
			return r, fmt.Sprintf("%s wants SIZE COUNT", r.verb)
		}
	default:
		return r, fmt.Sprintf("unknown verb %q", r.verb)
	}
	size, err1 := strconv.Atoi(rest[0])
	count, err2 := strconv.Atoi(rest[1])
	if err1 != nil || err2 != nil || size < 0 || count < 0 {
		return r, "SIZE and COUNT must be non-negative integers"
	}
	r.size, r.count = size, count
	return r, ""
}

// run runs the verb's side of the measurement.
func (b *bench) run(ctx context.Context, r benchVerb) error {
	switch r.verb {
	case "local_thr":
		return b.localThr(ctx, r.ep)
	case "remote_thr":
		return b.remoteThr(ctx, r.ep)
	case "local_lat":
		return b.localLat(ctx, r.ep)
	case "remote_lat":
		return b.remoteLat(ctx, r.ep)
	case "pub_thr":
		return b.pubThr(ctx, r.ep, r.subs)
	case "sub_thr":
		return b.subThr(ctx, r.ep)
	case "router_thr":
		return b.routerThr(ctx, r.ep)
	case "dealer_thr":
		return b.dealerThr(ctx, r.ep)
	case "inproc_thr":
		return b.inprocThr(ctx)
	case "inproc_lat":
		return b.inprocLat(ctx)
	case "local_latdist":
		return b.localLatDist(ctx, r.ep)
	case "remote_latdist":
		return b.remoteLatDist(ctx, r.ep, r.rate)
	}
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
