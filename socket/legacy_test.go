package socket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// legacyPairs are the socket pairs of the ZMTP 1.0/2.0 era, each with a
// conversation that needs both directions where the pair has them.
var legacyPairs = []struct {
	a, b Type
	run  func(t *testing.T, a, b *Socket)
}{
	{Push, Pull, func(t *testing.T, a, b *Socket) {
		send(t, a, "job", "", "x")
		expect(t, b, "job", "", "x")
		big := strings.Repeat("L", 70000) // a long frame in either framing
		send(t, a, big)
		expect(t, b, big)
	}},
	{Req, Rep, func(t *testing.T, a, b *Socket) {
		for range 2 {
			send(t, a, "q")
			expect(t, b, "q")
			send(t, b, "r")
			expect(t, a, "r")
		}
	}},
	{Dealer, Router, func(t *testing.T, a, b *Socket) {
		send(t, a, "hello")
		expect(t, b, "dealer-id", "hello") // the identity from the old greeting
		send(t, b, "dealer-id", "back")
		expect(t, a, "back")
	}},
	{Pub, Sub, func(t *testing.T, a, b *Socket) {
		if err := b.Subscribe([]byte("t")); err != nil {
			t.Fatal(err)
		}
		syncSubscribed(t, a, b)
		send(t, a, "u-skipped")
		send(t, a, "t1", "body")
		expect(t, b, "t1", "body")
	}},
	{XPub, XSub, func(t *testing.T, a, b *Socket) {
		send(t, b, "\x01t")
		got := recv(t, a)
		if len(got) == 1 && got[0] == "\x01" {
			// Over ZMTP 1.0 an XPUB first sees the subscription to
			// everything that stands for a subscriber that never
			// subscribes (libzmq reports it the same way).
			got = recv(t, a)
		}
		if len(got) != 1 || got[0] != "\x01t" {
			t.Fatalf("XPUB received %q, want the subscription message", got)
		}
		send(t, a, "t1")
		expect(t, b, "t1")
	}},
	{Pair, Pair, func(t *testing.T, a, b *Socket) {
		send(t, a, "ping")
		expect(t, b, "ping")
		send(t, b, "pong")
		expect(t, a, "pong")
	}},
}

// syncSubscribed publishes "t-sync" until the subscriber has one, then
// drains the extra copies: a subscription travels asynchronously.
func syncSubscribed(t *testing.T, pub, sub *Socket) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		send(t, pub, "t-sync")
		if m, err := sub.Recv(ctxT(t, 50*time.Millisecond)); err == nil {
			if got := strs(m); got[0] != "t-sync" {
				t.Fatalf("sync received %q", got)
			}
			for {
				if _, err := sub.Recv(ctxT(t, 30*time.Millisecond)); err != nil {
					return
				}
			}
		}
	}
	t.Fatal("subscription never reached the publisher")
}

// TestLegacyVersionsBetweenOurSockets runs every pair of the old socket
// types with one side announcing ZMTP 2.0 or 1.0 and the other on the
// default, over tcp and ipc: the default side downgrades (RFC 23), which
// HANDSHAKE_SUCCEEDED's Protocol shows on both ends.
func TestLegacyVersionsBetweenOurSockets(t *testing.T) {
	for _, pr := range legacyPairs {
		for _, v := range []zmtp.LegacyVersion{zmtp.ZMTP20, zmtp.ZMTP10} {
			for _, oldSide := range []string{"a", "b"} {
				for _, tr := range []string{"tcp", "ipc"} {
					name := pr.a.String() + "-" + pr.b.String() + "/" + v.String() + "=" + oldSide + "/" + tr
					t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
						aOpts := []Option{WithLinger(0)}
						bOpts := []Option{WithLinger(0)}
						if pr.a == Dealer {
							aOpts = append(aOpts, WithIdentity([]byte("dealer-id")))
						}
						if oldSide == "a" {
							aOpts = append(aOpts, WithZMTPVersion(v))
						} else {
							bOpts = append(bOpts, WithZMTPVersion(v))
						}
						a := newSock(t, pr.a, aOpts...)
						b := newSock(t, pr.b, bOpts...)
						connectTo(t, a, bindAt(t, b, tr))
						for _, s := range []*Socket{a, b} {
							e := waitEvent(t, s, EventHandshakeSucceeded, 5*time.Second)
							if e.Protocol != v.String() {
								t.Fatalf("%v: connection speaks %q, want %q", s.Type(), e.Protocol, v)
							}
						}
						pr.run(t, a, b)
					})
				}
			}
		}
	}
}

// TestLegacyDefaultIsZMTP31: two default sockets still speak ZMTP 3.1.
func TestLegacyDefaultIsZMTP31(t *testing.T) {
	a := newSock(t, Push, WithLinger(0))
	b := newSock(t, Pull, WithLinger(0))
	connectTo(t, a, bindAt(t, b, "tcp"))
	if e := waitEvent(t, a, EventHandshakeSucceeded, 5*time.Second); e.Protocol != "ZMTP/3.1" {
		t.Fatalf("protocol %q", e.Protocol)
	}
	send(t, a, "x")
	expect(t, b, "x")
}

func TestLegacyOptionChecks(t *testing.T) {
	for name, tc := range map[string]struct {
		typ  Type
		opts []Option
	}{
		"bad version":   {Push, []Option{WithZMTPVersion(3)}},
		"with PLAIN":    {Push, []Option{WithPlainClient("u", "p"), WithZMTPVersion(zmtp.ZMTP10)}},
		"while refused": {Push, []Option{WithZMTPVersion(zmtp.ZMTP20), WithLegacyPeers(false)}},
	} {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			s, err := New(tc.typ, tc.opts...)
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrBadOption) {
				t.Fatalf("got %v, want ErrBadOption", err)
			}
		})
	}
}

// rawLegacy is a ZMTP 1.0 or 2.0 peer written from the RFC bytes, over a
// plain net.Conn, to check the wire exactly.
type rawLegacy struct {
	t  *testing.T
	nc net.Conn
	v  zmtp.LegacyVersion
}

func dialRaw(t *testing.T, ep string, v zmtp.LegacyVersion) *rawLegacy {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawLegacy{t: t, nc: nc, v: v}
}

func (r *rawLegacy) write(b []byte) {
	r.t.Helper()
	if _, err := r.nc.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

// expectBytes reads exactly len(want) bytes and compares.
func (r *rawLegacy) expectBytes(what string, want []byte) {
	r.t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r.nc, got); err != nil {
		r.t.Fatalf("%s: read: %v (want %x)", what, err, want)
	}
	if !bytes.Equal(got, want) {
		r.t.Fatalf("%s:\n got %x\nwant %x", what, got, want)
	}
}

// readUntil reads until the stream read so far ends with want, calling
// poke (when not nil) before each short wait; it returns what it read.
func (r *rawLegacy) readUntil(t *testing.T, want []byte, poke func()) []byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got []byte
	for !bytes.HasSuffix(got, want) {
		if time.Now().After(deadline) {
			t.Fatalf("never read %x; got %x", want, got)
		}
		if poke != nil {
			poke()
		}
		r.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		b := make([]byte, 512)
		n, err := r.nc.Read(b)
		got = append(got, b[:n]...)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read: %v (got %x)", err, got)
		}
	}
	return got
}

// frame encodes one frame in the peer's framing, by hand from RFC 13 / 15.
func (r *rawLegacy) frame(more bool, body string) []byte {
	var flags byte
	if more {
		flags = 1
	}
	if r.v == zmtp.ZMTP10 {
		if len(body)+1 < 255 {
			return append([]byte{byte(len(body) + 1), flags}, body...)
		}
		b := binary.BigEndian.AppendUint64([]byte{0xff}, uint64(len(body)+1))
		return append(append(b, flags), body...)
	}
	if len(body) <= 255 {
		return append([]byte{flags, byte(len(body))}, body...)
	}
	b := binary.BigEndian.AppendUint64([]byte{flags | 2}, uint64(len(body)))
	return append(b, body...)
}

func (r *rawLegacy) msg(frames ...string) []byte {
	var out []byte
	for i, f := range frames {
		out = append(out, r.frame(i < len(frames)-1, f)...)
	}
	return out
}

// greet performs the peer's side of the greeting against a default socket
// of type ourType (identity ourID): a 1.0 peer opens with its identity frame
// and reads our RFC 23 signature as the header of ours; a 2.0 peer sends its
// signature, revision and socket type and reads ours.
func (r *rawLegacy) greet(peerType string, peerID, ourType string, ourID string) {
	r.t.Helper()
	sig := append(binary.BigEndian.AppendUint64([]byte{0xff}, uint64(len(ourID)+1)), 0x7f)
	if r.v == zmtp.ZMTP10 {
		r.write(append([]byte{byte(len(peerID) + 1), 0}, peerID...))
		// Our signature is a long identity-frame header; the body follows.
		r.expectBytes("signature + identity", append(sig, ourID...))
		return
	}
	code, _ := zmtp.LegacySocketType(peerType)
	r.write(append(binary.BigEndian.AppendUint64([]byte{0xff}, uint64(len(peerID)+1)), 0x7f))
	r.expectBytes("signature", sig)
	r.write(append([]byte{1, code, 0, byte(len(peerID))}, peerID...))
	ourCode, _ := zmtp.LegacySocketType(ourType)
	r.expectBytes("revision, type, identity", append([]byte{3, ourCode, 0, byte(len(ourID))}, ourID...))
}

// TestLegacyRawPeers: a ZMTP 1.0 and a 2.0 peer written from the RFC bytes
// talk to our default sockets in their own framing.
func TestLegacyRawPeers(t *testing.T) {
	for _, v := range []zmtp.LegacyVersion{zmtp.ZMTP10, zmtp.ZMTP20} {
		t.Run(strings.ReplaceAll(v.String(), "/", "_"), func(t *testing.T) {
			t.Run("DEALER-to-our-ROUTER", func(t *testing.T) {
				router := newSock(t, Router, WithLinger(0))
				r := dialRaw(t, bindAt(t, router, "tcp"), v)
				r.greet("DEALER", "old-dealer", "ROUTER", "")
				r.write(r.msg("a", strings.Repeat("b", 300)))
				expect(t, router, "old-dealer", "a", strings.Repeat("b", 300))
				send(t, router, "old-dealer", "reply", "")
				r.expectBytes("reply", r.msg("reply", ""))
			})
			t.Run("REQ-to-our-REP", func(t *testing.T) {
				rep := newSock(t, Rep, WithLinger(0), WithIdentity([]byte("rep")))
				r := dialRaw(t, bindAt(t, rep, "tcp"), v)
				r.greet("REQ", "", "REP", "rep")
				r.write(r.msg("", "question"))
				expect(t, rep, "question")
				send(t, rep, "answer")
				r.expectBytes("answer", r.msg("", "answer"))
			})
			t.Run("our-PUB-to-SUB", func(t *testing.T) {
				pub := newSock(t, Pub, WithLinger(0))
				r := dialRaw(t, bindAt(t, pub, "tcp"), v)
				r.greet("SUB", "", "PUB", "")
				if v == zmtp.ZMTP20 {
					// A 2.0 subscriber subscribes by message (RFC 15).
					r.write(r.msg("\x01news"))
				}
				// Publish until the subscription (or, for a 1.0 peer, which
				// never subscribes, the implied one) is in place.
				r.readUntil(t, r.msg("news", "1"), func() { send(t, pub, "news", "1") })
				send(t, pub, "other")
				send(t, pub, "news", "2")
				want := r.msg("news", "2")
				if v == zmtp.ZMTP10 {
					// It filters itself, so it gets everything, as from libzmq.
					want = append(r.msg("other"), want...)
				}
				got := r.readUntil(t, want, nil)
				if v == zmtp.ZMTP20 && bytes.Contains(got, r.msg("other")) {
					t.Fatalf("unsubscribed topic sent: %x", got)
				}
			})
			t.Run("PUB-to-our-SUB", func(t *testing.T) {
				sub := newSock(t, Sub, WithLinger(0))
				if err := sub.Subscribe([]byte("t")); err != nil {
					t.Fatal(err)
				}
				r := dialRaw(t, bindAt(t, sub, "tcp"), v)
				r.greet("PUB", "", "SUB", "")
				// Our subscription arrives as a message, in the peer's framing.
				r.expectBytes("subscription", r.msg("\x01t"))
				r.write(append(r.msg("u"), r.msg("t1", "x")...))
				expect(t, sub, "t1", "x") // "u" filtered out
			})
		})
	}
}

// TestLegacyHugeFrame: an old-version frame announcing more than the
// socket's max message size (or than memory can hold) closes that
// connection with a typed error before anything is allocated; the other
// peers are unaffected.
func TestLegacyHugeFrame(t *testing.T) {
	for _, v := range []zmtp.LegacyVersion{zmtp.ZMTP10, zmtp.ZMTP20} {
		for _, max := range []int64{1000, 0} {
			name := strings.ReplaceAll(v.String(), "/", "_")
			if max == 0 {
				name += "_unlimited"
			}
			t.Run(name, func(t *testing.T) {
				var opts []Option
				if max > 0 {
					opts = append(opts, WithMaxMsgSize(max))
				}
				pull := newSock(t, Pull, append(opts, WithLinger(0))...)
				ep := bindAt(t, pull, "tcp")
				good := newSock(t, Push, WithLinger(0))
				connectTo(t, good, ep)
				send(t, good, "before")
				expect(t, pull, "before")

				r := dialRaw(t, ep, v)
				r.greet("PUSH", "", "PULL", "")
				waitEvent(t, pull, EventHandshakeSucceeded, 5*time.Second)
				var hdr []byte
				if v == zmtp.ZMTP10 {
					hdr = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
				} else {
					hdr = []byte{0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
				}
				r.write(hdr) // no flags or body: refused from the length
				e := waitEvent(t, pull, EventDisconnected, 5*time.Second)
				var fse *zmtp.FrameSizeError
				if !errors.Is(e.Err, zmtp.ErrMessageTooLarge) || !errors.As(e.Err, &fse) {
					t.Fatalf("disconnected with %v, want a FrameSizeError", e.Err)
				}
				if _, err := r.nc.Read(make([]byte, 16)); err == nil {
					t.Fatal("connection left open")
				}
				send(t, good, "after")
				expect(t, pull, "after")
			})
		}
	}
}

// TestLegacyRefused: WithLegacyPeers(false) and a PLAIN server refuse a
// ZMTP 1.0 peer with an error that says why.
func TestLegacyRefused(t *testing.T) {
	for name, opts := range map[string][]Option{
		"refused": {WithLegacyPeers(false)},
		"PLAIN":   {WithPlainServer(func(u, p string) (string, error) { return u, nil })},
	} {
		t.Run(name, func(t *testing.T) {
			pull := newSock(t, Pull, append(opts, WithLinger(0))...)
			r := dialRaw(t, bindAt(t, pull, "tcp"), zmtp.ZMTP10)
			r.write([]byte{1, 0})
			e := waitEvent(t, pull, EventHandshakeFailed, 5*time.Second)
			if !errors.Is(e.Err, zmtp.ErrLegacyPeer) {
				t.Fatalf("got %v", e.Err)
			}
			if name == "PLAIN" && !strings.Contains(e.Err.Error(), "requires PLAIN") {
				t.Fatalf("reason not given: %v", e.Err)
			}
		})
	}
}

// TestLegacyNoHeartbeat: ZMTP 1.0 and 2.0 have no PING, so a socket with
// heartbeats sends none on such a connection and does not drop the peer
// for being silent.
func TestLegacyNoHeartbeat(t *testing.T) {
	for _, v := range []zmtp.LegacyVersion{zmtp.ZMTP10, zmtp.ZMTP20} {
		t.Run(strings.ReplaceAll(v.String(), "/", "_"), func(t *testing.T) {
			pull := newSock(t, Pull, WithLinger(0), WithHeartbeat(20*time.Millisecond, 0, 60*time.Millisecond))
			r := dialRaw(t, bindAt(t, pull, "tcp"), v)
			r.greet("PUSH", "", "PULL", "")
			// Silent for many heartbeat timeouts: nothing arrives, nothing closes.
			r.nc.SetReadDeadline(time.Now().Add(400 * time.Millisecond))
			n, err := r.nc.Read(make([]byte, 64))
			if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read %d bytes, %v; want silence", n, err)
			}
			r.nc.SetDeadline(time.Now().Add(5 * time.Second))
			r.write(r.msg("still", "here"))
			expect(t, pull, "still", "here")
		})
	}
}
