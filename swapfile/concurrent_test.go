package swapfile

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestWriterReader runs one appending and one popping goroutine on a small
// ring (so both hit ErrFull and ErrEmpty often) under the race detector.
func TestWriterReader(t *testing.T) {
	r, _ := tempRing(t, 4096, Options{Sync: SyncInterval, SyncInterval: time.Millisecond})
	defer r.Close()
	const n = 5000
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < n; {
			err := r.Append(payload(i, i%300))
			switch {
			case err == nil:
				i++
			case errors.Is(err, ErrFull):
				time.Sleep(time.Microsecond)
			default:
				t.Error(err)
				return
			}
		}
	})
	for i := 0; i < n; {
		_ = r.Len() + int(r.Used()+r.Free())
		b, err := r.Pop()
		switch {
		case err == nil:
			if !bytes.Equal(b, payload(i, i%300)) {
				t.Fatalf("record %d differs", i)
			}
			i++
		case errors.Is(err, ErrEmpty):
			time.Sleep(time.Microsecond)
		default:
			t.Fatal(err)
		}
	}
	wg.Wait()
}
