package swapfile

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// buildRing writes records into a ring of the given capacity so that the
// last one ends up wrapped or not, as asked, and returns the file, the
// records and the data-area offset and size of the last one. With lazy
// set the header is left one record behind (as after a crash).
func buildRing(t *testing.T, capacity int64, wrapLast, lazy bool) (string, [][]byte, int64, int64) {
	t.Helper()
	r, path := tempRing(t, capacity, Options{})
	var recs [][]byte
	// Start the ring somewhere in the middle so records wrap.
	r.Append(make([]byte, capacity/2))
	r.Discard()
	for i := 0; ; i++ {
		p := payload(i, 20+i%13)
		need := recordHeaderSize + int64(len(p))
		end := r.tail + need
		wraps := end > capacity
		if wraps == wrapLast && i >= 3 || r.Free() < need+64 {
			if wraps != wrapLast && i >= 3 {
				t.Fatalf("could not arrange the last record (wrap=%v)", wrapLast)
			}
			if lazy {
				if err := r.Sync(); err != nil {
					t.Fatal(err)
				}
			}
			start := r.tail
			if err := r.Append(p); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, p)
			if lazy {
				r.abandon()
			} else if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			return path, recs, start, need
		}
		if err := r.Append(p); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, p)
	}
}

func copyFile(t *testing.T, src string, mutate func([]byte) []byte) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.WriteFile(dst, mutate(b), 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// checkRecovered opens a damaged copy and checks that exactly the records
// before the damage are kept, that the ring keeps working, and that the
// cut is not reported twice.
func checkRecovered(t *testing.T, path string, want [][]byte, discarded func(int64) bool) {
	t.Helper()
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	r, rec := mustOpen(t, path, Options{})
	if info.Recovery != rec || info.Records != rec.Records {
		r.Close()
		t.Fatalf("Inspect %+v disagrees with Open %+v", info.Recovery, rec)
	}
	if !discarded(rec.DiscardedBytes) {
		r.Close()
		t.Fatalf("discarded %d bytes: %+v", rec.DiscardedBytes, rec)
	}
	if err := equalRecords(r.snapshot(t), want); err != nil {
		r.Close()
		t.Fatal(err)
	}
	extra := []byte("after recovery")
	if err := r.Append(extra); err != nil {
		t.Fatal(err)
	}
	r.abandon()
	r, rec = mustOpen(t, path, Options{})
	defer r.Close()
	if rec.DiscardedBytes != 0 {
		t.Fatalf("second open discarded again: %+v", rec)
	}
	if err := equalRecords(r.snapshot(t), append(want[:len(want):len(want)], extra)); err != nil {
		t.Fatal(err)
	}
}

// TestTruncateLastRecord cuts the file at every offset inside the last
// record, both when the header covers it (Close) and when it was appended
// after the header (crash).
func TestTruncateLastRecord(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		path, recs, start, size := buildRing(t, 512, false, lazy)
		for cut := start; cut < start+size; cut++ {
			damaged := copyFile(t, path, func(b []byte) []byte { return b[:headerAreaSize+cut] })
			checkRecovered(t, damaged, recs[:len(recs)-1], func(d int64) bool {
				if lazy && cut < start+recordHeaderSize {
					// An incomplete record header may not be
					// recognisable as the start of a record at all.
					return d == 0 || d == size
				}
				return d == size
			})
		}
	}
}

// TestFlipLastRecord flips each byte of the last record, wrapped and not,
// header ahead of or behind it.
func TestFlipLastRecord(t *testing.T) {
	const capacity = 512
	for _, wrap := range []bool{false, true} {
		for _, lazy := range []bool{false, true} {
			path, recs, start, size := buildRing(t, capacity, wrap, lazy)
			for i := range size {
				off := headerAreaSize + (start+i)%capacity
				damaged := copyFile(t, path, func(b []byte) []byte { b[off] ^= 0x5a; return b })
				checkRecovered(t, damaged, recs[:len(recs)-1], func(d int64) bool {
					if lazy && i < 4 {
						// A damaged length past the header's
						// tail is all we know the record by.
						return d >= 0 && d <= capacity
					}
					if lazy {
						return d == 0 || d == size
					}
					return d == size
				})
			}
		}
	}
}

// TestFlipEarlierRecord damages a record in the middle: everything before
// it is kept, everything from it on is discarded and reported.
func TestFlipEarlierRecord(t *testing.T) {
	path, recs, _, _ := buildRing(t, 1024, true, false)
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	pos := info.Head
	for k := range recs {
		size := recordHeaderSize + int64(len(recs[k]))
		off := headerAreaSize + (pos+rng.Int64N(size))%info.Capacity
		damaged := copyFile(t, path, func(b []byte) []byte { b[off] ^= 1 << rng.IntN(8); return b })
		lost := info.Used - (pos-info.Head+info.Capacity)%info.Capacity
		checkRecovered(t, damaged, recs[:k], func(d int64) bool { return d == lost })
		pos = (pos + size) % info.Capacity
	}
}

func TestHeaderSlots(t *testing.T) {
	r, path := tempRing(t, 256, Options{})
	want := [][]byte{payload(1, 10), payload(2, 20)}
	for _, p := range want {
		r.Append(p)
	}
	r.Close()
	// Either slot alone is enough.
	for slot := range 2 {
		damaged := copyFile(t, path, func(b []byte) []byte { b[slot*slotStride+20] ^= 0xff; return b })
		r, _ := mustOpen(t, damaged, Options{})
		if err := equalRecords(drain(t, r), want); err != nil {
			t.Fatalf("slot %d damaged: %v", slot, err)
		}
		r.Close()
	}
	// Both damaged: a typed error, from Open, OpenOrCreate and Inspect.
	damaged := copyFile(t, path, func(b []byte) []byte {
		b[3] ^= 1
		b[slotStride+40] ^= 1
		return b
	})
	var herr *HeaderError
	if _, _, err := Open(damaged, Options{}); !errors.As(err, &herr) || !errors.Is(err, ErrCorrupt) || herr.Blank {
		t.Fatalf("Open: %v", err)
	}
	if _, _, err := OpenOrCreate(damaged, 256, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("OpenOrCreate: %v", err)
	}
	if _, err := Inspect(damaged); !errors.As(err, &herr) {
		t.Fatalf("Inspect: %v", err)
	}
	// Short files and garbage never panic.
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 64 {
		junk := make([]byte, rng.IntN(2*headerAreaSize))
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		if n%2 == 0 && len(junk) > 0 {
			copy(junk, magic[:])
		}
		p := copyFile(t, path, func([]byte) []byte { return junk })
		if _, _, err := Open(p, Options{}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("garbage %d: %v", n, err)
		}
	}
}

func TestInspect(t *testing.T) {
	r, path := tempRing(t, 1000, Options{})
	for i := range 5 {
		r.Append(payload(i, 30))
	}
	r.Pop()
	r.Sync()
	r.Append(payload(9, 30)) // beyond the header
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if info.Records != 5 || info.HeaderRecords != 4 || info.Recovery.Beyond != 1 || info.Used != 5*46 ||
		info.HeadSeq != 2 || info.NextSeq != 7 || info.Capacity != 1000 {
		t.Fatalf("%+v", info)
	}
	t.Log("\n" + info.String())
}
