package socket

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/purezmq/purezmq/zmtp"
)

// The throughput benchmarks below split the hot path so that a profile shows
// one side at a time: BenchmarkThrRecv feeds a PULL socket from a bare ZMTP
// writer that sends pre-encoded frames (no sender cost in the profile),
// BenchmarkThrSend drains a PUSH socket into a bare reader that only counts
// bytes, and BenchmarkThrPushPull runs both of our sides, as local_thr and
// remote_thr do.

var thrSizes = []int{16, 256, 4 << 10, 64 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func BenchmarkThrPushPull(b *testing.B) {
	for _, size := range thrSizes {
		b.Run(sizeName(size), func(b *testing.B) { benchPushPull(b, size, false) })
	}
}

// benchPushPull times PUSH->PULL over tcp between two of our sockets made
// with opts; release says whether the receiver gives each message back
// (Msg.Release) or leaves it to the garbage collector.
func benchPushPull(b *testing.B, size int, release bool, opts ...Option) {
	pull, _ := New(Pull, opts...)
	defer pull.Close()
	push, _ := New(Push, opts...)
	defer push.Close()
	connectTo(b, push, bindAt(b, pull, "tcp"))
	ctx := context.Background()
	payload := make([]byte, size)
	// One message first, so the connection is up before timing.
	if err := push.Send(ctx, NewMsg(payload)); err != nil {
		b.Fatal(err)
	}
	if _, err := pull.Recv(ctx); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			m, err := pull.Recv(ctx)
			if err != nil {
				done <- err
				return
			}
			if release {
				m.Release()
			}
		}
		done <- nil
	}()
	for i := 0; i < b.N; i++ {
		if err := push.Send(ctx, NewMsg(payload)); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// rawPeer dials ep and completes a NULL handshake as socket type typ.
func rawPeer(b testing.TB, ep, typ string) *zmtp.Conn {
	b.Helper()
	addr := ep[len("tcp://"):]
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	zc, err := zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: typ})
	if err != nil {
		b.Fatal(err)
	}
	return zc
}

func BenchmarkThrRecv(b *testing.B) { benchThrRecv(b, false) }

// BenchmarkThrRecvRelease is BenchmarkThrRecv with each message released
// once received, as libzmq's local_thr closes its messages: large bodies
// then come back from the buffer pool instead of a fresh allocation.
func BenchmarkThrRecvRelease(b *testing.B) { benchThrRecv(b, true) }

func benchThrRecv(b *testing.B, release bool) {
	for _, size := range thrSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			pull, _ := New(Pull)
			defer pull.Close()
			zc := rawPeer(b, bindAt(b, pull, "tcp"), "PUSH")
			defer zc.Close()
			nc := zc.NetConn()
			// A block of whole frames, written again and again: the writer
			// costs one syscall per block and nothing per message.
			per := max(1, (256<<10)/(size+9))
			body := make([]byte, size)
			var block []byte
			for range per {
				block = zmtp.AppendFrame(block, 0, body)
			}
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			parks0 := pull.recvSig.parks.Load()
			b.ResetTimer()
			werr := make(chan error, 1)
			go func() {
				for sent := 0; sent < b.N; sent += per {
					n := min(per, b.N-sent)
					if _, err := nc.Write(block[:n*(len(block)/per)]); err != nil {
						werr <- err
						return
					}
				}
				werr <- nil
			}()
			for i := 0; i < b.N; i++ {
				m, err := pull.Recv(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if release {
					m.Release()
				}
			}
			b.StopTimer()
			if err := <-werr; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			reportParks(b, pull.recvSig.parks.Load()-parks0, "rparks/msg")
		})
	}
}

// BenchmarkThrSend sends with Send, which copies the caller's frames (the
// default, safe ownership); BenchmarkThrSendOwned with SendOwned, which
// takes them as they are (what the bench verbs and Proxy use). Run side by
// side (-count 8, benchstat) they price the copy per size.
func BenchmarkThrSend(b *testing.B) { benchThrSend(b, false) }

func BenchmarkThrSendOwned(b *testing.B) { benchThrSend(b, true) }

func benchThrSend(b *testing.B, owned bool) {
	send := (*Socket).Send
	if owned {
		send = (*Socket).SendOwned
	}
	for _, size := range thrSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			push, _ := New(Push)
			defer push.Close()
			connectTo(b, push, "tcp://"+ln.Addr().String())
			nc, err := ln.Accept()
			if err != nil {
				b.Fatal(err)
			}
			zc, err := zmtp.Handshake(context.Background(), nc, zmtp.Config{SocketType: "PULL"})
			if err != nil {
				b.Fatal(err)
			}
			defer zc.Close()
			hdr := len(zmtp.AppendFrameHeader(nil, 0, size))
			want := int64(b.N) * int64(hdr+size)
			ctx := context.Background()
			payload := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			parks0 := push.writerParks.Load()
			b.ResetTimer()
			rerr := make(chan error, 1)
			go func() {
				// Anything the handshake left buffered is not traffic: the
				// peer sends nothing after its READY.
				_, err := io.CopyN(io.Discard, nc, want)
				rerr <- err
			}()
			m := NewMsg(payload) // read-only: SendOwned may take it again and again
			for i := 0; i < b.N; i++ {
				if err := send(push, ctx, m); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-rerr; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			reportParks(b, push.writerParks.Load()-parks0, "wparks/msg")
		})
	}
}

// BenchmarkThrRecvLibzmq feeds a PULL socket from libzmq's remote_thr
// (bin/zmqperf, built by make cpeer), the purezmq<-libzmq pair of make bench,
// so that its receive path can be profiled here.
func BenchmarkThrRecvLibzmq(b *testing.B) {
	perf, err := filepath.Abs("../bin/zmqperf")
	if err == nil {
		_, err = os.Stat(perf)
	}
	if err != nil {
		b.Skipf("no libzmq perf peer (make cpeer): %v", err)
	}
	for _, size := range thrSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			pull, _ := New(Pull)
			defer pull.Close()
			ep := bindAt(b, pull, "tcp")
			cmd := exec.Command(perf, "remote_thr", ep, strconv.Itoa(size), strconv.Itoa(b.N))
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer cmd.Wait()
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			parks0 := pull.recvSig.parks.Load()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m, err := pull.Recv(ctx)
				if err != nil {
					b.Fatal(err)
				}
				m.Release()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			reportParks(b, pull.recvSig.parks.Load()-parks0, "rparks/msg")
		})
	}
}

// reportParks reports how often per message a goroutine on the measured path
// parked and had to be woken through the scheduler: the hand-off cost the
// spin in wait and the batched pipe operations exist to avoid.
func reportParks(b *testing.B, parks uint64, unit string) {
	b.ReportMetric(float64(parks)/float64(b.N), unit)
}
