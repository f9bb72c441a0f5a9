package swapfile

import (
	"testing"
)

// BenchmarkAppendPop measures one Append and one Pop of the same record,
// the steady state of a spilling pipe; MB/s counts the payload once.
func BenchmarkAppendPop(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"16B", 16}, {"1KiB", 1 << 10}, {"64KiB", 64 << 10}} {
		b.Run(size.name, func(b *testing.B) {
			r, _ := tempRing(b, 64<<20, Options{})
			defer r.Close()
			rec := payload(1, size.n)
			b.ReportAllocs()
			b.SetBytes(int64(size.n))
			for b.Loop() {
				if err := r.Append(rec); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Pop(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendPopInto is the same with a reused read buffer: no
// allocation per record.
func BenchmarkAppendPopInto(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"16B", 16}, {"1KiB", 1 << 10}, {"64KiB", 64 << 10}} {
		b.Run(size.name, func(b *testing.B) {
			r, _ := tempRing(b, 64<<20, Options{})
			defer r.Close()
			rec := payload(1, size.n)
			buf := make([]byte, 0, size.n)
			b.ReportAllocs()
			b.SetBytes(int64(size.n))
			for b.Loop() {
				if err := r.Append(rec); err != nil {
					b.Fatal(err)
				}
				var err error
				if buf, err = r.PopInto(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBurst fills a quarter of the ring, then drains it: Pops run
// against records no longer in the CPU cache.
func BenchmarkBurst1KiB(b *testing.B) {
	const n = 1 << 10
	r, _ := tempRing(b, 64<<20, Options{})
	defer r.Close()
	rec := payload(1, n)
	buf := make([]byte, 0, n)
	batch := int(r.Cap() / 4 / (n + recordHeaderSize))
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for i := 0; b.Loop(); i++ {
		if err := r.Append(rec); err != nil {
			b.Fatal(err)
		}
		if i%batch == batch-1 {
			for r.Len() > 0 {
				buf, _ = r.PopInto(buf[:0])
			}
		}
	}
}
