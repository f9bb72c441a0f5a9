package swapfile

import (
	"testing"
)

// TestWrapEveryBoundary puts a record at every start position near the end
// of the data area, with every payload size that splits it somewhere in its
// header, at the header/payload seam, inside the payload or right at its
// end, and checks it reads back live, after a crash (header lagging: found
// by the scan) and after a clean reopen.
func TestWrapEveryBoundary(t *testing.T) {
	const capacity = 128
	for p := int64(capacity - 40); p < capacity; p++ {
		for size := 0; size <= 56; size++ {
			r, path := tempRing(t, capacity, Options{})
			// Move head and tail to p with a filler record.
			if err := r.Append(make([]byte, p-recordHeaderSize)); err != nil {
				t.Fatal(err)
			}
			if err := r.Discard(); err != nil {
				t.Fatal(err)
			}
			a := payload(int(p), size)
			if err := r.Append(a); err != nil {
				t.Fatalf("p=%d size=%d: %v", p, size, err)
			}
			b := payload(size, 7) // a second record after the wrapped one
			if err := r.Append(b); err != nil {
				t.Fatalf("p=%d size=%d: second: %v", p, size, err)
			}
			if got, err := r.Peek(); err != nil || string(got) != string(a) {
				t.Fatalf("p=%d size=%d: Peek %x, %v", p, size, got, err)
			}
			r.abandon()
			r, rec := mustOpen(t, path, Options{})
			if rec.Records != 2 || rec.DiscardedBytes != 0 {
				t.Fatalf("p=%d size=%d: after crash %+v", p, size, rec)
			}
			if err := equalRecords(r.snapshot(t), [][]byte{a, b}); err != nil {
				t.Fatalf("p=%d size=%d: after crash: %v", p, size, err)
			}
			r.Close()
			r, rec = mustOpen(t, path, Options{})
			if rec.Records != 2 || rec.Beyond != 0 || rec.Reason != "" {
				t.Fatalf("p=%d size=%d: after close %+v", p, size, rec)
			}
			if err := equalRecords(drain(t, r), [][]byte{a, b}); err != nil {
				t.Fatalf("p=%d size=%d: after close: %v", p, size, err)
			}
			r.Close()
		}
	}
}
