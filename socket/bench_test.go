package socket

import (
	"context"
	"testing"
)

// benchThroughput pushes b.N messages of size bytes from a PUSH to a PULL
// over transport and reports messages per second.
func benchThroughput(b *testing.B, transport string, size int) {
	pull, _ := New(Pull)
	defer pull.Close()
	push, _ := New(Push)
	defer push.Close()
	ep := bindAt(b, pull, transport)
	connectTo(b, push, ep)
	payload := make([]byte, size)
	ctx := context.Background()
	done := make(chan struct{})
	b.SetBytes(int64(size))
	b.ResetTimer()
	go func() {
		defer close(done)
		for i := 0; i < b.N; i++ {
			if _, err := pull.Recv(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	for i := 0; i < b.N; i++ {
		if err := push.Send(ctx, Msg{Frames: [][]byte{payload}}); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

func BenchmarkPushPullTCP16(b *testing.B)    { benchThroughput(b, "tcp", 16) }
func BenchmarkPushPullTCP1K(b *testing.B)    { benchThroughput(b, "tcp", 1024) }
func BenchmarkPushPullInproc16(b *testing.B) { benchThroughput(b, "inproc", 16) }

// BenchmarkReqRepTCP measures round trips.
func BenchmarkReqRepTCP(b *testing.B) {
	rep, _ := New(Rep)
	defer rep.Close()
	req, _ := New(Req)
	defer req.Close()
	connectTo(b, req, bindAt(b, rep, "tcp"))
	ctx := context.Background()
	go func() {
		for {
			m, err := rep.Recv(ctx)
			if err != nil {
				return
			}
			if rep.Send(ctx, m) != nil {
				return
			}
		}
	}()
	msg := Msg{Frames: [][]byte{make([]byte, 16)}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := req.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := req.Recv(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
