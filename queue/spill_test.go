package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// spillPipe is an HWM-2 pipe with a swap; fs nil means real ring files.
func spillPipe(t *testing.T, fs *fakeSwap, b *Budget, mute MuteAction, key string) *Pipe {
	t.Helper()
	sc := &SwapConfig{Dir: t.TempDir(), Budget: b, RingCapacity: 1 << 20}
	if fs != nil {
		sc.Open = fs.open
	}
	return New(Config{HWM: 2, Mute: mute, Key: key, Swap: sc})
}

func TestSpillOrderMultipartAcrossHWM(t *testing.T) {
	for _, real := range []bool{false, true} {
		t.Run(fmt.Sprint("real=", real), func(t *testing.T) {
			var fs *fakeSwap
			if !real {
				fs = &fakeSwap{}
			}
			p := spillPipe(t, fs, nil, Fail, "")
			const n = 50
			for i := 0; i < n; i++ {
				m := msg(fmt.Sprint(i), "", fmt.Sprintf("body-%d", i))
				if err := p.TryPush(m); err != nil {
					t.Fatalf("push %d: %v", i, err)
				}
				// Pop now and then so pushes land on both sides of the
				// HWM while a backlog is on disk: order must hold.
				if i%7 == 6 {
					j := i / 7 // the j-th pop takes message j
					mustPop(t, p, fmt.Sprintf("%d||body-%d", j, j))
				}
			}
			st := p.Stats()
			if st.MemQueued > 2 || st.Spilled == 0 || st.Queued != n-7 {
				t.Fatalf("stats %+v", st)
			}
			for i := 7; i < n; i++ {
				mustPop(t, p, fmt.Sprintf("%d||body-%d", i, i))
				if s := p.Stats(); s.MemQueued > 2 {
					t.Fatalf("memory holds %d > HWM", s.MemQueued)
				}
			}
			if _, ok := p.Pop(); ok {
				t.Fatal("extra message")
			}
			st = p.Stats()
			if st.Refilled != st.Spilled || st.PeakBytes > 2*20 || st.SwapUsed != 0 {
				t.Fatalf("stats after drain %+v", st)
			}
			p.Discard()
		})
	}
}

func TestSpillPopBatchRefills(t *testing.T) {
	fs := &fakeSwap{}
	p := spillPipe(t, fs, nil, Fail, "")
	for i := 0; i < 9; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i)))
	}
	var got []string
	var batch [][][]byte
	for p.Len() > 0 {
		<-p.Readable()
		batch = p.PopBatch(batch[:0])
		if len(batch) > 2 {
			t.Fatalf("batch of %d beyond HWM", len(batch))
		}
		for _, m := range batch {
			got = append(got, str(m))
		}
	}
	if fmt.Sprint(got) != "[0 1 2 3 4 5 6 7 8]" {
		t.Fatalf("got %v", got)
	}
	p.Close()
	if r := fs.only(); r == nil || !r.removed {
		t.Fatal("anonymous ring not removed after close of a drained pipe")
	}
}

func TestSpillBudgetExhaustedAppliesMute(t *testing.T) {
	for _, mute := range []MuteAction{Drop, Fail, Block} {
		t.Run(mute.String(), func(t *testing.T) {
			// Three records of a 2-byte frame: 16 ring + 3 table + 2 body.
			b := NewBudget(3 * 21)
			p := spillPipe(t, &fakeSwap{}, b, mute, "")
			for i := 0; i < 5; i++ {
				if err := p.TryPush(msg(fmt.Sprintf("%02d", i))); err != nil {
					t.Fatalf("push %d: %v", i, err)
				}
			}
			err := p.TryPush(msg("xx"))
			want := map[MuteAction]error{Drop: ErrDropped, Fail: ErrFull, Block: ErrFull}[mute]
			if !errors.Is(err, want) {
				t.Fatalf("push past budget: %v, want %v", err, want)
			}
			st := p.Stats()
			if st.SpillRefused != 1 || st.HWMHits != 1 || b.Refused() != 1 || b.Used() != 63 {
				t.Fatalf("stats %+v budget used %d refused %d", st, b.Used(), b.Refused())
			}
			if mute == Drop && st.Dropped != 1 {
				t.Fatalf("drop not counted: %+v", st)
			}
			if p.HasRoom() {
				t.Fatal("HasRoom with budget spent")
			}
			// Nothing accepted is lost.
			for i := 0; i < 5; i++ {
				mustPop(t, p, fmt.Sprintf("%02d", i))
			}
			if b.Used() != 0 {
				t.Fatalf("budget still charged %d", b.Used())
			}
			p.Discard()
		})
	}
}

// TestSpillBudgetSharedWakesBlockedPipe: a pipe blocked on the shared
// budget is woken when another pipe's drain gives bytes back.
func TestSpillBudgetSharedWakesBlockedPipe(t *testing.T) {
	b := NewBudget(2 * 20) // a's two disk records of one 1-byte frame
	fs := &fakeSwap{}
	a := spillPipe(t, fs, b, Block, "")
	c := spillPipe(t, fs, b, Block, "")
	for i := 0; i < 4; i++ { // two in memory, two on disk
		if err := a.TryPush(msg(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.TryPush(msg("c0"))
	_ = c.TryPush(msg("c1"))
	done := make(chan error)
	go func() { done <- c.Push(context.Background(), msg("c2")) }()
	select {
	case err := <-done:
		t.Fatalf("push with budget spent returned %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	for i := 0; i < 4; i++ { // a's drain releases its disk bytes
		mustPop(t, a, fmt.Sprint(i))
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("blocked pipe not woken by the budget")
	}
	for _, w := range []string{"c0", "c1", "c2"} {
		mustPop(t, c, w)
	}
	a.Discard()
	c.Discard()
}

// TestSpillBudgetReleaseBeforeWait: the budget is released after a push
// was refused but before the refused pusher asks to wait. That release
// found no waiter; Writable must not then wait for another one.
func TestSpillBudgetReleaseBeforeWait(t *testing.T) {
	b := NewBudget(2 * 20)
	fs := &fakeSwap{}
	a := spillPipe(t, fs, b, Block, "")
	c := spillPipe(t, fs, b, Block, "")
	for i := 0; i < 4; i++ {
		if err := a.TryPush(msg(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.TryPush(msg("c0"))
	_ = c.TryPush(msg("c1"))
	if err := c.TryPush(msg("c2")); !errors.Is(err, ErrFull) {
		t.Fatalf("push with budget spent: %v, want ErrFull", err)
	}
	for i := 0; i < 4; i++ {
		mustPop(t, a, fmt.Sprint(i))
	}
	select {
	case <-c.Writable():
	default:
		t.Fatal("Writable waits although the budget was released after the refusal")
	}
	if err := c.TryPush(msg("c2")); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"c0", "c1", "c2"} {
		mustPop(t, c, w)
	}
	a.Discard()
	c.Discard()
}

func TestSpillRingFullAppliesMute(t *testing.T) {
	fs := &fakeSwap{}
	p := New(Config{HWM: 1, Mute: Fail, Swap: &SwapConfig{Dir: t.TempDir(), RingCapacity: 40, Open: fs.open}})
	_ = p.TryPush(msg("m"))
	if err := p.TryPush(msg("0123456789")); err != nil { // 16+2+10 = 28 <= 40
		t.Fatal(err)
	}
	if err := p.TryPush(msg("0123456789")); !errors.Is(err, ErrFull) {
		t.Fatalf("ring full: %v", err)
	}
	if st := p.Stats(); st.SpillRefused != 1 || st.SwapErrors != 0 {
		t.Fatalf("stats %+v", st)
	}
	p.Discard()
}

func TestSpillAnonymousRingFileRemoved(t *testing.T) {
	dir := t.TempDir()
	p := New(Config{HWM: 1, Mute: Fail, Swap: &SwapConfig{Dir: dir, RingCapacity: 1 << 16}})
	for i := 0; i < 3; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i)))
	}
	if n := countFiles(t, dir); n != 1 {
		t.Fatalf("%d files in swap dir while spilling", n)
	}
	p.Close() // backlog still poppable after Close
	mustPop(t, p, "0")
	if n := countFiles(t, dir); n != 1 {
		t.Fatal("ring removed before drained")
	}
	mustPop(t, p, "1") // "2" moves to memory: the ring is no longer needed
	mustPop(t, p, "2")
	if n := countFiles(t, dir); n != 0 {
		t.Fatalf("%d files left after drain of a closed pipe", n)
	}

	q := New(Config{HWM: 1, Mute: Fail, Swap: &SwapConfig{Dir: dir, RingCapacity: 1 << 16}})
	for i := 0; i < 3; i++ {
		_ = q.TryPush(msg(fmt.Sprint(i)))
	}
	q.Discard()
	if n := countFiles(t, dir); n != 0 || q.Stats().Discarded != 3 {
		t.Fatalf("Discard left %d files, stats %+v", n, q.Stats())
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func keyedConfig(dir string, wt bool) Config {
	return Config{HWM: 2, Mute: Fail, Swap: &SwapConfig{Dir: dir, RingCapacity: 1 << 16, WriteThrough: wt}}
}

func recoverOnly(t *testing.T, dir string, cfg Config) *Pipe {
	t.Helper()
	rs, err := RecoverDir(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Err != nil {
		t.Fatalf("recovered %+v", rs)
	}
	return rs[0].Pipe
}

func drainAll(t *testing.T, p *Pipe, commit bool) []string {
	t.Helper()
	var out []string
	for {
		m, ok := p.Pop()
		if !ok {
			return out
		}
		out = append(out, str(m))
		if commit {
			if err := p.Commit(1); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestKeyedRingRecoveredAfterPersist(t *testing.T) {
	dir := t.TempDir()
	cfg := keyedConfig(dir, false)
	cfg.Key = "peer\x00\xffbinary"
	p := New(cfg)
	for i := 0; i < 6; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i), "x"))
	}
	mustPop(t, p, "0|x")
	if err := p.Persist(); err != nil {
		t.Fatal(err)
	}
	q := recoverOnly(t, dir, keyedConfig(dir, false))
	if q.Key() != cfg.Key {
		t.Fatalf("key %q", q.Key())
	}
	// The memory part (1, 2) was written in front of the disk part.
	if got := fmt.Sprint(drainAll(t, q, false)); got != "[1|x 2|x 3|x 4|x 5|x]" {
		t.Fatalf("recovered %s", got)
	}
	q.Discard()
	if n := countFiles(t, dir); n != 0 {
		t.Fatalf("%d files left after Discard", n)
	}
}

func TestKeyedRingLongKeyHashedName(t *testing.T) {
	dir := t.TempDir()
	cfg := keyedConfig(dir, false)
	cfg.Key = string(make([]byte, 255))
	p := New(cfg)
	for i := 0; i < 4; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i)))
	}
	if err := p.Persist(); err != nil {
		t.Fatal(err)
	}
	q := recoverOnly(t, dir, keyedConfig(dir, false))
	if q.Key() != cfg.Key {
		t.Fatal("long key not recovered")
	}
	if got := fmt.Sprint(drainAll(t, q, false)); got != "[0 1 2 3]" {
		t.Fatalf("recovered %s", got)
	}
	q.Discard()
}

// crashCopy copies the swap directory's files as a killed process would
// leave them: whatever reached the page cache, nothing from Close.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		in, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		out.Close()
	}
	return dst
}

func TestKeyedRingRecoveredAfterCrash(t *testing.T) {
	dir := t.TempDir()
	cfg := keyedConfig(dir, false)
	cfg.Key = "k"
	p := New(cfg)
	for i := 0; i < 10; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i)))
	}
	mustPop(t, p, "0")
	crashed := crashCopy(t, dir)
	p.Discard()
	q := recoverOnly(t, crashed, keyedConfig(crashed, false))
	// Spill mode: the disk part survives. "1" was only ever in memory and
	// dies with the process; "2" had been loaded into memory, but the
	// ring's head is written lazily, so it comes back (at-least-once).
	got := drainAll(t, q, false)
	if fmt.Sprint(got) != "[2 3 4 5 6 7 8 9]" {
		t.Fatalf("recovered %v", got)
	}
	q.Discard()
}

func TestWriteThroughCrashRecoversExactlyUncommitted(t *testing.T) {
	for _, at := range []bool{false, true} {
		t.Run(fmt.Sprint("peekAt=", at), func(t *testing.T) {
			const n, k = 40, 13
			dir := t.TempDir()
			cfg := keyedConfig(dir, true)
			cfg.Key = "durable"
			p := New(cfg)
			for i := 0; i < n; i++ {
				if err := p.TryPush(msg(fmt.Sprint(i), "wt")); err != nil {
					t.Fatalf("push %d: %v", i, err)
				}
			}
			for i := 0; i < k; i++ {
				m, ok := p.Pop()
				if !ok || str(m) != fmt.Sprint(i)+"|wt" {
					t.Fatalf("pop %d: %q %v", i, str(m), ok)
				}
				if err := p.Commit(1); err != nil {
					t.Fatal(err)
				}
			}
			// Popped but not committed: must come back after the crash.
			if _, ok := p.Pop(); !ok {
				t.Fatal("pop")
			}
			if st := p.Stats(); st.Uncommitted != 1 || st.MemQueued > 2 {
				t.Fatalf("stats %+v", st)
			}
			crashed := crashCopy(t, dir)
			p.Discard()
			q := recoverOnly(t, crashed, keyedConfig(crashed, true))
			got := drainAll(t, q, true)
			if len(got) != n-k {
				t.Fatalf("recovered %d messages, want %d: %v", len(got), n-k, got)
			}
			for i, g := range got {
				if g != fmt.Sprint(k+i)+"|wt" {
					t.Fatalf("recovered[%d] = %q", i, g)
				}
			}
			q.Discard()
		})
	}
}

func TestWriteThroughReadAheadAndRollback(t *testing.T) {
	for _, mode := range []string{"fake", "fakePeekAt", "ring"} {
		t.Run(mode, func(t *testing.T) {
			sc := &SwapConfig{Dir: t.TempDir(), RingCapacity: 1 << 16, WriteThrough: true}
			fs := &fakeSwap{at: mode == "fakePeekAt"}
			if mode != "ring" {
				sc.Open = fs.open
			}
			p := New(Config{HWM: 3, Mute: Fail, Key: "w", Swap: sc})
			for i := 0; i < 10; i++ {
				_ = p.TryPush(msg(fmt.Sprint(i)))
			}
			if st := p.Stats(); st.Spilled != 10 || st.Queued != 10 || st.MemQueued != 3 {
				t.Fatalf("ring should hold all 10, memory 3: %+v", st)
			}
			if r := fs.only(); r != nil && r.Len() != 10 {
				t.Fatalf("ring holds %d, want all 10", r.Len())
			}
			b := p.PopBatch(nil)
			if len(b) != 3 || p.Stats().Uncommitted != 3 {
				t.Fatalf("batch %d, stats %+v", len(b), p.Stats())
			}
			// A ring that reads at an index (the real one does) refills
			// memory behind the uncommitted batch; without it the pipe
			// must wait for the commit.
			wantMem := 3
			if mode == "fake" {
				wantMem = 0
			}
			if st := p.Stats(); st.MemQueued != wantMem {
				t.Fatalf("read-ahead holds %d messages before the commit, want %d", st.MemQueued, wantMem)
			}
			if got := p.Rollback(); got != 3 {
				t.Fatalf("Rollback = %d", got)
			}
			var got []string
			var batch [][][]byte
			for p.Len() > 0 {
				batch = p.PopBatch(batch[:0])
				if len(batch) == 0 {
					t.Fatal("Len > 0 but nothing poppable")
				}
				for _, m := range batch {
					got = append(got, str(m))
				}
				if err := p.Commit(len(batch)); err != nil {
					t.Fatal(err)
				}
			}
			if fmt.Sprint(got) != "[0 1 2 3 4 5 6 7 8 9]" {
				t.Fatalf("got %v", got)
			}
			if err := p.Commit(1); !errors.Is(err, ErrCommitRange) {
				t.Fatalf("Commit past popped: %v", err)
			}
			if st := p.Stats(); st.Committed != 10 || st.SwapUsed != 0 {
				t.Fatalf("stats %+v", st)
			}
			p.Discard()
		})
	}
}

func TestRecoverDirSkipsCorruptAndRemovesOrphans(t *testing.T) {
	dir := t.TempDir()
	cfg := keyedConfig(dir, false)
	cfg.Key = "good"
	p := New(cfg)
	for i := 0; i < 4; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i)))
	}
	if err := p.Persist(); err != nil {
		t.Fatal(err)
	}
	bad := RingPath(dir, "bad")
	if err := os.WriteFile(bad, []byte("not a ring file at all, but long enough to be read"), 0o600); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(dir, "a-0011.ring")
	if err := os.WriteFile(orphan, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	rs, err := RecoverDir(dir, keyedConfig(dir, false))
	if err != nil {
		t.Fatal(err)
	}
	var good *Pipe
	var sawBad bool
	for _, r := range rs {
		switch r.Key {
		case "good":
			good = r.Pipe
		case "bad":
			sawBad = r.Err != nil && r.Pipe == nil
		}
	}
	if good == nil || !sawBad || len(rs) != 2 {
		t.Fatalf("recovered %+v", rs)
	}
	if got := fmt.Sprint(drainAll(t, good, false)); got != "[0 1 2 3]" {
		t.Fatalf("good: %s", got)
	}
	good.Discard()
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatal("orphan anonymous ring not removed")
	}
	if _, err := RecoverDir(filepath.Join(dir, "missing"), Config{}); !errors.Is(err, ErrSwapDir) {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	if err := CheckDir(dir); err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, dir); n != 0 {
		t.Fatal("CheckDir left a file")
	}
	var de *DirError
	err := CheckDir(filepath.Join(dir, "nope"))
	if !errors.Is(err, ErrSwapDir) || !errors.Is(err, os.ErrNotExist) || !errors.As(err, &de) {
		t.Fatalf("missing dir: %v", err)
	}
	f := filepath.Join(dir, "file")
	_ = os.WriteFile(f, nil, 0o600)
	if err := CheckDir(f); !errors.Is(err, ErrSwapDir) {
		t.Fatalf("regular file: %v", err)
	}
}

// TestSpillConcurrent: a Block producer and a batch reader on a swapped
// pipe with a small shared budget, under -race: all messages, in order.
func TestSpillConcurrent(t *testing.T) {
	b := NewBudget(4 << 10)
	p := New(Config{HWM: 4, Mute: Block, Swap: &SwapConfig{Dir: t.TempDir(), Budget: b, RingCapacity: 1 << 16}})
	defer p.Discard()
	const n = 5000
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := p.Push(context.Background(), msg(fmt.Sprint(i), "payload-payload")); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	var batch [][][]byte
	for next := 0; next < n; {
		select {
		case <-p.Readable():
		case <-time.After(5 * time.Second):
			t.Fatalf("stuck at %d: %+v", next, p.Stats())
		}
		batch = p.PopBatch(batch[:0])
		for _, m := range batch {
			if str(m) != fmt.Sprint(next)+"|payload-payload" {
				t.Fatalf("got %q at %d", str(m), next)
			}
			next++
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	if st.Spilled == 0 || st.PeakBytes > 4*20 || b.Used() != 0 {
		t.Fatalf("stats %+v, budget %d", st, b.Used())
	}
}
