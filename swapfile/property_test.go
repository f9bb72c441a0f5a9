package swapfile

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// TestProperty drives a ring with random operations, including clean
// reopens and simulated crashes, and checks it against a slice of records.
// After a crash the ring may bring back records popped since the last
// header write (at-least-once), but only those, in order, in front of
// everything that was live.
func TestProperty(t *testing.T) {
	steps := 4000
	if testing.Short() {
		steps = 1000
	}
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		capacity := []int64{64, 200, 1024, 4096, 333, 65536}[seed-1]
		opts := Options{}
		if seed%3 == 0 {
			opts = Options{Sync: SyncEveryN, SyncEvery: 5}
		}
		r, path := tempRing(t, capacity, opts)
		var (
			model   [][]byte
			popped  [][]byte // popped since the last clean reopen, newest last
			used    int64
			serial  int
			peekBuf []byte
		)
		newRecord := func() []byte {
			serial++
			var n int
			switch rng.IntN(10) {
			case 0:
				n = int(capacity) - recordHeaderSize - rng.IntN(3) // near the whole ring
			case 1:
				n = 0
			default:
				n = rng.IntN(int(capacity/3) + 1)
			}
			return payload(serial, max(n, 0))
		}
		for step := range steps {
			switch op := rng.IntN(100); {
			case op < 45:
				rec := newRecord()
				var err error
				if rng.IntN(4) == 0 && len(rec) > 2 {
					err = r.AppendV(rec[:1], rec[1:len(rec)/2], rec[len(rec)/2:])
				} else {
					err = r.Append(rec)
				}
				need := recordHeaderSize + int64(len(rec))
				switch {
				case need > capacity:
					if !errors.Is(err, ErrTooLarge) {
						t.Fatalf("seed %d step %d: %d bytes: %v, want ErrTooLarge", seed, step, len(rec), err)
					}
				case used+need > capacity:
					if !errors.Is(err, ErrFull) {
						t.Fatalf("seed %d step %d: %v, want ErrFull", seed, step, err)
					}
				case err != nil:
					t.Fatalf("seed %d step %d: %v", seed, step, err)
				default:
					model = append(model, rec)
					used += need
				}
			case op < 75:
				var got []byte
				var err error
				if rng.IntN(3) == 0 {
					err = r.Discard()
				} else {
					got, err = r.Pop()
				}
				if len(model) == 0 {
					if !errors.Is(err, ErrEmpty) {
						t.Fatalf("seed %d step %d: pop from empty: %v", seed, step, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("seed %d step %d: pop: %v", seed, step, err)
				}
				if got != nil && !bytes.Equal(got, model[0]) {
					t.Fatalf("seed %d step %d: popped %d bytes, want %d", seed, step, len(got), len(model[0]))
				}
				popped = append(popped, model[0])
				used -= recordHeaderSize + int64(len(model[0]))
				model = model[1:]
			case op < 82:
				got, err := r.Peek()
				if len(model) == 0 {
					if !errors.Is(err, ErrEmpty) {
						t.Fatalf("seed %d step %d: peek empty: %v", seed, step, err)
					}
				} else if err != nil || !bytes.Equal(got, model[0]) {
					t.Fatalf("seed %d step %d: peek: %v", seed, step, err)
				}
				// PeekAt: one random index (one past the end included),
				// sometimes every index in a random order, which moves
				// its cursor backwards as well as forwards.
				idx := []int{rng.IntN(len(model) + 1)}
				if rng.IntN(4) == 0 {
					idx = rng.Perm(len(model) + 1)
				}
				for _, i := range idx {
					got, err := r.PeekAt(i, peekBuf[:0])
					switch {
					case i == len(model):
						if !errors.Is(err, ErrRange) {
							t.Fatalf("seed %d step %d: PeekAt(%d) of %d: %v, want ErrRange", seed, step, i, len(model), err)
						}
					case err != nil || !bytes.Equal(got, model[i]):
						t.Fatalf("seed %d step %d: PeekAt(%d) of %d: %d bytes, %v", seed, step, i, len(model), len(got), err)
					default:
						peekBuf = got
					}
				}
			case op < 87:
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				var rec Recovery
				r, rec = mustOpen(t, path, opts)
				if rec.DiscardedBytes != 0 || rec.Records != len(model) || rec.Bytes != used {
					t.Fatalf("seed %d step %d: clean reopen %+v, want %d records", seed, step, rec, len(model))
				}
				popped = nil
			case op < 92:
				r.abandon()
				var rec Recovery
				r, rec = mustOpen(t, path, opts)
				if rec.DiscardedBytes != 0 {
					t.Fatalf("seed %d step %d: crash reopen discarded %+v", seed, step, rec)
				}
				got := r.snapshot(t)
				k := len(got) - len(model)
				if k < 0 || k > len(popped) {
					t.Fatalf("seed %d step %d: %d records after crash, model %d, popped %d", seed, step, len(got), len(model), len(popped))
				}
				if err := equalRecords(got[k:], model); err != nil {
					t.Fatalf("seed %d step %d: live records after crash: %v", seed, step, err)
				}
				if err := equalRecords(got[:k], popped[len(popped)-k:]); err != nil {
					t.Fatalf("seed %d step %d: repeated records after crash: %v", seed, step, err)
				}
				model, popped = got, nil
				used = r.Used()
			case op < 95:
				if err := r.Sync(); err != nil {
					t.Fatal(err)
				}
			case op < 96:
				if err := r.Reset(); err != nil {
					t.Fatal(err)
				}
				model, popped, used = nil, nil, 0
			default:
				if info, err := Inspect(path); err != nil || info.Capacity != capacity {
					t.Fatalf("seed %d step %d: Inspect %+v, %v", seed, step, info, err)
				}
			}
			if r.Len() != len(model) || r.Used() != used || r.Free() != capacity-used {
				t.Fatalf("seed %d step %d: Len %d Used %d Free %d, want %d %d", seed, step, r.Len(), r.Used(), r.Free(), len(model), used)
			}
		}
		r.Close()
	}
}
