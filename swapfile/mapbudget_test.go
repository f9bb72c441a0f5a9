//go:build unix

package swapfile

import (
	"fmt"
	"testing"
)

// TestMapBudgetBoundsTotal: with the process-wide mapping limit lowered
// (as 32-bit builds have it at 512 MiB), rings opened and grown beyond it
// read through pread instead of mapping, and the bytes mapped by all of
// them never pass the limit. Before, each ring mapped its whole file (13
// rings of 250 MB exhausted a 32-bit address space).
func TestMapBudgetBoundsTotal(t *testing.T) {
	base := mapped.Load()
	defer func(old int64) { mapLimit = old }(mapLimit)
	mapLimit = base + 3*(headerAreaSize+8192)
	b := NewBudget(0)
	dir := t.TempDir()
	var rings []*Ring
	defer func() {
		for _, r := range rings {
			r.Close()
		}
		if got := mapped.Load(); got != base {
			t.Errorf("after closing: %d bytes mapped, want %d", got, base)
		}
	}()
	for i := range 6 {
		rings = append(rings, growRing(t, dir, fmt.Sprint("r", i), 8192, b))
		if got := mapped.Load(); got > mapLimit {
			t.Fatalf("%d rings map %d bytes, limit %d", i+1, got, mapLimit)
		}
	}
	for round := range 60 {
		for i, r := range rings {
			if err := r.Append(payload(round*10+i, 700)); err != nil {
				t.Fatal(err)
			}
			if got := mapped.Load(); got > mapLimit {
				t.Fatalf("mapped %d bytes, limit %d", got, mapLimit)
			}
		}
	}
	for i, r := range rings {
		got := drain(t, r)
		if len(got) != 60 {
			t.Fatalf("ring %d: %d records", i, len(got))
		}
		for round, p := range got {
			if string(p) != string(payload(round*10+i, 700)) {
				t.Fatalf("ring %d record %d differs", i, round)
			}
		}
		if m := mapped.Load(); m > mapLimit {
			t.Fatalf("mapped %d bytes, limit %d", m, mapLimit)
		}
	}
}
