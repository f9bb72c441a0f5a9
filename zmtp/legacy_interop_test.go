package zmtp

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// The legacy codec against libzmq 4.3 (pyzmq), which downgrades to ZMTP 2.0
// or 1.0 when its peer's greeting says so (RFC 23). Our side here is raw
// bytes built and parsed only with the legacy codec, no Conn: it shows the
// codec is what libzmq speaks before any handshake code uses it.

// legacyDial connects to the pyzmq peer, sends our greeting in version v
// (socket type st), and reads libzmq's greeting with the legacy parsers.
// It returns the connection and the bytes read past the greeting.
func legacyDial(t *testing.T, p *testpeer.Py, v LegacyVersion, st string) (net.Conn, []byte, LegacyGreeting) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", strings.TrimPrefix(p.Endpoint(), "tcp://"), pyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(pyTimeout))
	var out []byte
	if v == ZMTP20 {
		out, err = AppendV2Greeting(nil, st, []byte("legacy"))
	} else {
		out, err = AppendV1Greeting(nil, []byte("legacy"))
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(out); err != nil {
		t.Fatal(err)
	}
	var in []byte
	for {
		var g LegacyGreeting
		var n int
		if v == ZMTP20 {
			g, n, err = ParseV2Greeting(in)
		} else {
			g, n, err = ParseV1Greeting(in)
		}
		if err == nil {
			return nc, in[n:], g
		}
		if !errors.Is(err, ErrShort) {
			t.Fatalf("libzmq's %v greeting %x: %v", v, in, err)
		}
		buf := make([]byte, 256)
		k, rerr := nc.Read(buf)
		if rerr != nil {
			t.Fatalf("reading libzmq's greeting (have %x): %v", in, rerr)
		}
		in = append(in, buf[:k]...)
	}
}

func TestLegacyCodecAgainstLibzmq(t *testing.T) {
	msg := [][]byte{[]byte("topic"), bytes.Repeat([]byte("x"), 300), {}} // short, long and empty frames
	for _, v := range []LegacyVersion{ZMTP10, ZMTP20} {
		t.Run(v.String()+" we send to PULL", func(t *testing.T) {
			p := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
			nc, _, g := legacyDial(t, p, v, "PUSH")
			t.Logf("libzmq greeting: %+v", g)
			if v == ZMTP20 && (g.SocketType != "PULL" || g.Revision < 1) {
				t.Fatalf("libzmq greeting %+v", g)
			}
			var wire []byte
			for i, f := range msg {
				wire = AppendLegacyFrame(wire, v, i < len(msg)-1, f)
			}
			if _, err := nc.Write(wire); err != nil {
				t.Fatal(err)
			}
			got, err := p.Recv(pyTimeout)
			if err != nil || len(got) != len(msg) || !bytes.Equal(got[0], msg[0]) || !bytes.Equal(got[1], msg[1]) || len(got[2]) != 0 {
				t.Fatalf("libzmq received %q, %v", got, err)
			}
		})
		t.Run(v.String()+" we receive from PUSH", func(t *testing.T) {
			p := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Bind: []string{"tcp://127.0.0.1:*"}})
			nc, rest, _ := legacyDial(t, p, v, "PULL")
			if err := p.Send(msg...); err != nil {
				t.Fatal(err)
			}
			in := rest
			var got [][]byte
			for len(got) == 0 || len(got) < len(msg) {
				h, body, n, err := ParseLegacyFrame(in, v, 1<<20)
				if errors.Is(err, ErrShort) {
					buf := make([]byte, 4096)
					k, rerr := nc.Read(buf)
					if rerr != nil {
						t.Fatalf("read (have %x): %v", in, rerr)
					}
					in = append(in, buf[:k]...)
					continue
				}
				if err != nil {
					t.Fatalf("libzmq's frame %x: %v", in, err)
				}
				got = append(got, append([]byte{}, body...))
				in = in[n:]
				if more := len(got) < len(msg); h.More() != more {
					t.Fatalf("frame %d MORE=%v", len(got), h.More())
				}
			}
			if !bytes.Equal(got[0], msg[0]) || !bytes.Equal(got[1], msg[1]) || len(got[2]) != 0 {
				t.Fatalf("we received %q", got)
			}
		})
	}
}
