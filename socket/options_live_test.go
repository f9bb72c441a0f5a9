package socket

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// fill sends on s without waiting until it would block, and returns how
// many messages it took.
func fill(t *testing.T, s *Socket, max int) int {
	t.Helper()
	n := 0
	for ; n < max; n++ {
		err := s.TrySend(NewMsg([]byte("m")))
		if errors.Is(err, ErrWouldBlock) {
			break
		}
		if err != nil {
			t.Fatalf("TrySend: %v", err)
		}
	}
	return n
}

func drain(s *Socket) int {
	n := 0
	for {
		if _, err := s.TryRecv(); err != nil {
			return n
		}
		n++
	}
}

func TestSetOptionGettersAndLinger(t *testing.T) {
	s := newSock(t, Push)
	if s.Linger() != DefaultLinger || s.SendHWM() != DefaultHWM || s.RecvHWM() != DefaultHWM || s.RoutingID() != nil {
		t.Fatalf("defaults: linger %v sndhwm %d rcvhwm %d id %q", s.Linger(), s.SendHWM(), s.RecvHWM(), s.RoutingID())
	}
	if err := s.SetOption(WithLinger(0), WithSendHWM(7), WithRecvHWM(9), WithReconnectInterval(time.Second),
		WithHeartbeat(time.Second, 3*time.Second, 2*time.Second), WithTCPKeepalive(KeepaliveOn), WithTOS(0x10),
		WithMaxMsgSize(1<<20)); err != nil {
		t.Fatal(err)
	}
	st := s.Settings()
	if st.Linger != 0 || st.SendHWM != 7 || st.RecvHWM != 9 || st.ReconnectInterval != time.Second ||
		st.HeartbeatInterval != time.Second || st.HeartbeatTTL != 3*time.Second || st.HeartbeatTimeout != 2*time.Second ||
		st.TCP.Keepalive != KeepaliveOn || st.TCP.TOS != 0x10 || st.MaxMsgSize != 1<<20 || st.Mechanism != "NULL" {
		t.Fatalf("settings after SetOption: %+v", st)
	}
	// One bad option: nothing of the call applies.
	err := s.SetOption(WithLinger(time.Minute), WithSendHWM(-1))
	if !errors.Is(err, ErrBadOption) {
		t.Fatalf("bad value: %v", err)
	}
	if s.Linger() != 0 || s.SendHWM() != 7 {
		t.Fatalf("a failed SetOption applied part of its options: linger %v hwm %d", s.Linger(), s.SendHWM())
	}
	// Linger 0 set after creation is what Close uses: a message queued for
	// a peer that never comes is discarded at once.
	connectTo(t, s, "tcp://127.0.0.1:1")
	send(t, s, "lost")
	start := time.Now()
	err = s.Close()
	var le *LingerError
	if !errors.As(err, &le) || le.Discarded != 1 || le.Linger != 0 {
		t.Fatalf("Close: %v, want a LingerError for 1 message with linger 0", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("Close with linger 0 set by SetOption took %v", d)
	}
	if err := s.SetOption(WithLinger(0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("SetOption after Close: %v", err)
	}
}

func TestSetOptionIdentityBeforeConnectOnly(t *testing.T) {
	r := newSock(t, Router)
	ep := bindAt(t, r, "tcp")
	d := newSock(t, Dealer)
	if err := d.SetOption(WithIdentity([]byte("first"))); err != nil {
		t.Fatal(err)
	}
	if err := d.SetOption(WithIdentity([]byte("dealer-1"))); err != nil {
		t.Fatal(err)
	}
	if string(d.RoutingID()) != "dealer-1" {
		t.Fatalf("RoutingID = %q", d.RoutingID())
	}
	connectTo(t, d, ep)
	err := d.SetOption(WithIdentity([]byte("other")))
	var oe *OptionError
	if !errors.Is(err, ErrOptionTooLate) || !errors.Is(err, ErrBadOption) || !errors.As(err, &oe) || oe.Option != "Identity" {
		t.Fatalf("identity after Connect: %v", err)
	}
	send(t, d, "hi")
	expect(t, r, "dealer-1", "hi")
	// The same value again changes nothing and is fine.
	if err := d.SetOption(WithIdentity([]byte("dealer-1"))); err != nil {
		t.Fatalf("unchanged identity after Connect: %v", err)
	}
}

func TestSetOptionFixedAtNew(t *testing.T) {
	auth := func(string) (string, error) { return "", nil }
	s := newSock(t, Rep, WithCurveServer([32]byte{1}), WithCurveAuth(auth))
	null := newSock(t, Rep)
	for name, c := range map[string]struct {
		s   *Socket
		opt Option
	}{
		"Security": {null, WithPlainClient("u", "p")},
		"Logger":   {s, WithLogger(slog.New(slog.DiscardHandler))},
		"Swap":     {null, WithSwap(1<<20, t.TempDir())},
		// Another closure made by the same WithX is another function.
		"Security again": {s, WithCurveAuth(auth)},
	} {
		err := c.s.SetOption(c.opt)
		var oe *OptionError
		if !errors.Is(err, ErrOptionNotSettable) || !errors.As(err, &oe) {
			t.Fatalf("%s: %v, want ErrOptionNotSettable", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	if st := s.Settings(); st.Mechanism != "CURVE" || !st.Server {
		t.Fatalf("settings: %+v", st)
	}
}

// HWMs changed on a live socket apply to pipes made afterwards, as in
// libzmq: the pipe to the first PULL keeps its mark, the second gets the
// new one. Inproc marks are the sender's plus the receiver's.
func TestSetOptionHWMForLaterPipes(t *testing.T) {
	push := newSock(t, Push, WithSendHWM(2))
	a := newSock(t, Pull, WithRecvHWM(1))
	b := newSock(t, Pull)
	if err := b.SetOption(WithRecvHWM(1)); err != nil {
		t.Fatal(err)
	}
	connectTo(t, push, bindAt(t, a, "inproc"))
	if n := fill(t, push, 100); n != 3 {
		t.Fatalf("first pipe took %d, want 2+1", n)
	}
	if err := push.SetOption(WithSendHWM(5)); err != nil {
		t.Fatal(err)
	}
	if n := fill(t, push, 100); n != 0 {
		t.Fatalf("the existing pipe grew by %d after SetOption", n)
	}
	connectTo(t, push, bindAt(t, b, "inproc"))
	if n := fill(t, push, 100); n != 6 {
		t.Fatalf("second pipe took %d, want 5+1", n)
	}
	if na, nb := drain(a), drain(b); na != 3 || nb != 6 {
		t.Fatalf("received %d and %d, want 3 and 6", na, nb)
	}
}

func TestSetOptionRouterMandatory(t *testing.T) {
	r := newSock(t, Router)
	unknown := NewMsg([]byte("nobody"), []byte("x"))
	if err := r.TrySend(unknown); err != nil {
		t.Fatalf("without mandatory: %v", err)
	}
	if err := r.SetOption(WithRouterMandatory(true)); err != nil {
		t.Fatal(err)
	}
	if err := r.TrySend(unknown); !errors.Is(err, ErrHostUnreachable) {
		t.Fatalf("with mandatory set later: %v", err)
	}
	if !r.Settings().RouterMandatory {
		t.Fatal("Settings does not show RouterMandatory")
	}
}

func TestMonitorMask(t *testing.T) {
	s := newSock(t, Pull, WithMonitorMask(EventListening.Mask()|EventClosed.Mask()))
	bindAt(t, s, "tcp")
	if err := s.Bind("bad://x"); err == nil {
		t.Fatal("bad endpoint bound")
	}
	if err := s.SetOption(WithMonitorMask(EventAll)); err != nil {
		t.Fatal(err)
	}
	if err := s.Bind("bad://y"); err == nil {
		t.Fatal("bad endpoint bound")
	}
	s.Close()
	var kinds []EventKind
	for e := range s.Monitor() {
		kinds = append(kinds, e.Kind)
	}
	want := []EventKind{EventListening, EventBindFailed, EventClosed}
	if len(kinds) != len(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v, want %v", kinds, want)
		}
	}
}

func TestMonitorOverflowCounted(t *testing.T) {
	s := newSock(t, Pull)
	const extra = 10
	for i := 0; i < monitorBuffer+extra; i++ {
		s.Bind("bad://x") // each emits BIND_FAILED
	}
	if got := s.Stats().MonitorDropped; got != extra {
		t.Fatalf("MonitorDropped = %d, want %d", got, extra)
	}
	// Reading makes room: the next event is preceded by the count.
	for i := 0; i < 5; i++ {
		<-s.Monitor()
	}
	s.Bind("bad://y")
	var over *MonitorOverflowError
	n := 0
	for _, e := range drainEvents(s, 2*time.Second) {
		n++
		if e.Kind == EventMonitorOverflow {
			if !errors.As(e.Err, &over) {
				t.Fatalf("overflow event without its error: %v", e)
			}
		}
	}
	if over == nil || over.Dropped != extra || over.Total != extra {
		t.Fatalf("overflow report %+v after %d events, want %d dropped", over, n, extra)
	}
	t.Logf("%d events dropped and reported: %v", extra, over)
}

// drainEvents returns the events readable now (the monitor stays open).
func drainEvents(s *Socket, d time.Duration) []Event {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var evs []Event
	for {
		select {
		case e := <-s.Monitor():
			evs = append(evs, e)
		case <-ctx.Done():
			return evs
		default:
			return evs
		}
	}
}

// XPUB_VERBOSE switched on a live socket: the second subscription to a
// topic, passed on only in verbose mode, reaches the application.
func TestSetOptionXPubVerbose(t *testing.T) {
	xpub := newSock(t, XPub)
	ep := bindAt(t, xpub, "inproc")
	a := newSock(t, Sub)
	connectTo(t, a, ep)
	if err := a.Subscribe([]byte("t")); err != nil {
		t.Fatal(err)
	}
	expect(t, xpub, "\x01t")
	b := newSock(t, Sub)
	connectTo(t, b, ep)
	b.Subscribe([]byte("t"))
	expectNothing(t, xpub, 50*time.Millisecond)
	if err := xpub.SetOption(WithXPubVerbose(true)); err != nil {
		t.Fatal(err)
	}
	c := newSock(t, Sub)
	connectTo(t, c, ep)
	c.Subscribe([]byte("t"))
	expect(t, xpub, "\x01t")
}
