//go:build soak

package queue

import (
	"bufio"
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rssAnon reads the process's anonymous resident memory, in bytes.
func rssAnon(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no RssAnon in /proc/self/status")
	return 0
}

// TestSoakSpillGiB pushes 1 GiB through an HWM-1 pipe whose swap holds
// the backlog: the reader starts only once the whole GiB sits on disk,
// then drains it. Everything must arrive, in order, and anonymous memory
// must stay under 64 MiB throughout.
func TestSoakSpillGiB(t *testing.T) {
	const (
		size  = 4096
		total = 1 << 30
		count = total / size
	)
	p := New(Config{HWM: 1, Mute: Block, Swap: &SwapConfig{Dir: t.TempDir(), RingCapacity: total + total/8}})
	defer p.Discard()
	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample RSS
		defer wg.Done()
		tk := time.NewTicker(10 * time.Millisecond)
		defer tk.Stop()
		for {
			if r := rssAnon(t); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-tk.C:
			}
		}
	}()
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < count; i++ {
			m := make([]byte, size) // a fresh message per push, as a socket would hand over
			binary.LittleEndian.PutUint64(m, uint64(i))
			if err := p.Push(context.Background(), [][]byte{m[:8], m[8:]}); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	pushed := time.Since(start)
	maxDisk := p.Stats().SwapQueued
	var batch [][][]byte
	next := uint64(0)
	for next < count {
		<-p.Readable()
		batch = p.PopBatch(batch[:0])
		for _, m := range batch {
			if len(m) != 2 || len(m[1]) != size-8 {
				t.Fatalf("message %d came back with %d frames", next, len(m))
			}
			if got := binary.LittleEndian.Uint64(m[0]); got != next {
				t.Fatalf("got message %d, want %d", got, next)
			}
			next++
		}
	}
	el := time.Since(start)
	drained := el - pushed
	close(stop)
	wg.Wait()
	st := p.Stats()
	t.Logf("1 GiB backlog (%d msgs of %d B, %d on disk): spill %v (%.0f MB/s, %.0f msgs/s), drain %v (%.0f MB/s, %.0f msgs/s); peak RssAnon %.1f MiB",
		count, size, maxDisk, pushed, float64(total)/pushed.Seconds()/1e6, float64(count)/pushed.Seconds(),
		drained, float64(total)/drained.Seconds()/1e6, float64(count)/drained.Seconds(), float64(peak.Load())/(1<<20))
	if peak.Load() > 64<<20 {
		t.Fatalf("peak RssAnon %d MiB over 64 MiB", peak.Load()>>20)
	}
	if maxDisk < count-1 || st.Spilled < count-1 || st.Lost != 0 {
		t.Fatalf("stats %+v", st)
	}
}
