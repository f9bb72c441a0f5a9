package interop

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// reqCorrelateOpts are REQ_RELAXED and REQ_CORRELATE on our side.
func reqCorrelateOpts(correlate bool) []socket.Option {
	return []socket.Option{socket.WithReqRelaxed(true), socket.WithReqCorrelate(correlate)}
}

// Our relaxed REQ against a libzmq REP, Lazy Pirate style: the first
// request's Recv times out, the REQ resends, and the REP then answers both.
// With REQ_CORRELATE the REQ takes only the answer to its latest request
// (the REP echoed our request id frame with the envelope); without it, as
// libzmq documents, the late answer is taken for the new one.
func TestPyReqCorrelateWithRep(t *testing.T) {
	testpeer.Python(t)
	for _, correlate := range []bool{true, false} {
		name := "relaxed"
		if correlate {
			name = "relaxed+correlate"
		}
		t.Run(name, func(t *testing.T) {
			rep := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"}})
			req := newOurs(t, "REQ", reqCorrelateOpts(correlate)...)
			if err := req.Connect(rep.Endpoint()); err != nil {
				t.Fatal(err)
			}
			ours{req}.send(t, b("q1"))
			mustRecv(t, theirs{rep}, "q1") // taken by the REP, not answered yet
			if _, ok := (ours{req}).recv(t, 100*time.Millisecond); ok {
				t.Fatal("a reply before the REP answered")
			}
			ours{req}.send(t, b("q2")) // relaxed: allowed after the timeout
			theirs{rep}.send(t, b("late-a1"))
			mustRecv(t, theirs{rep}, "q2")
			theirs{rep}.send(t, b("a2"))
			want := "a2"
			if !correlate {
				want = "late-a1"
			}
			mustRecv(t, ours{req}, want)
			// The cycle goes on normally.
			ours{req}.send(t, b("q3"))
			if !correlate {
				// The REP's a2 may still be in flight: it would be dropped
				// as stale when q3 was sent, or taken now; either way, no
				// correlation means no guarantee, so only go on with it.
				return
			}
			mustRecv(t, theirs{rep}, "q3")
			theirs{rep}.send(t, b("a3"))
			mustRecv(t, ours{req}, "a3")
		})
	}
}

// Our correlating REQ against a libzmq ROUTER: the ROUTER sees the request
// id as a 4-byte frame before the delimiter, ids of successive requests
// count up, and a reply with another id (or none) is dropped.
func TestPyReqCorrelateWithRouter(t *testing.T) {
	testpeer.Python(t)
	router := testpeer.StartPy(t, testpeer.PyOptions{Type: "ROUTER", Bind: []string{"tcp://127.0.0.1:*"}})
	req := newOurs(t, "REQ", reqCorrelateOpts(true)...)
	if err := req.Connect(router.Endpoint()); err != nil {
		t.Fatal(err)
	}
	ours{req}.send(t, b("q1"))
	m, ok := theirs{router}.recv(t, wait)
	if !ok {
		t.Fatal("libzmq ROUTER got nothing")
	}
	if len(m) != 4 || len(m[1]) != 4 || len(m[2]) != 0 || string(m[3]) != "q1" {
		t.Fatalf("libzmq ROUTER got %q, want [rid, id, \"\", q1]", m)
	}
	id := binary.LittleEndian.Uint32(m[1])
	var other [4]byte
	binary.LittleEndian.PutUint32(other[:], id-1)
	theirs{router}.send(t, m[0], other[:], nil, b("wrong id"))
	theirs{router}.send(t, m[0], nil, b("no id"))
	if got, ok := (ours{req}).recv(t, 100*time.Millisecond); ok {
		t.Fatalf("took a reply without our request id: %q", got)
	}
	theirs{router}.send(t, m[0], m[1], nil, b("a1"))
	mustRecv(t, ours{req}, "a1")

	ours{req}.send(t, b("q2"))
	m2, ok := theirs{router}.recv(t, wait)
	if !ok || len(m2) != 4 {
		t.Fatalf("libzmq ROUTER got %q", m2)
	}
	if id2 := binary.LittleEndian.Uint32(m2[1]); id2 != id+1 {
		t.Fatalf("second request id %d, want %d", id2, id+1)
	}
	theirs{router}.send(t, m2[0], m2[1], nil, b("a2"))
	mustRecv(t, ours{req}, "a2")
}

// A libzmq REQ with REQ_RELAXED and REQ_CORRELATE against our ROUTER and
// our REP: our ROUTER sees libzmq's request id frame laid out as ours
// (4 bytes, counting up in the same byte order), and our REP echoes it so
// the libzmq REQ accepts the reply to its latest request only.
func TestPyLibzmqReqCorrelate(t *testing.T) {
	testpeer.Python(t)
	extra := []string{"--opt", "REQ_RELAXED=1", "--opt", "REQ_CORRELATE=1"}
	t.Run("our-router", func(t *testing.T) {
		router := newOurs(t, "ROUTER")
		ep := ourBind(t, router, "tcp://")
		req := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}, Extra: extra})
		theirs{req}.send(t, b("q1"))
		m1, _ := ours{router}.recv(t, wait)
		theirs{req}.send(t, b("q2")) // relaxed
		m2, _ := ours{router}.recv(t, wait)
		if len(m1) != 4 || len(m2) != 4 || len(m1[1]) != 4 || len(m1[2]) != 0 {
			t.Fatalf("our ROUTER got %q and %q", m1, m2)
		}
		if a, b := binary.LittleEndian.Uint32(m1[1]), binary.LittleEndian.Uint32(m2[1]); b != a+1 {
			t.Fatalf("libzmq request ids %d then %d: not the layout we use", a, b)
		}
		ours{router}.send(t, m1[0], m1[1], nil, b("a1"))
		ours{router}.send(t, m2[0], m2[1], nil, b("a2"))
		mustRecv(t, theirs{req}, "a2")
	})
	t.Run("our-rep", func(t *testing.T) {
		rep := newOurs(t, "REP")
		ep := ourBind(t, rep, "tcp://")
		req := testpeer.StartPy(t, testpeer.PyOptions{Type: "REQ", Connect: []string{ep}, Extra: extra})
		theirs{req}.send(t, b("q1"))
		mustRecv(t, ours{rep}, "q1")
		theirs{req}.send(t, b("q2")) // relaxed, before our REP answered
		ours{rep}.send(t, b("late-a1"))
		mustRecv(t, ours{rep}, "q2")
		ours{rep}.send(t, b("a2"))
		mustRecv(t, theirs{req}, "a2")
	})
}

// Our REQ polled with a timeout against a libzmq REP that does not answer
// the first try: the Lazy Pirate client over the wire, with the poller.
func TestPyLazyPirate(t *testing.T) {
	testpeer.Python(t)
	rep := testpeer.StartPy(t, testpeer.PyOptions{Type: "REP", Bind: []string{"tcp://127.0.0.1:*"}})
	req := newOurs(t, "REQ", append(reqCorrelateOpts(true), socket.WithRecvTimeout(time.Second))...)
	if err := req.Connect(rep.Endpoint()); err != nil {
		t.Fatal(err)
	}
	p := socket.NewPoller()
	defer p.Close()
	p.Add(req, socket.PollIn)
	ours{req}.send(t, b("try-1"))
	mustRecv(t, theirs{rep}, "try-1") // the server took it and stays silent
	if r, err := p.WaitTimeout(100 * time.Millisecond); err != nil || len(r) != 0 {
		t.Fatalf("poll before any reply: %v, %v", r, err)
	}
	ours{req}.send(t, b("try-2"))
	theirs{rep}.send(t, b("re-try-1")) // too late
	mustRecv(t, theirs{rep}, "try-2")
	theirs{rep}.send(t, b("re-try-2"))
	r, err := p.Wait(ctxWait(t))
	if err != nil || len(r) != 1 {
		t.Fatalf("poll: %v, %v", r, err)
	}
	m, err := req.TryRecv()
	if err != nil || string(m.Frames[0]) != "re-try-2" {
		t.Fatalf("reply %q, %v", m.Frames, err)
	}
	// Without the poller: RCVTIMEO ends a Recv that gets no reply with an
	// error that is both a deadline and a would-block, and the REQ resends.
	ours{req}.send(t, b("try-3"))
	mustRecv(t, theirs{rep}, "try-3")
	if _, err := req.Recv(context.Background()); !errors.Is(err, socket.ErrWouldBlock) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recv past RCVTIMEO: %v", err)
	}
	ours{req}.send(t, b("try-4"))
	theirs{rep}.send(t, b("re-try-3"))
	mustRecv(t, theirs{rep}, "try-4")
	theirs{rep}.send(t, b("re-try-4"))
	if m, err := req.Recv(context.Background()); err != nil || string(m.Frames[0]) != "re-try-4" {
		t.Fatalf("reply %q, %v", m.Frames, err)
	}
}

func ctxWait(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}
