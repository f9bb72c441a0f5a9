package swapfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/purezmq/purezmq/internal/emulation"
	"time"
)

// The crash test re-executes the test binary as a child that appends
// numbered records to a ring and reports each number on stdout once Append
// has returned; the parent kills it with SIGKILL at a random moment,
// recovers the ring and checks that every reported record is there, in
// order, and nothing else but the one record in flight and records the
// child popped (a pop is at-least-once across a crash).

const (
	helperEnv   = "SWAPFILE_CRASH_HELPER"
	crashCap    = 16 << 10
	crashMaxRec = crashCap / 5
)

// crashRecord is record number i: its number, then bytes derived from it.
func crashRecord(i uint64) []byte {
	n := 8 + int(i*2654435761%crashMaxRec)
	b := make([]byte, n)
	binary.LittleEndian.PutUint64(b, i)
	for j := 8; j < n; j++ {
		b[j] = byte(i) ^ byte(j*13)
	}
	return b
}

func crashOptions(policy string) Options {
	if policy == "every" {
		return Options{Sync: SyncEveryN, SyncEvery: 16}
	}
	return Options{}
}

// TestHelperProcess is the child. It is a no-op in a normal test run.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("crash-test child; run by TestCrashRecovery")
	}
	args := strings.Fields(os.Getenv(helperEnv)) // path next policy
	next, _ := strconv.ParseUint(args[1], 10, 64)
	r, _, err := Open(args[0], crashOptions(args[2]))
	if err != nil {
		fmt.Printf("E %v\n", err)
		os.Exit(3)
	}
	out := os.Stdout // unbuffered: each line is one write(2)
	out.WriteString("R\n")
	for i := next; ; i++ {
		rec := crashRecord(i)
		for {
			err := r.Append(rec)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrFull) {
				fmt.Fprintf(out, "E %v\n", err)
				os.Exit(3)
			}
			b, err := r.Pop()
			if err != nil {
				fmt.Fprintf(out, "E pop: %v\n", err)
				os.Exit(3)
			}
			fmt.Fprintf(out, "P %d\n", binary.LittleEndian.Uint64(b))
		}
		fmt.Fprintf(out, "A %d\n", i)
	}
}

type crashChild struct {
	appended  uint64 // last number reported appended (0: none)
	popped    uint64 // last number reported popped by the child
	lines     int
	lastError string
}

func runCrashChild(t *testing.T, path string, next uint64, policy string, delay time.Duration) crashChild {
	t.Helper()
	// Under make test-arm the binary is foreign: emulation.Self starts it
	// through the emulator named in PUREZMQ_EMULATED.
	cmd := emulation.Self("-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s", helperEnv, path, next, policy))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var res crashChild
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		res.lines++
		switch {
		case line == "R":
			// Kill at a random moment after the child has the ring
			// open, from a timer so that reading goes on meanwhile.
			time.AfterFunc(delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
			killed = true
		case strings.HasPrefix(line, "A "):
			res.appended, _ = strconv.ParseUint(line[2:], 10, 64)
		case strings.HasPrefix(line, "P "):
			res.popped, _ = strconv.ParseUint(line[2:], 10, 64)
		case strings.HasPrefix(line, "E "):
			res.lastError = line
		}
	}
	err = cmd.Wait()
	if !killed || res.lastError != "" {
		t.Fatalf("child did not run: %v %s", err, res.lastError)
	}
	return res
}

func TestCrashRecovery(t *testing.T) {
	iters := 250
	if testing.Short() {
		iters = 40
	}
	// Under emulation (PUREZMQ_EMULATED, set by make test-arm) each child
	// is a new emulator process: about 1.8 s an iteration under qemu-arm
	// against milliseconds natively, so a tenth of the kills.
	iters = emulation.Scale(iters, 10)
	if s := os.Getenv("SWAPFILE_CRASH_ITERS"); s != "" {
		iters, _ = strconv.Atoi(s)
	}
	crashLoop(t, iters)
}

func crashLoop(t *testing.T, iters int) {
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create(path, crashCap, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	rng := rand.New(rand.NewPCG(42, uint64(time.Now().UnixNano())))
	var (
		next        uint64 = 1 // number the next child starts at
		expectFirst uint64 = 1 // first record the parent left in the ring
		total       int
		repeats     int
		torn        int
	)
	start := time.Now()
	for iter := range iters {
		policy := "none"
		if iter%4 == 3 {
			policy = "every"
		}
		delay := time.Duration(rng.Int64N(int64(8 * time.Millisecond)))
		child := runCrashChild(t, path, next, policy, delay)
		r, rec, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("iter %d: open after kill: %v", iter, err)
		}
		if rec.DiscardedBytes != 0 {
			// The child was killed inside Append: between the two
			// pwrites of a wrapped record, or in a partial pwrite.
			torn++
		}
		got := r.snapshot(t)
		// Records before frontFloor may be gone: the parent popped them
		// (and closed cleanly), or the child reported popping them. One
		// more may be gone if the child was killed between a Pop that
		// wrote the header and its report.
		frontFloor := max(expectFirst, child.popped+1)
		if child.lines > 1 {
			frontFloor++
		}
		want := max(child.appended, next-1) // every record up to here must be present
		var first, last uint64
		for k, b := range got {
			if len(b) < 8 {
				t.Fatalf("iter %d: record %d has %d bytes", iter, k, len(b))
			}
			n := binary.LittleEndian.Uint64(b)
			if !bytes.Equal(b, crashRecord(n)) {
				t.Fatalf("iter %d: record %d claims number %d but its content differs", iter, k, n)
			}
			if k == 0 {
				first = n
			} else if n != last+1 {
				t.Fatalf("iter %d: record %d follows %d", iter, n, last)
			}
			last = n
		}
		switch {
		case len(got) == 0 && want >= frontFloor:
			t.Fatalf("iter %d: ring empty, records %d..%d lost (child %+v)", iter, frontFloor, want, child)
		case len(got) == 0:
		case first > frontFloor:
			t.Fatalf("iter %d: records %d..%d lost at the front (child %+v, expected first %d)", iter, frontFloor, first-1, child, expectFirst)
		case first < expectFirst:
			t.Fatalf("iter %d: record %d popped by the parent came back", iter, first)
		case last < want:
			t.Fatalf("iter %d: records %d..%d lost at the back (child %+v)", iter, last+1, want, child)
		case last > want+1:
			t.Fatalf("iter %d: record %d invented (child %+v)", iter, last, child)
		}
		if len(got) > 0 && first <= child.popped {
			repeats++
		}
		total += child.lines
		next = max(want, last) + 1
		// Drain some, as a reader would, and close cleanly: what is left
		// must be exactly what the next child starts from.
		expectFirst = next
		pops := rng.IntN(len(got) + 1)
		if pops < len(got) {
			expectFirst = binary.LittleEndian.Uint64(got[pops])
		}
		for range pops {
			if _, err := r.Pop(); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d kills in %v, %d lines reported, %d recoveries cut a torn record, %d repeated popped records, last number %d",
		iters, time.Since(start).Round(time.Millisecond), total, torn, repeats, next-1)
}
