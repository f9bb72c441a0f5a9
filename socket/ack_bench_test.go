package socket

import (
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
			b.Run(name, func(b *testing.B) { benchPushPull(b, size, true, WithAckedDelivery(acked)) })
		}
	}
}
