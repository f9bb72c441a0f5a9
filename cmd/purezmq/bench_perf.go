package main

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// The throughput and latency sides of libzmq's perf programs
// (local_thr/remote_thr, local_lat/remote_lat) and their inproc pairs.

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

// send sends m with SendOwned, or with the copying Send under --copy.
func (b *bench) send(ctx context.Context, s *socket.Socket, m socket.Msg) error {
	if b.cfg.copy {
		return s.Send(ctx, m)
	}
	return s.SendOwned(ctx, m)
}

func (b *bench) sendThr(ctx context.Context, s *socket.Socket) error {
	// One read-only payload sent again and again, without Send's copy
	// unless --copy, as libzmq's remote_thr sends from one buffer.
	m := b.payload()
	for range b.count {
		if err := b.send(ctx, s, m); err != nil {
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
		// Echoed as received, without a copy (its buffers are recycled
		// once written), or copied and then released under --copy.
		if err := b.send(ctx, s, m); err != nil {
			return cause(ctx, err)
		}
		if b.cfg.copy {
			m.Release()
		}
		b.progress.Add(1)
	}
	return nil
}

func (b *bench) measureLat(ctx context.Context, s *socket.Socket) (time.Duration, error) {
	m := b.payload()
	start := time.Now()
	for range b.count {
		if err := b.send(ctx, s, m); err != nil { // read-only payload
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
