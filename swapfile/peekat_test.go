package swapfile

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"testing"
)

// checkPeekAt reads every index of r, forwards, backwards and in a
// stride, and compares with want; then the indices just outside.
func checkPeekAt(t *testing.T, r *Ring, want [][]byte) {
	t.Helper()
	var buf []byte
	var err error
	orders := [][]int{{}, {}, {}}
	for i := range want {
		orders[0] = append(orders[0], i)
		orders[1] = append(orders[1], len(want)-1-i)
	}
	for s := 0; s < 3; s++ {
		for i := s; i < len(want); i += 3 {
			orders[2] = append(orders[2], i)
		}
	}
	for _, order := range orders {
		for _, i := range order {
			if buf, err = r.PeekAt(i, buf[:0]); err != nil {
				t.Fatalf("PeekAt(%d) of %d: %v", i, len(want), err)
			}
			if !bytes.Equal(buf, want[i]) {
				t.Fatalf("PeekAt(%d): %d bytes, want %d", i, len(buf), len(want[i]))
			}
		}
	}
	for _, i := range []int{-1, len(want), len(want) + 5} {
		if _, err := r.PeekAt(i, nil); !errors.Is(err, ErrRange) {
			t.Fatalf("PeekAt(%d) of %d: %v, want ErrRange", i, len(want), err)
		}
	}
}

func TestPeekAtEveryIndex(t *testing.T) {
	r, path := tempRing(t, 4096, Options{})
	var want [][]byte
	for i := range 40 {
		rec := payload(i, i*3)
		if err := r.Append(rec); err != nil {
			t.Fatal(err)
		}
		want = append(want, rec)
	}
	checkPeekAt(t, r, want)
	// PeekAt removes nothing.
	if r.Len() != len(want) {
		t.Fatalf("Len %d after PeekAt, want %d", r.Len(), len(want))
	}
	// Popping moves index 0; reads keep following the front.
	for range 7 {
		if err := r.Discard(); err != nil {
			t.Fatal(err)
		}
		want = want[1:]
		checkPeekAt(t, r, want)
	}
	// After a clean reopen and after a crash the records read the same.
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ = mustOpen(t, path, Options{})
	checkPeekAt(t, r, want)
	r.abandon()
	r, _ = mustOpen(t, path, Options{})
	checkPeekAt(t, r, want)
	if err := r.Reset(); err != nil {
		t.Fatal(err)
	}
	checkPeekAt(t, r, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.PeekAt(0, nil); !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("PeekAt on a closed ring: %v", err)
	}
}

// TestPeekAtWrap reads every index of a ring whose records wrap around the
// end of the data area at every offset, header and payload split included.
func TestPeekAtWrap(t *testing.T) {
	const capacity = 128
	for p := int64(capacity - 40); p < capacity; p++ {
		r, _ := tempRing(t, capacity, Options{})
		if err := r.Append(make([]byte, p-recordHeaderSize)); err != nil {
			t.Fatal(err)
		}
		if err := r.Discard(); err != nil {
			t.Fatal(err)
		}
		var want [][]byte
		for i := 0; ; i++ {
			rec := payload(int(p)+i, 5+i*4)
			if err := r.Append(rec); errors.Is(err, ErrFull) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			want = append(want, rec)
		}
		checkPeekAt(t, r, want)
		// Keep the ring full while it laps: pop one, append one.
		for i := range 20 {
			if err := r.Discard(); err != nil {
				t.Fatal(err)
			}
			want = want[1:]
			for {
				rec := payload(i, (i*7)%23)
				if err := r.Append(rec); errors.Is(err, ErrFull) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				want = append(want, rec)
			}
			checkPeekAt(t, r, want)
		}
		r.Close()
	}
}

func TestPeekAtNoAlloc(t *testing.T) {
	r, _ := tempRing(t, 1<<16, Options{})
	defer r.Close()
	for i := range 100 {
		if err := r.Append(payload(i, 100)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 0, 128)
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		var err error
		if buf, err = r.PeekAt(i%100, buf[:0]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if allocs != 0 {
		t.Fatalf("PeekAt into a large enough buffer: %v allocations", allocs)
	}
}

// TestPeekAtConcurrentAppend reads ahead while another goroutine appends
// and a third pops: every read returns the record the model says.
func TestPeekAtConcurrentAppend(t *testing.T) {
	r, _ := tempRing(t, 1<<14, Options{})
	defer r.Close()
	const total = 3000
	// Record k carries k in its first two bytes, so any read can be
	// checked without sharing a model between goroutines.
	rec := func(k int) []byte {
		b := payload(k, 8+k%50)
		b[0], b[1] = byte(k), byte(k>>8)
		return b
	}
	var wg sync.WaitGroup
	var popped sync.Mutex // serialises Discard with reading the front
	front := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; k < total; {
			if err := r.Append(rec(k)); errors.Is(err, ErrFull) {
				popped.Lock()
				if r.Discard() == nil {
					front++
				}
				popped.Unlock()
				continue
			} else if err != nil {
				t.Error(err)
				return
			}
			k++
		}
	}()
	var buf []byte
	for n := 0; n < 20000; n++ {
		popped.Lock()
		f, l := front, r.Len()
		if l == 0 {
			popped.Unlock()
			continue
		}
		i := n % l
		var err error
		buf, err = r.PeekAt(i, buf[:0])
		popped.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		if k := f + i; !bytes.Equal(buf, rec(k)) {
			t.Fatalf("PeekAt(%d) with front %d: got record %d", i, f, int(buf[0])|int(buf[1])<<8)
		}
	}
	wg.Wait()
}
