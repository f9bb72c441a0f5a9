package queue

import (
	"fmt"
	"testing"
)

// BenchmarkSpill measures a backlog going to a real ring file and coming
// back: an HWM-1 pipe, so (almost) every message is spilled and refilled.
func BenchmarkSpill(b *testing.B) {
	for _, size := range []int{64, 4096} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			p := New(Config{HWM: 1, Mute: Fail, Swap: &SwapConfig{Dir: b.TempDir(), RingCapacity: 64 << 20}})
			defer p.Discard()
			m := [][]byte{make([]byte, size)}
			const burst = 1024 // spill a burst, then drain it
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var batch [][][]byte
			for i := 0; b.Loop(); i++ {
				if err := p.TryPush(m); err != nil {
					b.Fatal(err)
				}
				if i%burst == burst-1 {
					for p.Len() > 0 {
						batch = p.PopBatch(batch[:0])
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
