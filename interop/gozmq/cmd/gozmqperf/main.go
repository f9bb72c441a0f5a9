// Command gozmqperf is the perf tool pair of libzmq (local_thr, remote_thr,
// local_lat, remote_lat, inproc_thr, inproc_lat) written against
// github.com/go-zeromq/zmq4, with the same arguments and output lines as
// interop/cpeer/zmqperf.c and `purezmq bench`, so scripts/bench.sh can put
// go-zeromq in the same table as libzmq and purezmq.
//
// zmq4 has no high-water marks and no linger; see localLat for the one place
// that matters.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-zeromq/zmq4"
)

var errSize = errors.New("gozmqperf: message of unexpected size")

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func usage(w io.Writer) int {
	fmt.Fprint(w, `usage: gozmqperf [--bind|--connect] VERB ARGS
  local_thr  ENDPOINT SIZE COUNT
  remote_thr ENDPOINT SIZE COUNT
  local_lat  ENDPOINT SIZE ROUNDTRIPS
  remote_lat ENDPOINT SIZE ROUNDTRIPS
  inproc_thr SIZE COUNT
  inproc_lat SIZE ROUNDTRIPS
`)
	return 2
}

type perf struct {
	place       string // "", "bind" or "connect"
	size, count int
	out         io.Writer
}

func run(args []string, stdout, stderr io.Writer) int {
	p := &perf{out: stdout}
	for len(args) > 0 && strings.HasPrefix(args[0], "--") {
		switch args[0] {
		case "--bind":
			p.place = "bind"
		case "--connect":
			p.place = "connect"
		default:
			return usage(stderr)
		}
		args = args[1:]
	}
	if len(args) < 3 {
		return usage(stderr)
	}
	verb, args := args[0], args[1:]
	ep := ""
	inproc := strings.HasPrefix(verb, "inproc_")
	if !inproc {
		if len(args) != 3 {
			return usage(stderr)
		}
		ep, args = args[0], args[1:]
	} else if len(args) != 2 {
		return usage(stderr)
	}
	var err1, err2 error
	p.size, err1 = strconv.Atoi(args[0])
	p.count, err2 = strconv.Atoi(args[1])
	if err1 != nil || err2 != nil || p.size < 0 || p.count < 0 {
		return usage(stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	switch verb {
	case "local_thr":
		err = p.localThr(ctx, ep)
	case "remote_thr":
		err = p.remoteThr(ctx, ep)
	case "local_lat":
		err = p.localLat(ctx, ep)
	case "remote_lat":
		err = p.remoteLat(ctx, ep)
	case "inproc_thr":
		err = p.inproc(ctx, true)
	case "inproc_lat":
		err = p.inproc(ctx, false)
	default:
		return usage(stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gozmqperf %s: %v\n", verb, err)
		return 1
	}
	return 0
}

func (p *perf) attach(s zmq4.Socket, ep string, bindByDefault bool) error {
	bind := bindByDefault
	switch p.place {
	case "bind":
		bind = true
	case "connect":
		bind = false
	}
	if bind {
		return s.Listen(ep)
	}
	return s.Dial(ep)
}

// dialOpts make a dialing side wait for a listener that starts late, as
// libzmq's background reconnection does.
func dialOpts() []zmq4.Option {
	return []zmq4.Option{zmq4.WithDialerRetry(100 * time.Millisecond), zmq4.WithDialerMaxRetries(300)}
}

func (p *perf) check(m zmq4.Msg) error {
	if len(m.Frames) != 1 || len(m.Frames[0]) != p.size {
		return fmt.Errorf("%w: %d frames", errSize, len(m.Frames))
	}
	return nil
}

func (p *perf) receiveThr(s zmq4.Socket) (time.Duration, error) {
	if p.count == 0 {
		return 0, nil
	}
	m, err := s.Recv()
	if err != nil {
		return 0, err
	}
	if err := p.check(m); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 1; i < p.count; i++ {
		if m, err = s.Recv(); err != nil {
			return 0, err
		}
		if err := p.check(m); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

func (p *perf) sendThr(s zmq4.Socket) error {
	m := zmq4.NewMsg([]byte(strings.Repeat("x", p.size)))
	for range p.count {
		if err := s.Send(m); err != nil {
			return err
		}
	}
	return nil
}

func (p *perf) echo(s zmq4.Socket) error {
	for range p.count {
		m, err := s.Recv()
		if err != nil {
			return err
		}
		if err := p.check(m); err != nil {
			return err
		}
		if err := s.Send(m); err != nil {
			return err
		}
	}
	return nil
}

func (p *perf) measure(s zmq4.Socket) (time.Duration, error) {
	m := zmq4.NewMsg([]byte(strings.Repeat("x", p.size)))
	start := time.Now()
	for i := range p.count {
		err := s.Send(m)
		// zmq4's REQ fails a send while it has no connection instead of
		// waiting for one; a listening REQ meets that until its accept
		// loop has added the peer.
		for retry := 0; err != nil && i == 0 && retry < 1000; retry++ {
			time.Sleep(10 * time.Millisecond)
			start = time.Now()
			err = s.Send(m)
		}
		if err != nil {
			return 0, err
		}
		r, err := s.Recv()
		if err != nil {
			return 0, err
		}
		if err := p.check(r); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

func (p *perf) printThr(d time.Duration) {
	us := float64(d.Microseconds())
	if us <= 0 {
		us = 1
	}
	msgs := float64(p.count) * 1e6 / us
	fmt.Fprintf(p.out, "message size: %d [B]\n", p.size)
	fmt.Fprintf(p.out, "message count: %d\n", p.count)
	fmt.Fprintf(p.out, "mean throughput: %d [msg/s]\n", int64(msgs))
	fmt.Fprintf(p.out, "mean throughput: %.3f [Mb/s]\n", msgs*float64(p.size)*8/1e6)
}

func (p *perf) printLat(d time.Duration) {
	lat := 0.0
	if p.count > 0 {
		lat = float64(d.Nanoseconds()) / 1e3 / (2 * float64(p.count))
	}
	fmt.Fprintf(p.out, "message size: %d [B]\n", p.size)
	fmt.Fprintf(p.out, "roundtrip count: %d\n", p.count)
	fmt.Fprintf(p.out, "average latency: %.3f [us]\n", lat)
}

func (p *perf) localThr(ctx context.Context, ep string) error {
	s := zmq4.NewPull(ctx, dialOpts()...)
	defer s.Close()
	if err := p.attach(s, ep, true); err != nil {
		return err
	}
	d, err := p.receiveThr(s)
	if err != nil {
		return err
	}
	p.printThr(d)
	return nil
}

func (p *perf) remoteThr(ctx context.Context, ep string) error {
	s := zmq4.NewPush(ctx, dialOpts()...)
	defer s.Close()
	if err := p.attach(s, ep, false); err != nil {
		return err
	}
	return p.sendThr(s)
}

func (p *perf) localLat(ctx context.Context, ep string) error {
	s := zmq4.NewRep(ctx, dialOpts()...)
	defer s.Close()
	if err := p.attach(s, ep, true); err != nil {
		return err
	}
	if err := p.echo(s); err != nil {
		return err
	}
	// zmq4's REP queues its replies and Close discards what is still
	// queued (there is no linger), so the last reply would never reach the
	// measuring side; give it time to go out.
	time.Sleep(200 * time.Millisecond)
	return nil
}

func (p *perf) remoteLat(ctx context.Context, ep string) error {
	s := zmq4.NewReq(ctx, dialOpts()...)
	defer s.Close()
	if err := p.attach(s, ep, false); err != nil {
		return err
	}
	d, err := p.measure(s)
	if err != nil {
		return err
	}
	p.printLat(d)
	return nil
}

// inproc runs both sides in one process over zmq4's inproc transport.
func (p *perf) inproc(ctx context.Context, thr bool) error {
	ep := "inproc://gozmqperf"
	var local, remote zmq4.Socket
	if thr {
		local, remote = zmq4.NewPull(ctx), zmq4.NewPush(ctx, dialOpts()...)
	} else {
		local, remote = zmq4.NewReq(ctx), zmq4.NewRep(ctx, dialOpts()...)
	}
	defer local.Close()
	defer remote.Close()
	if err := local.Listen(ep); err != nil {
		return err
	}
	if err := remote.Dial(ep); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		if thr {
			errc <- p.sendThr(remote)
		} else {
			errc <- p.echo(remote)
		}
	}()
	var (
		d   time.Duration
		err error
	)
	if thr {
		d, err = p.receiveThr(local)
	} else {
		d, err = p.measure(local)
	}
	if err != nil {
		return err
	}
	if err := <-errc; err != nil {
		return err
	}
	if thr {
		p.printThr(d)
	} else {
		p.printLat(d)
	}
	return nil
}
