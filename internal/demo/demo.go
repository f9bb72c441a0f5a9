// Package demo runs the durable-subscriber scenario of ZeroMQ 2.x's guide in
// one process over TCP loopback, in three variants, and reports what each
// subscriber run received, what was lost and what the publisher held.
//
// The scenario: a publisher sends "Update 0" ... "Update 9" and "END". A
// subscriber with identity "Hello" subscribes to everything and is stopped
// and restarted twice while the publisher runs:
//
//	run 1 is connected while Updates 0-2 are sent, then stops;
//	Updates 3-6 are sent while it is away;
//	run 2 reconnects, receives its backlog, is connected for Update 7, stops;
//	Updates 8, 9 and END are sent while it is away;
//	run 3 reconnects and receives whatever the publisher kept for it.
//
// The steps are driven by events rather than by sleeping one second between
// updates, so the output is the same on every machine.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// Variant is one configuration of the publisher.
type Variant struct {
	Name string
	HWM  int   // publisher's send HWM (0: none)
	Swap int64 // swap budget in bytes (0: no swap)
}

// Variants are the three runs the README shows.
var Variants = []Variant{
	{Name: "retention, no HWM", HWM: 0},
	{Name: "retention, HWM 1", HWM: 1},
	{Name: "retention, HWM 1 + swap", HWM: 1, Swap: 25_000_000},
}

// Result is what one variant produced.
type Result struct {
	Variant   Variant
	Runs      [3][]string // messages each subscriber run printed
	Lost      []string    // updates sent but never received
	Dropped   uint64      // publisher's drop counter
	PeakBytes int64       // largest in-memory backlog of one pipe (payload bytes)
	Swapped   uint64      // messages that went through the swap
}

// Options tune a run.
type Options struct {
	Payload int           // extra bytes of padding per update, to make memory visible
	Quiet   time.Duration // how long a subscriber waits for more before it stops (default 300ms)
	Dir     string        // swap directory (default: a temporary one)
}

const identity = "Hello"

// Run runs one variant.
func Run(ctx context.Context, v Variant, o Options) (Result, error) {
	if o.Quiet <= 0 {
		o.Quiet = 300 * time.Millisecond
	}
	sc := &scenario{
		ctx:      ctx,
		quiet:    o.Quiet,
		pad:      bytes.Repeat([]byte{'.'}, o.Payload),
		received: map[string]bool{},
		res:      Result{Variant: v},
	}
	closePub, err := sc.openPublisher(v, o.Dir)
	defer closePub()
	if err != nil {
		return sc.res, err
	}
	for run := 0; run < 3; run++ {
		if err := sc.subscriberRun(run); err != nil {
			return sc.res, err
		}
		if run == 2 {
			break
		}
		if err := sc.waitEvent(socket.EventDisconnected); err != nil {
			return sc.res, err
		}
		away := []string{"Update 3", "Update 4", "Update 5", "Update 6"}
		if run == 1 {
			away = []string{"Update 8", "Update 9", "END"}
		}
		for _, u := range away {
			if err := sc.publish(u); err != nil {
				return sc.res, err
			}
		}
	}
	for _, s := range sc.sent {
		if !sc.received[s] {
			sc.res.Lost = append(sc.res.Lost, s)
		}
	}
	st := sc.pub.Stats()
	sc.res.Dropped = st.Dropped
	sc.res.PeakBytes = st.PeakQueuedBytes
	sc.res.Swapped = st.Spilled
	return sc.res, nil
}

// scenario is one variant's run in progress: the publisher, what it sent
// and what the subscriber runs received.
type scenario struct {
	ctx      context.Context
	quiet    time.Duration
	pub      *socket.Socket
	events   <-chan socket.Event
	ep       string
	pad      []byte
	sent     []string
	received map[string]bool
	res      Result
}

// openPublisher opens and binds the variant's publisher, with a temporary
// swap directory unless dir names one. The returned func closes the
// publisher, then removes the temporary directory; call it also after an
// error.
func (sc *scenario) openPublisher(v Variant, dir string) (closePub func(), err error) {
	var tmp string
	closePub = func() {
		if sc.pub != nil {
			sc.pub.Close()
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	popts := []socket.Option{
		socket.WithSendHWM(v.HWM),
		socket.WithRetention(socket.Retention{TTL: time.Minute}),
	}
	if v.Swap > 0 {
		if dir == "" {
			if tmp, err = os.MkdirTemp("", "purezmq-demo-"); err != nil {
				return closePub, err
			}
			dir = tmp
		}
		popts = append(popts, socket.WithSwap(v.Swap, dir))
	}
	if sc.pub, err = socket.New(socket.Pub, popts...); err != nil {
		return closePub, err
	}
	sc.events = sc.pub.Monitor()
	if err := sc.pub.Bind("tcp://127.0.0.1:0"); err != nil {
		return closePub, err
	}
	sc.ep = sc.pub.Endpoints()[0]
	return closePub, nil
}

// publish sends one update (padded as Options.Payload asks) and notes it as
// sent.
func (sc *scenario) publish(text string) error {
	sc.sent = append(sc.sent, text)
	msg := []byte(text)
	if len(sc.pad) > 0 {
		msg = append(append(msg, ' '), sc.pad...)
	}
	return sc.pub.Send(sc.ctx, socket.NewMsg(msg))
}

// waitEvent waits for the publisher to see a peer arrive or leave, so that
// each update goes where the scenario says: to a live subscriber, or into
// the pipe the publisher retains for an absent one.
func (sc *scenario) waitEvent(kind socket.EventKind) error {
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-sc.events:
			if !ok {
				return errors.New("demo: publisher monitor closed")
			}
			if ev.Kind == kind {
				return nil
			}
		case <-t.C:
			return fmt.Errorf("demo: publisher saw no %v within 10s", kind)
		case <-sc.ctx.Done():
			return sc.ctx.Err()
		}
	}
}

// subscriberRun starts the subscriber "Hello" once more, publishes the
// updates this run is there for, and reads until quiet.
func (sc *scenario) subscriberRun(run int) error {
	sub, err := sc.connectSubscriber()
	if err != nil {
		return err
	}
	defer sub.Close()
	var live []string
	switch run {
	case 0:
		// The subscription has to reach the publisher before the first
		// update; a fresh subscriber of libzmq has the same "slow joiner"
		// gap. Later runs inherit their retained subscriptions.
		time.Sleep(100 * time.Millisecond)
		live = []string{"Update 0", "Update 1", "Update 2"}
	case 1:
		live = []string{"Update 7"}
	}
	settle(sc.pub) // the backlog goes out first
	for _, u := range live {
		if err := sc.publish(u); err != nil {
			return err
		}
		// The guide's publisher sends one update a second, so a live
		// subscriber keeps up; pacing by the pipe instead of the clock
		// gives the same picture without the wait.
		settle(sc.pub)
	}
	sc.readUntilQuiet(sub, run)
	return nil
}

// connectSubscriber connects a subscriber to everything and waits until the
// publisher has seen its handshake.
func (sc *scenario) connectSubscriber() (*socket.Socket, error) {
	sub, err := socket.New(socket.Sub, socket.WithIdentity([]byte(identity)))
	if err != nil {
		return nil, err
	}
	if err := sub.Subscribe(nil); err != nil {
		sub.Close()
		return nil, err
	}
	if err := sub.Connect(sc.ep); err != nil {
		sub.Close()
		return nil, err
	}
	if err := sc.waitEvent(socket.EventHandshakeSucceeded); err != nil {
		sub.Close()
		return nil, err
	}
	return sub, nil
}

// readUntilQuiet receives, the backlog first and then the live updates,
// until nothing arrived for the quiet time, and records what run got.
func (sc *scenario) readUntilQuiet(sub *socket.Socket, run int) {
	for {
		rctx, cancel := context.WithTimeout(sc.ctx, sc.quiet)
		m, err := sub.Recv(rctx)
		cancel()
		if err != nil {
			return
		}
		text := updateName(string(m.Frames[0]))
		sc.res.Runs[run] = append(sc.res.Runs[run], text)
		sc.received[text] = true
	}
}

// updateName strips the padding from a received update: "Update 3 ...."
// is "Update 3", "END ...." is "END".
func updateName(text string) string {
	if i := strings.IndexByte(text, ' '); i >= 0 && strings.HasPrefix(text, "Update") {
		if j := strings.IndexByte(text[i+1:], ' '); j >= 0 {
			text = text[:i+1+j]
		}
	} else if strings.HasPrefix(text, "END") {
		text = "END"
	}
	return text
}

// Print writes the results as one table a newcomer can read at a glance.
func Print(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tsubscriber run 1\trun 2\trun 3\tlost\tpub peak in memory\tpub swapped")
	for _, r := range results {
		lost := "none"
		if len(r.Lost) > 0 {
			lost = fmt.Sprintf("%d (%s)", len(r.Lost), shorten(r.Lost))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d B\t%d msgs\n", r.Variant.Name,
			shorten(r.Runs[0]), shorten(r.Runs[1]), shorten(r.Runs[2]), lost, r.PeakBytes, r.Swapped)
	}
	tw.Flush()
}

// shorten prints "Update 3, Update 4, Update 5" as "3, 4, 5".
func shorten(msgs []string) string {
	if len(msgs) == 0 {
		return "-"
	}
	parts := make([]string, len(msgs))
	for i, m := range msgs {
		parts[i] = strings.TrimPrefix(m, "Update ")
	}
	return strings.Join(parts, ", ")
}

// settle waits (up to a second) until the publisher's pipes are drained to
// the network.
func settle(pub *socket.Socket) {
	deadline := time.Now().Add(time.Second)
	for pub.Stats().Queued > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}
