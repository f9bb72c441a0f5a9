//go:build unix

// Disk use is measured in allocated blocks (syscall.Stat_t).

package socket

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/swapfile"
)

// diskUse returns the bytes the files of dir take on disk (allocated
// blocks, not apparent sizes) and their apparent sizes.
func diskUse(t *testing.T, dir string) (alloc, apparent int64) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range ents {
		fi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		apparent += fi.Size()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			alloc += int64(st.Blocks) * 512
		}
	}
	return alloc, apparent
}

// retainSubs connects n SUBs with identities sub0..sub<n-1> to ep,
// subscribed to "Update", waits until each receives, closes them and waits
// until pub retains all n.
func retainSubs(t *testing.T, pub *Socket, ep string, n int) {
	t.Helper()
	for i := range n {
		sub := newSock(t, Sub, WithIdentity([]byte(fmt.Sprint("sub", i))), WithLinger(0))
		sync := fmt.Sprint("s", i) // reaches this subscriber only
		for _, topic := range []string{"Update", sync} {
			if err := sub.Subscribe([]byte(topic)); err != nil {
				t.Fatal(err)
			}
		}
		connectTo(t, sub, ep)
		syncSub(t, pub, sub, sync)
		sub.Close()
	}
	waitFor(t, 5*time.Second, "the subscribers to be retained", func() bool { return pub.Stats().Retained == n })
}

// TestSwapDiskBoundedByBudget is finding 1 of issue 14: `pub --retain
// --hwm 1 --swap 25000000` with 8 subscriber identities used 191 MB of
// disk for 50 short lines, each keyed ring preallocated at the whole
// budget. Now each ring starts at 64 KiB and the rings share the budget:
// the 8 backlogs take well under 1 MB, and a returning subscriber gets
// every line.
func TestSwapDiskBoundedByBudget(t *testing.T) {
	const budget, keys, lines = 25_000_000, 8, 50
	dir := t.TempDir()
	pub := newSock(t, Pub, WithSendHWM(1), WithSwap(budget, dir), WithRetention(Retention{TTL: time.Minute}))
	ep := bindAt(t, pub, "tcp")
	retainSubs(t, pub, ep, keys)
	publish(t, pub, 0, lines)
	alloc, apparent := diskUse(t, dir)
	st := pub.Stats()
	t.Logf("%d keys x %d lines: %d bytes allocated on disk (%d apparent), Stats.SwapDiskBytes %d",
		keys, lines, alloc, apparent, st.SwapDiskBytes)
	// Each ring: a 4 KiB header area and a 64 KiB data area; beside it
	// its subscriptions file (one block).
	const most = keys * (4<<10 + 64<<10 + 4<<10)
	if alloc > most || apparent > most || st.SwapDiskBytes > keys*64<<10 {
		t.Fatalf("swap takes %d bytes on disk (%d apparent, %d by Stats), want at most %d",
			alloc, apparent, st.SwapDiskBytes, most)
	}
	if st.SpillRefused != 0 || st.SwapDiskFull != 0 {
		t.Fatalf("stats %+v", st)
	}
	sub := newSock(t, Sub, WithIdentity([]byte("sub3")), WithLinger(0))
	if err := sub.Subscribe([]byte("Update")); err != nil {
		t.Fatal(err)
	}
	connectTo(t, sub, ep)
	expectUpdates(t, sub, 0, lines)
}

// TestSwapRingGrowsAndShrinks: one key's backlog far beyond the first
// 64 KiB grows its ring within the budget, every message comes back in
// order, and the drained ring gives its disk back.
func TestSwapRingGrowsAndShrinks(t *testing.T) {
	dir := t.TempDir()
	pub := newSock(t, Pub, WithSendHWM(1), WithSwap(8<<20, dir), WithRetention(Retention{TTL: time.Minute}))
	ep := bindAt(t, pub, "tcp")
	retainSubs(t, pub, ep, 1)
	body := strings.Repeat("x", 1000)
	const n = 3000 // ~3 MB
	for i := range n {
		send(t, pub, fmt.Sprintf("Update %d %s", i, body))
	}
	grown := pub.Stats().SwapDiskBytes
	if grown < 3_000_000 || grown > 8<<20 {
		t.Fatalf("ring of a 3 MB backlog takes %d bytes", grown)
	}
	sub := newSock(t, Sub, WithIdentity([]byte("sub0")), WithLinger(0))
	if err := sub.Subscribe([]byte("Update")); err != nil {
		t.Fatal(err)
	}
	connectTo(t, sub, ep)
	for i := range n {
		got := recv(t, sub)
		if want := fmt.Sprintf("Update %d %s", i, body); got[0] != want {
			t.Fatalf("message %d: got %.20q", i, got[0])
		}
	}
	waitFor(t, 5*time.Second, "the ring to shrink", func() bool { return pub.Stats().SwapDiskBytes <= 64<<10 })
	t.Logf("ring grew to %d bytes for the backlog, shrank to %d once drained", grown, pub.Stats().SwapDiskBytes)
}

// TestSwapDiskFullTmpfs is finding 2 of issue 14: the publisher's swap
// directory on a 2 MiB file system. Before, the ring could not even be
// created at the whole 25 MB budget: the returning subscriber got 0 of
// 1000 updates, and the ENOSPC was counted only inside the pipe. Now the
// ring grows until the file system refuses; the subscriber gets, in order,
// every update the disk held (all of the first 1000 among them), the rest
// met the mute action (dropped), and the refusal shows in Stats, a
// monitor event and the log.
func TestSwapDiskFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 2 MiB tmpfs here (%v: %s); queue's TestSpillDiskFull covers a stand-in", err, out)
	}
	defer func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	}()
	logs := &logBuffer{}
	pub := newSock(t, Pub, WithSendHWM(1), WithSwap(25_000_000, dir), WithLinger(0),
		WithRetention(Retention{TTL: time.Minute}), WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	ep := bindAt(t, pub, "tcp")
	retainSubs(t, pub, ep, 1)
	body := strings.Repeat("u", 100)
	const n = 20_000 // ~2.5 MB of records: more than the file system holds
	for i := range n {
		send(t, pub, fmt.Sprintf("Update %d %s", i, body))
	}
	st := pub.Stats()
	if st.SwapDiskFull == 0 || !errors.Is(st.SwapLastError, swapfile.ErrDiskFull) || !errors.Is(st.SwapLastError, syscall.ENOSPC) {
		t.Fatalf("Stats do not show the full disk: SwapDiskFull %d, last error %v", st.SwapDiskFull, st.SwapLastError)
	}
	e := waitEvent(t, pub, EventSwapFailed, time.Second)
	var se *queue.SwapError
	if !errors.As(e.Err, &se) || se.Key != "sub0" || !errors.Is(e.Err, syscall.ENOSPC) {
		t.Fatalf("event %v", e)
	}
	if w := logs.String(); !strings.Contains(w, "swap cannot store messages") || !strings.Contains(w, "no space left") {
		t.Fatalf("no warning logged; log:\n%s", w)
	}
	sub := newSock(t, Sub, WithIdentity([]byte("sub0")), WithLinger(0))
	if err := sub.Subscribe([]byte("Update")); err != nil {
		t.Fatal(err)
	}
	connectTo(t, sub, ep)
	kept := n - int(st.Dropped)
	if kept < 1000 {
		t.Fatalf("the disk kept %d of %d updates", kept, n)
	}
	got := 0
	for ; got < kept; got++ {
		m, err := sub.Recv(ctxT(t, 10*time.Second))
		if err != nil {
			t.Fatalf("returning subscriber got %d of the %d kept: %v", got, kept, err)
		}
		if want := fmt.Sprintf("Update %d %s", got, body); string(m.Frames[0]) != want {
			t.Fatalf("message %d: got %.20q", got, m.Frames[0])
		}
	}
	expectNothing(t, sub, 200*time.Millisecond)
	t.Logf("2 MiB tmpfs: returning subscriber got %d of %d updates; %d dropped, SwapDiskFull %d: %v",
		got, n, st.Dropped, st.SwapDiskFull, st.SwapLastError)
}

// logBuffer is an io.Writer for a test logger, safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
