package socket

import (
	"context"
	"testing"
)

// BenchmarkMetadataGet is one property lookup on a typical connection's
// metadata (tcp, authenticated, a DEALER with an identity).
func BenchmarkMetadataGet(b *testing.B) {
	ci := connInfo{PeerAddress: "127.0.0.1", UserID: "alice"}
	ci.Props = append(ci.Props, zmtpProp("Socket-Type", "DEALER"), zmtpProp("Identity", "d-1"))
	md := ci.metadata()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := md.Get("identity"); !ok {
			b.Fatal("no Identity")
		}
	}
}

// BenchmarkTCPRecvProperty is a PUSH→PULL message over tcp, received and
// asked for its sender's address: the metadata adds no allocation (the one
// allocation per round trip is the lock-step wait's, on main too).
func BenchmarkTCPRecvProperty(b *testing.B) { benchTCPRecv(b, true) }

// BenchmarkTCPRecvNoProperty is the same without the lookup, for comparison.
func BenchmarkTCPRecvNoProperty(b *testing.B) { benchTCPRecv(b, false) }

func benchTCPRecv(b *testing.B, lookup bool) {
	pull := newSock(b, Pull)
	ep := bindAt(b, pull, "tcp")
	push := newSock(b, Push)
	connectTo(b, push, ep)
	ctx := context.Background()
	msg := NewMsg(make([]byte, 64))
	b.SetBytes(64)
	b.ReportAllocs()
	for b.Loop() {
		if err := push.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		m, err := pull.Recv(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if lookup {
			if _, ok := m.Property("Peer-Address"); !ok {
				b.Fatal("no Peer-Address")
			}
		}
		m.Release()
	}
}
