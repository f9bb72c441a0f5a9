package swapfile

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func growRing(t *testing.T, dir, name string, capacity int64, b *Budget) *Ring {
	t.Helper()
	r, err := Create(filepath.Join(dir, name), capacity, Options{Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGrowFromSmall: a ring with a budget starts at its first capacity,
// not the budget, and grows as records need, charging the budget what the
// file holds. Before, a ring's file was the whole budget from the start
// (finding 1: 8 keys took 8 budgets of disk).
func TestGrowFromSmall(t *testing.T) {
	b := NewBudget(1 << 20)
	r := growRing(t, t.TempDir(), "ring", 4096, b)
	defer r.Close()
	if got := fileSize(t, r.Path()); got != headerAreaSize+4096 {
		t.Fatalf("new ring file is %d bytes, want %d", got, headerAreaSize+4096)
	}
	var want [][]byte
	for i := range 100 {
		p := payload(i, 50+i*7)
		if err := r.Append(p); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		want = append(want, p)
	}
	if r.Cap() <= 4096 || r.Cap() > 2*r.Used()+growAlign {
		t.Fatalf("capacity %d for %d bytes used: want grown, at most about double", r.Cap(), r.Used())
	}
	if b.Used() != r.Cap() || fileSize(t, r.Path()) != headerAreaSize+r.Cap() {
		t.Fatalf("budget charged %d, file %d bytes, capacity %d", b.Used(), fileSize(t, r.Path()), r.Cap())
	}
	if err := equalRecords(r.snapshot(t), want); err != nil {
		t.Fatal(err)
	}
}

// TestGrowWrapped grows rings whose records wrap around the end, once with
// the short piece at the end (moved beyond the old end) and once with the
// short piece at the start, and checks the records in order, after a
// crash (no header written after the growth's) and after a clean reopen.
func TestGrowWrapped(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pop, more int // records popped, then appended before the growing one
	}{
		{"short-front", 8, 7}, // head near the end: its piece is copied
		{"short-back", 3, 2},  // little wrapped to the start: that is copied
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBudget(1 << 20)
			r := growRing(t, t.TempDir(), "ring", 4096, b)
			var want [][]byte
			i := 0
			add := func(n int) {
				t.Helper()
				p := payload(i, n)
				i++
				if err := r.Append(p); err != nil {
					t.Fatalf("append: %v", err)
				}
				want = append(want, p)
			}
			for range 9 {
				add(400) // 9*416 = 3744 of 4096
			}
			for range tc.pop {
				if _, err := r.Pop(); err != nil {
					t.Fatal(err)
				}
				want = want[1:]
			}
			for range tc.more {
				add(300)
			}
			if r.Cap() != 4096 {
				t.Fatalf("grew too early: capacity %d", r.Cap())
			}
			r.mu.Lock()
			wrapped := r.head+r.used.Load() > r.capacity
			r.mu.Unlock()
			if !wrapped {
				t.Fatal("setup did not wrap")
			}
			add(2000) // does not fit: grows
			if r.Cap() <= 4096 {
				t.Fatalf("capacity %d, want grown", r.Cap())
			}
			add(100)
			if err := equalRecords(r.snapshot(t), want); err != nil {
				t.Fatal(err)
			}
			path := r.Path()
			r.abandon()
			r2, rec := mustOpen(t, path, Options{Budget: b})
			if rec.DiscardedBytes != 0 {
				t.Fatalf("recovery after crash %+v", rec)
			}
			if err := equalRecords(r2.snapshot(t), want); err != nil {
				t.Fatalf("after crash: %v", err)
			}
			if err := r2.Close(); err != nil {
				t.Fatal(err)
			}
			r3, _ := mustOpen(t, path, Options{Budget: b})
			defer r3.Close()
			if err := equalRecords(drain(t, r3), want); err != nil {
				t.Fatalf("after reopen: %v", err)
			}
		})
	}
}

// TestShrinkWhenDrained: a grown ring that is emptied goes back to its
// first capacity, on disk and in the budget.
func TestShrinkWhenDrained(t *testing.T) {
	b := NewBudget(1 << 20)
	r := growRing(t, t.TempDir(), "ring", 4096, b)
	defer r.Close()
	for i := range 50 {
		if err := r.Append(payload(i, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	if r.Cap() < 50*1016 {
		t.Fatalf("capacity %d", r.Cap())
	}
	drain(t, r)
	if r.Cap() != 4096 || b.Used() != 4096 || fileSize(t, r.Path()) != headerAreaSize+4096 {
		t.Fatalf("drained: capacity %d, budget %d, file %d", r.Cap(), b.Used(), fileSize(t, r.Path()))
	}
	// Still a working ring, also across a reopen.
	if err := r.Append([]byte("again")); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if b.Used() != 0 {
		t.Fatalf("closed ring still charges %d", b.Used())
	}
	r2, _ := mustOpen(t, r.Path(), Options{Budget: b})
	defer r2.Close()
	if got := drain(t, r2); len(got) != 1 || string(got[0]) != "again" {
		t.Fatalf("after reopen: %q", got)
	}
}

// TestBudgetSharedByRings: several rings draw on one budget; together
// they never take more disk than it (plus each file's 4 KiB header), and
// a drained ring's bytes let another grow.
func TestBudgetSharedByRings(t *testing.T) {
	const limit = 64 << 10
	b := NewBudget(limit)
	dir := t.TempDir()
	rings := make([]*Ring, 3)
	for i := range rings {
		rings[i] = growRing(t, dir, "r"+string(rune('a'+i)), 4096, b)
		defer rings[i].Close()
	}
	full := make([]int, len(rings))
	for round := 0; round < 200; round++ {
		for i, r := range rings {
			err := r.Append(payload(round, 500))
			if errors.Is(err, ErrFull) {
				full[i]++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var caps, disk int64
	for i, r := range rings {
		if full[i] == 0 {
			t.Fatalf("ring %d never refused: the budget did not bind", i)
		}
		caps += r.Cap()
		disk += fileSize(t, r.Path())
	}
	if caps > limit || b.Used() != caps || disk > limit+3*headerAreaSize {
		t.Fatalf("capacities %d, budget used %d, disk %d, limit %d", caps, b.Used(), disk, limit)
	}
	drain(t, rings[0])
	before := rings[1].Cap()
	for i := 0; i < 100 && rings[1].Cap() == before; i++ {
		if err := rings[1].Append(payload(i, 500)); err != nil && !errors.Is(err, ErrFull) {
			t.Fatal(err)
		}
	}
	if rings[1].Cap() <= before {
		t.Fatal("the bytes of a drained ring did not let another grow")
	}
}

// TestGrowModel runs random appends, pops and crashes on a growable ring
// against an in-memory model.
func TestGrowModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	b := NewBudget(256 << 10)
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create(path, 1024, Options{Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	var model [][]byte
	for op := range 3000 {
		switch k := rng.IntN(100); {
		case k < 55:
			p := payload(op, rng.IntN(3000))
			err := r.Append(p)
			if errors.Is(err, ErrFull) {
				continue
			}
			if err != nil {
				t.Fatalf("op %d append: %v", op, err)
			}
			model = append(model, p)
		case k < 98:
			got, err := r.Pop()
			if len(model) == 0 {
				if !errors.Is(err, ErrEmpty) {
					t.Fatalf("op %d: pop on empty: %v", op, err)
				}
				continue
			}
			if err != nil || string(got) != string(model[0]) {
				t.Fatalf("op %d: pop %d bytes, %v; want %d bytes", op, len(got), err, len(model[0]))
			}
			model = model[1:]
		default:
			r.abandon()
			r, _ = mustOpen(t, path, Options{Budget: b})
			// Without a sync policy a crash may bring back records
			// popped since the last header write, never lose one.
			got := r.snapshot(t)
			if len(got) < len(model) {
				t.Fatalf("op %d after crash: %d records, want at least %d", op, len(got), len(model))
			}
			if err := equalRecords(got[len(got)-len(model):], model); err != nil {
				t.Fatalf("op %d after crash: %v", op, err)
			}
			model = got
		}
		if b.Used() != r.Cap() {
			t.Fatalf("op %d: budget %d, capacity %d", op, b.Used(), r.Cap())
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGrowConcurrentReaders: Cap, Free, Len and Used may be read without
// the lock while another goroutine grows and shrinks the ring (-race).
func TestGrowConcurrentReaders(t *testing.T) {
	b := NewBudget(1 << 20)
	r := growRing(t, t.TempDir(), "ring", 4096, b)
	defer r.Close()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			default:
			}
			// Each value is read on its own, so only their own bounds
			// hold: they are not one snapshot.
			if c, f := r.Cap(), r.Free(); f < 0 || c < 4096 || c > 1<<20 || r.Len() < 0 || r.Used() < 0 {
				t.Errorf("capacity %d free %d", c, f)
				return
			}
		}
	}()
	for round := range 20 {
		for i := range 40 {
			if err := r.Append(payload(round+i, 900)); err != nil {
				t.Error(err)
				break
			}
		}
		drain(t, r)
	}
	close(done)
	<-stopped
}

// TestOpenOrCreateShrinksEmpty: an existing grown ring that is empty goes
// back to the capacity OpenOrCreate asks for; one with records keeps its
// size until drained.
func TestOpenOrCreateShrinksEmpty(t *testing.T) {
	b := NewBudget(1 << 20)
	r := growRing(t, t.TempDir(), "ring", 64<<10, b)
	path := r.Path()
	for i := range 100 {
		if err := r.Append(payload(i, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	grown := r.Cap()
	r.Close()
	r2, _, err := OpenOrCreate(path, 4096, Options{Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Cap() != grown || b.Used() != grown {
		t.Fatalf("ring with records: capacity %d (was %d), budget %d", r2.Cap(), grown, b.Used())
	}
	drain(t, r2)
	if r2.Cap() != 4096 || b.Used() != 4096 {
		t.Fatalf("drained: capacity %d, budget %d; want 4096", r2.Cap(), b.Used())
	}
	r2.Close()
}

// TestDiskUseFinding1: the ring-level shape of finding 1. Eight keyed
// rings under one 25 MB budget, 50 short lines each: with rings that
// start small the files take a few KiB each, where rings preallocated at
// the whole budget took 8 x 25 MB.
func TestDiskUseFinding1(t *testing.T) {
	b := NewBudget(25_000_000)
	dir := t.TempDir()
	var disk int64
	for k := range 8 {
		r := growRing(t, dir, fmt.Sprint("key", k), 4096, b)
		for i := range 50 {
			if err := r.Append([]byte(fmt.Sprintf("Update %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		disk += fileSize(t, r.Path())
		defer r.Close()
	}
	if disk > 8*(headerAreaSize+8192) || b.Used() > 8*8192 {
		t.Fatalf("8 rings of 50 lines take %d bytes of disk (budget charged %d)", disk, b.Used())
	}
	t.Logf("8 rings x 50 lines: %d bytes on disk, %d charged to a 25 MB budget (preallocated: %d)", disk, b.Used(), int64(8)*(headerAreaSize+25_000_000))
}
