package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// Fan-out and ROUTER/DEALER throughput verbs, argument for argument and line
// for line the same as zmqperf.c's pub_thr, sub_thr, router_thr and
// dealer_thr.
//
// Fan-out: the publisher is an XPUB with XPubVerbose, so it receives every
// subscriber's subscription, and it sends nothing until SUBS of them have
// arrived; a subscription that reached the XPUB means that subscriber's pipe
// is in place, so none misses the start without any sleep or side channel.
// XPubNoDrop makes a full pipe hold the sender back instead of dropping, so
// each subscriber gets all COUNT messages, at the pace of the slowest. One
// marker message of another size ends the stream, and a subscriber fails
// unless exactly COUNT messages came before it.

var (
	errBenchLost  = errors.New("purezmq bench: wrong number of messages before the end marker")
	errBenchLeft  = errors.New("purezmq bench: a subscriber left before the start")
	errBenchFrame = errors.New("purezmq bench: ROUTER message not [routing id, payload]")
)

// benchFanoutSubsMax bounds pub_thr's SUBS argument; more than this many
// subscriber processes on one machine measures the scheduler, not the
// library.
const benchFanoutSubsMax = 10000

// fanoutMarker is the message that ends a fan-out stream: it differs from
// the data in size only, empty unless the data are empty.
func fanoutMarker(size int) socket.Msg {
	if size == 0 {
		return socket.NewMsg([]byte{'x'})
	}
	return socket.NewMsg([]byte{})
}

// openWith is open with extra options, for the socket types whose behaviour
// the run depends on (XPUB's verbose and no-drop modes).
func (b *bench) openWith(t socket.Type, ep string, bindByDefault bool, linger time.Duration, extra ...socket.Option) (*socket.Socket, error) {
	if b.cfg.lingerSet {
		linger = b.cfg.linger
	}
	opts := []socket.Option{socket.WithLinger(linger)}
	if b.cfg.hwm >= 0 {
		opts = append(opts, socket.WithSendHWM(b.cfg.hwm), socket.WithRecvHWM(b.cfg.hwm))
	}
	s, err := socket.New(t, append(opts, extra...)...)
	if err != nil {
		return nil, err
	}
	if (bindByDefault || b.cfg.bind) && !b.cfg.connect {
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

// pubThr waits for subs subscriptions, then sends the run and its marker.
func (b *bench) pubThr(parent context.Context, ep string, subs int) error {
	s, err := b.openWith(socket.XPub, ep, true, benchRemoteThrLinger,
		socket.WithXPubVerbose(true), socket.WithXPubNoDrop(true))
	if err != nil {
		return err
	}
	ctx, stop := b.watch(parent)
	err = b.awaitSubscribers(ctx, s, subs)
	if err == nil {
		err = b.sendThr(ctx, s)
	}
	if err == nil {
		err = cause(ctx, s.Send(ctx, fanoutMarker(b.size)))
	}
	stop()
	return closeBoth(err, s)
}

// awaitSubscribers receives XPUB subscription messages until n subscribed.
func (b *bench) awaitSubscribers(ctx context.Context, s *socket.Socket, n int) error {
	for got := 0; got < n; {
		m, err := s.Recv(ctx)
		if err != nil {
			return cause(ctx, err)
		}
		if len(m.Frames) == 1 && len(m.Frames[0]) >= 1 {
			switch m.Frames[0][0] {
			case 1:
				got++
				b.progress.Add(1)
			case 0:
				return errBenchLeft
			}
		}
	}
	return nil
}

// subThr subscribes to everything and receives until the marker.
func (b *bench) subThr(parent context.Context, ep string) error {
	var elapsed time.Duration
	err := b.session(parent, socket.Sub, ep, false, benchLinger, func(ctx context.Context, s *socket.Socket) (err error) {
		if err = s.Subscribe(nil); err != nil {
			return err
		}
		elapsed, err = b.receiveFanout(ctx, s)
		return err
	})
	if err != nil {
		return err
	}
	b.printThr(elapsed)
	return nil
}

// receiveFanout counts messages of the run's size up to the marker, timed
// from the first to the count-th, and fails unless there were exactly count:
// a dropped message must not pass as speed.
func (b *bench) receiveFanout(ctx context.Context, s *socket.Socket) (time.Duration, error) {
	var start, end time.Time
	got := 0
	for got <= b.count {
		m, err := s.Recv(ctx)
		if err != nil {
			return 0, cause(ctx, err)
		}
		if len(m.Frames) != 1 || len(m.Frames[0]) != b.size {
			break
		}
		m.Release()
		got++
		if got == 1 {
			start = time.Now()
		}
		if got == b.count {
			end = time.Now()
		}
		b.progress.Add(1)
	}
	if got != b.count {
		return 0, fmt.Errorf("%w: %d, want %d", errBenchLost, got, b.count)
	}
	return end.Sub(start), nil
}

// routerThr receives the run from one DEALER on a ROUTER.
func (b *bench) routerThr(parent context.Context, ep string) error {
	return b.timed(parent, socket.Router, ep, b.receiveRouted)
}

// receiveRouted is receiveThr for [routing id, payload] messages.
func (b *bench) receiveRouted(ctx context.Context, s *socket.Socket) (time.Duration, error) {
	var start time.Time
	for i := range b.count {
		m, err := s.Recv(ctx)
		if err != nil {
			return 0, cause(ctx, err)
		}
		if len(m.Frames) != 2 {
			return 0, fmt.Errorf("%w: %d frames", errBenchFrame, len(m.Frames))
		}
		if len(m.Frames[1]) != b.size {
			return 0, fmt.Errorf("%w: %d bytes, want %d", errBenchSize, len(m.Frames[1]), b.size)
		}
		m.Release()
		if i == 0 {
			start = time.Now()
		}
		b.progress.Add(1)
	}
	if b.count == 0 {
		return 0, nil
	}
	return time.Since(start), nil
}

// dealerThr sends the run from a DEALER.
func (b *bench) dealerThr(parent context.Context, ep string) error {
	return b.session(parent, socket.Dealer, ep, false, benchRemoteThrLinger, b.sendThr)
}
