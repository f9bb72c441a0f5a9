package socket

import (
	"context"
	"testing"
)

// BenchmarkAckedPushPull prices acknowledged delivery: PUSH->PULL over tcp,
// both of our sides, with the extension off and on, per size. Each size
// runs plain then acked back to back, so a loop of -count 1 runs gives
// interleaved pairs: quote the median of their acked/plain ratios.
func BenchmarkAckedPushPull(b *testing.B) {
	for _, size := range []int{16, 256, 4 << 10, 64 << 10} {
		for _, acked := range []bool{false, true} {
			name := sizeName(size) + "/plain"
			if acked {
				name = sizeName(size) + "/acked"
			}
			b.Run(name, func(b *testing.B) { benchPushPull(b, size, WithAckedDelivery(acked)) })
		}
	}
}

func benchPushPull(b *testing.B, size int, opts ...Option) {
	pull, _ := New(Pull, opts...)
	defer pull.Close()
	push, _ := New(Push, opts...)
	defer push.Close()
	connectTo(b, push, bindAt(b, pull, "tcp"))
	ctx := context.Background()
	payload := make([]byte, size)
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
			m.Release()
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
