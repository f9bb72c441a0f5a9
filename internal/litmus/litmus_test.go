package litmus

import (
	"runtime"
	"testing"

	"github.com/purezmq/purezmq/internal/emulation"
)

// TestForbiddenOutcomes: natively no forbidden outcome may appear. Under
// an emulator the counts are reported, not failed: they are a fact about
// the emulator, which make test-arm prints so a skip elsewhere can be
// checked against it.
func TestForbiddenOutcomes(t *testing.T) {
	n := 50000
	switch {
	case raceEnabled:
		// Under -race each atomic is a call into the race runtime
		// (milliseconds per iteration here when the two threads
		// spin on each other), so only a few iterations keep the code
		// exercised; make test-arm's emulated runs, without -race, are
		// the ones that count.
		n = 100
	case testing.Short():
		n = 10000
	}
	forbidden, results := Check(n)
	for _, r := range results {
		t.Logf("%s/%s: %d of %d forbidden outcomes (emulator %q)", runtime.GOARCH, r.Name, r.Forbidden, r.Iterations, emulation.Emulator())
	}
	if forbidden > 0 && !emulation.Active() {
		t.Fatalf("%d outcomes Go's memory model forbids, natively", forbidden)
	}
}
