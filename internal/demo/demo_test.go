package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func run(t *testing.T, v Variant) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := Run(ctx, v, Options{Dir: t.TempDir(), Payload: 100})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func updates(ns ...int) []string {
	var s []string
	for _, n := range ns {
		s = append(s, "Update "+string(rune('0'+n)))
	}
	return s
}

// TestDurableNoHWM is the seed scenario: every restart resumes where the
// last one stopped, nothing lost, nothing twice.
func TestDurableNoHWM(t *testing.T) {
	r := run(t, Variants[0])
	want := [3][]string{updates(0, 1, 2), updates(3, 4, 5, 6, 7), append(updates(8, 9), "END")}
	if !sameRuns(r.Runs, want) {
		t.Fatalf("runs = %q, want %q", r.Runs, want)
	}
	if len(r.Lost) != 0 || r.Dropped != 0 {
		t.Fatalf("lost %q, dropped %d", r.Lost, r.Dropped)
	}
}

// TestDurableHWM1 caps the retained backlog at one message: the first
// update sent while the subscriber is away is kept, the rest are dropped
// and counted.
func TestDurableHWM1(t *testing.T) {
	r := run(t, Variants[1])
	want := [3][]string{updates(0, 1, 2), updates(3, 7), updates(8)}
	if !sameRuns(r.Runs, want) {
		t.Fatalf("runs = %q, want %q", r.Runs, want)
	}
	lost := append(updates(4, 5, 6, 9), "END")
	if !slices.Equal(r.Lost, lost) || r.Dropped != uint64(len(lost)) {
		t.Fatalf("lost %q (dropped %d), want %q", r.Lost, r.Dropped, lost)
	}
}

// TestDurableHWM1Swap: with a swap, HWM 1 keeps memory at one message and
// the rest goes to disk; nothing is lost.
func TestDurableHWM1Swap(t *testing.T) {
	r := run(t, Variants[2])
	want := [3][]string{updates(0, 1, 2), updates(3, 4, 5, 6, 7), append(updates(8, 9), "END")}
	if !sameRuns(r.Runs, want) {
		t.Fatalf("runs = %q, want %q", r.Runs, want)
	}
	if len(r.Lost) != 0 || r.Dropped != 0 {
		t.Fatalf("lost %q, dropped %d", r.Lost, r.Dropped)
	}
	if r.Swapped == 0 {
		t.Fatal("nothing went through the swap")
	}
	// One 100-byte-padded update in memory at most.
	if r.PeakBytes > 120 {
		t.Fatalf("peak in-memory backlog %d B, want at most one message", r.PeakBytes)
	}
}

func sameRuns(a, b [3][]string) bool {
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
