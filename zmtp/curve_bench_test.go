package zmtp

import (
	"context"
	"fmt"
	"testing"

	"github.com/purezmq/purezmq/internal/memconn"
)

// BenchmarkCurveHandshake is the CPU cost of one CURVE handshake (both
// sides, in memory): key generation, six box operations and two Curve25519
// precomputations per side.
func BenchmarkCurveHandshake(b *testing.B) {
	k := newCurveKeys(b)
	b.ReportAllocs()
	for b.Loop() {
		runCurve(b, k)
	}
}

// BenchmarkCurveHandshakeConn is a whole handshake between two Conns over an
// in-memory pipe: greetings, CURVE and the goroutines Handshake uses.
func BenchmarkCurveHandshakeConn(b *testing.B) {
	k := newCurveKeys(b)
	cc := Config{SocketType: "DEALER", Security: k.client()}
	sc := Config{SocketType: "ROUTER", Security: k.server(nil)}
	b.ReportAllocs()
	for b.Loop() {
		x, y := memconn.Pipe(0)
		ch := make(chan error, 1)
		go func() {
			c, err := Handshake(context.Background(), y, sc)
			if err == nil {
				c.Close()
			}
			ch <- err
		}()
		c, err := Handshake(context.Background(), x, cc)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
		if err := <-ch; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCurveEncode is MESSAGE encoding in steady state: the scratch
// buffer and dst are reused, so nothing is allocated per frame.
func BenchmarkCurveEncode(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			cli, _ := codecPair(b)
			body := make([]byte, size)
			var dst []byte
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = cli.EncodeFrame(dst[:0], FlagMore, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCurveDecode is MESSAGE decoding in steady state, including the
// copy of the wire frame into the buffer it is decoded in (as Conn reads it).
func BenchmarkCurveDecode(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			cli, srv := codecPair(b)
			frame, err := cli.EncodeFrame(nil, 0, make([]byte, size))
			if err != nil {
				b.Fatal(err)
			}
			_, hdr, err := ParseFrameHeader(frame)
			if err != nil {
				b.Fatal(err)
			}
			wire := frame[hdr:]
			buf := make([]byte, len(wire))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				copy(buf, wire)
				srv.recvNonce = 0 // the same frame again, as if new
				if _, out, err := srv.DecodeFrame(FrameHeader{Size: len(buf)}, buf); err != nil || len(out) != size {
					b.Fatal(err)
				}
			}
		})
	}
}
