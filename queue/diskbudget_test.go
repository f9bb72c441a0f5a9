package queue

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"

	"github.com/purezmq/purezmq/swapfile"
)

// TestSpillRingsShareDiskBudget: keyed pipes under one budget start with
// small rings (8 keys take 8 x 64 KiB of a 25 MB budget, not 8 x 25 MB as
// before: finding 1 of issue 14); one pipe's ring grows within what the
// others leave, a spill it cannot grow for is refused as the budget's (not
// an I/O error), and a drained ring gives its disk back.
func TestSpillRingsShareDiskBudget(t *testing.T) {
	dir := t.TempDir()
	b := NewBudget(25_000_000)
	var pipes []*Pipe
	for i := range 8 {
		p := New(Config{HWM: 1, Mute: Fail, Key: fmt.Sprint("key", i), Swap: &SwapConfig{Dir: dir, Budget: b}})
		defer p.Discard()
		for j := range 50 {
			if err := p.TryPush(msg(fmt.Sprintf("line %d", j))); err != nil {
				t.Fatal(err)
			}
		}
		pipes = append(pipes, p)
	}
	if got := b.Disk().Used(); got != 8*64<<10 {
		t.Fatalf("8 keys with 49 short lines on disk each take %d bytes of the budget, want %d", got, 8*64<<10)
	}
	big := bytes.Repeat([]byte("b"), 1<<20)
	p := pipes[0]
	n := 0
	for ; n < 30; n++ {
		if err := p.TryPush([][]byte{big}); err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatal(err)
			}
			break
		}
	}
	st := p.Stats()
	if n < 16 || n >= 25 || st.SwapErrors != 0 || st.SwapDiskFull != 0 || st.SpillRefused != 1 {
		t.Fatalf("1 MiB messages: %d fitted in a 25 MB budget; stats %+v", n, st)
	}
	if d := b.Disk().Used(); d > b.Limit() || st.SwapDisk <= 16<<20 {
		t.Fatalf("disk budget %d of %d, grown ring %d", d, b.Limit(), st.SwapDisk)
	}
	for range 50 + n - 1 { // line 0 stayed in memory
		if _, ok := p.Pop(); !ok {
			t.Fatal("backlog lost")
		}
	}
	if d, s := b.Disk().Used(), p.Stats().SwapDisk; d != 8*64<<10 || s != 64<<10 {
		t.Fatalf("drained ring: %d bytes, budget's disk %d", s, d)
	}
}

// fullDisk is a memRing on a file system with room for limit bytes of
// records: beyond it AppendV fails as a ring does on a full disk.
type fullDisk struct {
	*memRing
	limit int64
}

func (r fullDisk) AppendV(parts ...[]byte) error {
	var n int64
	for _, p := range parts {
		n += int64(len(p))
	}
	if r.Used()+n+recordOverhead > r.limit {
		return &swapfile.DiskFullError{Path: "stand-in", Op: "grow", Want: 4096,
			Err: &os.PathError{Op: "fallocate", Path: "stand-in", Err: syscall.ENOSPC}}
	}
	return r.memRing.AppendV(parts...)
}

// TestSpillDiskFull is finding 2 of issue 14 with a stand-in file system
// (socket's TestSwapDiskFullTmpfs mounts a real one where it can): what
// the disk takes is kept and comes back in order, the rest meets the mute
// action, and the ENOSPC reaches Stats, the budget's counters and its
// error handler (once, not once per message). Before, the error was only
// a SwapErrors count.
func TestSpillDiskFull(t *testing.T) {
	b := NewBudget(25_000_000)
	var mu sync.Mutex
	var told []*SwapError
	b.SetErrorHandler(func(e *SwapError) { mu.Lock(); told = append(told, e); mu.Unlock() })
	mr := &memRing{cap: 1 << 30}
	sc := &SwapConfig{Dir: t.TempDir(), Budget: b, Open: func(string, int64) (Spiller, error) {
		return fullDisk{mr, 2000}, nil
	}}
	p := New(Config{HWM: 1, Mute: Drop, Key: "sub", Swap: sc})
	defer p.Discard()
	const n = 100
	kept := 0
	for i := range n {
		err := p.TryPush(msg(fmt.Sprintf("update %03d", i)))
		switch {
		case err == nil:
			if kept != i {
				t.Fatalf("update %d taken after a refusal", i)
			}
			kept++
		case !errors.Is(err, ErrDropped):
			t.Fatal(err)
		}
	}
	st := p.Stats()
	if kept < 40 || kept == n || st.Dropped != uint64(n-kept) || st.SwapDiskFull != st.Dropped || b.DiskFull() != st.Dropped {
		t.Fatalf("kept %d; stats %+v, budget disk full %d", kept, st, b.DiskFull())
	}
	if !errors.Is(b.LastError(), swapfile.ErrDiskFull) || !errors.Is(b.LastError(), syscall.ENOSPC) {
		t.Fatalf("last error %v", b.LastError())
	}
	mu.Lock()
	if len(told) != 1 || told[0].Key != "sub" || told[0].DiskFull != 1 || !errors.Is(told[0], syscall.ENOSPC) {
		t.Fatalf("handler told %v", told)
	}
	t.Logf("handler: %v", told[0])
	mu.Unlock()
	for i := range kept {
		mustPop(t, p, fmt.Sprintf("update %03d", i))
	}
	if _, ok := p.Pop(); ok {
		t.Fatal("more than was kept")
	}
}

// TestRecoverArchLimitLeavesRing: a ring this build cannot read (a record
// or capacity beyond its word size's limits) is reported in its entry's
// Err as swapfile.ErrArchLimit, not as corruption, and stays on disk
// byte for byte; a build that can read it recovers every message.
func TestRecoverArchLimitLeavesRing(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{HWM: 1, Mute: Fail, Key: "big", Swap: &SwapConfig{Dir: dir, Budget: NewBudget(1 << 20)}}
	p := New(cfg)
	for i := range 5 {
		if err := p.TryPush(msg(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Persist(); err != nil {
		t.Fatal(err)
	}
	path := RingPath(dir, "big")
	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	reopen = func(path string, o swapfile.Options) (*swapfile.Ring, swapfile.Recovery, error) {
		return nil, swapfile.Recovery{}, &swapfile.ArchLimitError{Path: path, What: "record", Seq: 1, Size: 1 << 31, Limit: 1 << 30}
	}
	rs, err := RecoverDir(dir, Config{HWM: 1, Mute: Fail, Swap: &SwapConfig{Budget: NewBudget(1 << 20)}})
	reopen = swapfile.Open
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Pipe != nil || !errors.Is(rs[0].Err, swapfile.ErrArchLimit) || errors.Is(rs[0].Err, swapfile.ErrCorrupt) || rs[0].Key != "big" {
		t.Fatalf("recovered %+v", rs)
	}
	if sum() != before {
		t.Fatal("a ring refused for this build's limits was changed")
	}
	q := recoverOnly(t, dir, Config{HWM: 1, Mute: Fail, Swap: &SwapConfig{Budget: NewBudget(1 << 20)}})
	if got := fmt.Sprint(drainAll(t, q, false)); got != "[0 1 2 3 4]" {
		t.Fatalf("recovered %s", got)
	}
	q.Discard()
}
