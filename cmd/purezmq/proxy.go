package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/purezmq/purezmq/socket"
)

const proxyUsage = `usage: purezmq proxy --frontend SPEC --backend SPEC [--capture SPEC] [--control SPEC] [flags]

Forwards messages between two sockets in both directions, as zmq_proxy does.
SPEC is TYPE then endpoints, each led by @ to bind or > to connect, comma
separated, as CZMQ writes them:

  purezmq proxy --frontend 'router@tcp://*:5559' --backend 'dealer@tcp://*:5560'
  purezmq proxy --frontend 'xsub>tcp://pub-host:5556' --backend 'xpub@tcp://*:5557' \
      --capture 'pub@tcp://*:5558' --control 'rep@tcp://127.0.0.1:5559'

--capture gets a copy of every message forwarded. --control takes the
commands of zmq_proxy_steerable: PAUSE, RESUME, TERMINATE (the proxy exits
0) and STATISTICS (eight uint64 frames); a REP control answers every
command. SIGINT or SIGTERM ends the proxy with status 0. --verbose prints
the counters on exit.

Flags:
`

// proxySpec is one socket of the proxy: its type and endpoints.
type proxySpec struct {
	typ      socket.Type
	binds    []string
	connects []string
	set      bool
}

func (p *proxySpec) String() string { return "" }

// Set parses TYPE@ep,>ep,...: the type ends at the first @ or >.
func (p *proxySpec) Set(v string) error {
	i := strings.IndexAny(v, "@>")
	if i <= 0 {
		return errors.New("want TYPE@endpoint or TYPE>endpoint")
	}
	t, err := socket.ParseType(v[:i])
	if err != nil {
		return err
	}
	*p = proxySpec{typ: t, set: true}
	for _, e := range strings.Split(v[i:], ",") {
		switch {
		case len(e) > 1 && e[0] == '@':
			p.binds = append(p.binds, e[1:])
		case len(e) > 1 && e[0] == '>':
			p.connects = append(p.connects, e[1:])
		default:
			return fmt.Errorf("endpoint %q must start with @ (bind) or > (connect)", e)
		}
	}
	return nil
}

// open makes the socket and binds and connects it.
func (p *proxySpec) open(linger time.Duration) (*socket.Socket, error) {
	s, err := socket.New(p.typ, socket.WithLinger(linger))
	if err != nil {
		return nil, err
	}
	for _, ep := range p.binds {
		if err := s.Bind(ep); err != nil {
			s.Close()
			return nil, err
		}
	}
	for _, ep := range p.connects {
		if err := s.Connect(ep); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func runProxyVerb(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var front, back, capture, control proxySpec
	fs.Var(&front, "frontend", "the frontend `SPEC` (required)")
	fs.Var(&back, "backend", "the backend `SPEC` (required)")
	fs.Var(&capture, "capture", "a socket `SPEC` that gets a copy of every message forwarded")
	fs.Var(&control, "control", "a REP or PAIR socket `SPEC` taking PAUSE, RESUME, TERMINATE and STATISTICS")
	linger := fs.Duration("linger", defaultLinger, "on exit, wait up to `DURATION` to deliver queued messages")
	timeout := fs.Duration("timeout", 0, "end with exit status 1 after `DURATION` (0 = never)")
	verbose := fs.Bool("verbose", false, "print the proxy's counters on exit")
	usage := func(w io.Writer) {
		fmt.Fprint(w, proxyUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "purezmq proxy: %v\n", err)
		usage(stderr)
		return exitUsage
	}
	bad := func(msg string) int {
		fmt.Fprintf(stderr, "purezmq proxy: %s\nrun 'purezmq help proxy' for usage\n", msg)
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return bad(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	case !front.set || !back.set:
		return bad("need --frontend and --backend")
	case control.set && control.typ != socket.Rep && control.typ != socket.Pair:
		return bad("--control must be a rep or pair socket")
	case *linger < 0 || *timeout < 0:
		return bad("--linger and --timeout must not be negative")
	}
	var socks []*socket.Socket
	defer func() {
		for _, s := range socks {
			s.Close()
		}
	}()
	var opened [4]*socket.Socket
	for i, spec := range []*proxySpec{&front, &back, &capture, &control} {
		if !spec.set {
			continue
		}
		s, err := spec.open(*linger)
		if err != nil {
			fmt.Fprintf(stderr, "purezmq proxy: %v\n", err)
			return exitError
		}
		socks = append(socks, s)
		opened[i] = s
	}
	p, err := socket.NewSteerableProxy(opened[0], opened[1],
		socket.WithProxyCapture(opened[2]), socket.WithProxyControl(opened[3]))
	if err != nil {
		fmt.Fprintf(stderr, "purezmq proxy: %v\n", err)
		return exitError
	}
	runCtx := ctx
	if *timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	err = p.Run(runCtx)
	if *verbose {
		st := p.Stats()
		fmt.Fprintf(stderr, "purezmq proxy: frontend received %d messages (%d bytes), sent %d (%d bytes); backend received %d (%d bytes), sent %d (%d bytes)\n",
			st.Frontend.MsgIn, st.Frontend.BytesIn, st.Frontend.MsgOut, st.Frontend.BytesOut,
			st.Backend.MsgIn, st.Backend.BytesIn, st.Backend.MsgOut, st.Backend.BytesOut)
	}
	switch {
	case err == nil:
		return exitOK // TERMINATE
	case ctx.Err() != nil:
		return exitOK // a signal
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "purezmq proxy: timed out after %v\n", *timeout)
		return exitError
	}
	fmt.Fprintf(stderr, "purezmq proxy: %v\n", err)
	return exitError
}
