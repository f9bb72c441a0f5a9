package queue

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func msg(s ...string) [][]byte {
	m := make([][]byte, len(s))
	for i, f := range s {
		m[i] = []byte(f)
	}
	return m
}

func str(m [][]byte) string {
	s := ""
	for i, f := range m {
		if i > 0 {
			s += "|"
		}
		s += string(f)
	}
	return s
}

func mustPop(t *testing.T, p *Pipe, want string) {
	t.Helper()
	m, ok := p.Pop()
	if !ok {
		t.Fatalf("Pop: empty, want %q", want)
	}
	if got := str(m); got != want {
		t.Fatalf("Pop = %q, want %q", got, want)
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestPipeFIFOAndGrowth(t *testing.T) {
	p := New(Config{}) // unlimited
	for i := 0; i < 100; i++ {
		if err := p.TryPush(msg(fmt.Sprint(i), "x")); err != nil {
			t.Fatal(err)
		}
	}
	if p.Len() != 100 {
		t.Fatalf("Len = %d", p.Len())
	}
	for i := 0; i < 100; i++ {
		mustPop(t, p, fmt.Sprint(i)+"|x")
	}
	if _, ok := p.Pop(); ok {
		t.Fatal("Pop on empty pipe returned a message")
	}
	st := p.Stats()
	if st.Pushed != 100 || st.Popped != 100 || st.Queued != 0 || st.Bytes != 0 {
		t.Fatalf("stats %+v", st)
	}
	if st.PeakBytes != 290 { // 10*2 + 90*3 digits + 100 "x"
		t.Fatalf("PeakBytes = %d", st.PeakBytes)
	}
}

func TestPipeDropCountsAndNeverBlocks(t *testing.T) {
	p := New(Config{HWM: 2, Mute: Drop})
	for i := 0; i < 5; i++ {
		err := p.Push(context.Background(), msg(fmt.Sprint(i)))
		if i < 2 && err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if i >= 2 && !errors.Is(err, ErrDropped) {
			t.Fatalf("push %d: %v, want ErrDropped", i, err)
		}
	}
	st := p.Stats()
	if st.Dropped != 3 || st.HWMHits != 3 || st.Pushed != 2 || st.Queued != 2 {
		t.Fatalf("stats %+v", st)
	}
	mustPop(t, p, "0")
	mustPop(t, p, "1")
}

func TestPipeFailReturnsErrFull(t *testing.T) {
	p := New(Config{HWM: 1, Mute: Fail})
	if err := p.Push(context.Background(), msg("a")); err != nil {
		t.Fatal(err)
	}
	if err := p.Push(context.Background(), msg("b")); !errors.Is(err, ErrFull) {
		t.Fatalf("got %v, want ErrFull", err)
	}
	if p.HasRoom() {
		t.Fatal("HasRoom on a full pipe")
	}
	if st := p.Stats(); st.Dropped != 0 || st.HWMHits != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPipeBlockWaitsForRoom(t *testing.T) {
	p := New(Config{HWM: 1, Mute: Block})
	if err := p.TryPush(msg("a")); err != nil {
		t.Fatal(err)
	}
	if err := p.TryPush(msg("b")); !errors.Is(err, ErrFull) {
		t.Fatalf("TryPush on full Block pipe: %v", err)
	}
	done := make(chan error)
	go func() { done <- p.Push(context.Background(), msg("b")) }()
	select {
	case err := <-done:
		t.Fatalf("Push returned %v before room appeared", err)
	case <-time.After(20 * time.Millisecond):
	}
	mustPop(t, p, "a")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mustPop(t, p, "b")
}

func TestPipeBlockHonoursDeadline(t *testing.T) {
	p := New(Config{HWM: 1, Mute: Block})
	_ = p.TryPush(msg("a"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := p.Push(ctx, msg("b"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
	if time.Since(start) < 15*time.Millisecond {
		t.Fatal("Push returned before the deadline")
	}
	if p.Len() != 1 {
		t.Fatalf("Len = %d", p.Len())
	}
}

func TestPipeBlockWokenByClose(t *testing.T) {
	p := New(Config{HWM: 1, Mute: Block})
	_ = p.TryPush(msg("a"))
	done := make(chan error)
	go func() { done <- p.Push(context.Background(), msg("b")) }()
	time.Sleep(10 * time.Millisecond)
	p.Close()
	err := <-done
	if !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("got %v, want ErrClosed satisfying net.ErrClosed", err)
	}
	// Queued messages survive Close.
	mustPop(t, p, "a")
	if !p.Closed() {
		t.Fatal("Closed() = false")
	}
}

func TestPipeReadinessAndNotify(t *testing.T) {
	var calls atomic.Int32
	p := New(Config{HWM: 1, Mute: Fail, Notify: func() { calls.Add(1) }})
	r := p.Readable()
	if isClosed(r) {
		t.Fatal("empty pipe readable")
	}
	if !isClosed(p.Writable()) {
		t.Fatal("empty pipe not writable")
	}
	_ = p.TryPush(msg("a"))
	if !isClosed(r) {
		t.Fatal("Readable not woken by push")
	}
	if calls.Load() != 1 {
		t.Fatalf("notify calls after push = %d", calls.Load())
	}
	w := p.Writable()
	if isClosed(w) {
		t.Fatal("full pipe writable")
	}
	mustPop(t, p, "a")
	if !isClosed(w) {
		t.Fatal("Writable not woken by pop")
	}
	if calls.Load() != 2 {
		t.Fatalf("notify calls after pop = %d", calls.Load())
	}
	var other atomic.Int32
	p.SetNotify(func() { other.Add(1) })
	r = p.Readable()
	p.Close()
	if !isClosed(r) || other.Load() != 1 || calls.Load() != 2 {
		t.Fatalf("close: readable woken %v, notify %d/%d", isClosed(r), other.Load(), calls.Load())
	}
	if err := p.TryPush(msg("b")); !errors.Is(err, ErrClosed) {
		t.Fatalf("push after close: %v", err)
	}
}

func TestPipePopBatch(t *testing.T) {
	p := New(Config{HWM: 10, Mute: Fail})
	for i := 0; i < 7; i++ {
		_ = p.TryPush(msg(fmt.Sprint(i)))
	}
	batch := p.PopBatch(nil)
	if len(batch) != 7 {
		t.Fatalf("batch of %d", len(batch))
	}
	for i, m := range batch {
		if str(m) != fmt.Sprint(i) {
			t.Fatalf("batch[%d] = %q", i, str(m))
		}
	}
	if p.Len() != 0 || p.Stats().Popped != 7 {
		t.Fatalf("after batch: %+v", p.Stats())
	}
	if b := p.PopBatch(batch[:0]); len(b) != 0 {
		t.Fatalf("batch from empty pipe: %d", len(b))
	}
}

// TestPipeConcurrent runs producers and a consumer under -race and checks
// each producer's messages arrive complete and in order.
func TestPipeConcurrent(t *testing.T) {
	const producers, per = 4, 2000
	p := New(Config{HWM: 16, Mute: Block})
	var wg sync.WaitGroup
	for g := 0; g < producers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if err := p.Push(context.Background(), msg(fmt.Sprint(g), fmt.Sprint(i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	next := make([]int, producers)
	var batch [][][]byte
	for got := 0; got < producers*per; {
		<-p.Readable()
		batch = p.PopBatch(batch[:0])
		for _, m := range batch {
			var g, i int
			fmt.Sscan(string(m[0]), &g)
			fmt.Sscan(string(m[1]), &i)
			if next[g] != i {
				t.Fatalf("producer %d: got %d, want %d", g, i, next[g])
			}
			next[g]++
		}
		got += len(batch)
	}
	wg.Wait()
	if st := p.Stats(); st.PeakBytes > 16*5 {
		t.Fatalf("peak %d bytes beyond HWM", st.PeakBytes)
	}
}

func TestPipeSteadyStateAllocs(t *testing.T) {
	p := New(Config{HWM: 64, Mute: Block})
	m := msg("hello", "world")
	var batch [][][]byte
	allocs := testing.AllocsPerRun(1000, func() {
		_ = p.TryPush(m)
		_, _ = p.Pop()
		_ = p.TryPush(m)
		_ = p.TryPush(m)
		batch = p.PopBatch(batch[:0])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per push/pop round", allocs)
	}
}

func BenchmarkPipePushPop(b *testing.B) {
	p := New(Config{HWM: 1000, Mute: Block})
	m := msg("0123456789012345678901234567890123456789012345678901234567890123")
	b.ReportAllocs()
	b.SetBytes(int64(len(m[0])))
	for b.Loop() {
		_ = p.TryPush(m)
		_, _ = p.Pop()
	}
}

func BenchmarkPipePushPopBatch(b *testing.B) {
	p := New(Config{HWM: 1000, Mute: Block})
	m := msg("0123456789012345678901234567890123456789012345678901234567890123")
	var batch [][][]byte
	b.ReportAllocs()
	b.SetBytes(64 * int64(len(m[0])))
	for b.Loop() {
		for j := 0; j < 64; j++ {
			_ = p.TryPush(m)
		}
		batch = p.PopBatch(batch[:0])
	}
}

// SetHWM moves the memory limit a push meets, both ways, while messages
// are queued (inproc raises it when a connect-first pipe meets its binder).
func TestPipeSetHWM(t *testing.T) {
	p := New(Config{HWM: 1, Mute: Fail})
	if err := p.TryPush(msg("a")); err != nil {
		t.Fatal(err)
	}
	if err := p.TryPush(msg("b")); !errors.Is(err, ErrFull) {
		t.Fatalf("push past HWM 1: %v, want ErrFull", err)
	}
	w := p.Writable()
	if isClosed(w) {
		t.Fatal("Writable closed while full")
	}
	p.SetHWM(3)
	if !isClosed(w) {
		t.Fatal("raising the HWM did not wake the writer")
	}
	for _, s := range []string{"b", "c"} {
		if err := p.TryPush(msg(s)); err != nil {
			t.Fatalf("push %s under HWM 3: %v", s, err)
		}
	}
	if err := p.TryPush(msg("d")); !errors.Is(err, ErrFull) {
		t.Fatalf("push past HWM 3: %v, want ErrFull", err)
	}
	// Lowered below what is queued: the backlog stays, nothing more
	// goes in until it drains below the new mark.
	p.SetHWM(1)
	mustPop(t, p, "a")
	if p.HasRoom() {
		t.Fatal("room with 2 queued and HWM 1")
	}
	mustPop(t, p, "b")
	if p.HasRoom() {
		t.Fatal("room with 1 queued and HWM 1")
	}
	mustPop(t, p, "c")
	if !p.HasRoom() {
		t.Fatal("no room in an empty pipe with HWM 1")
	}
	p.SetHWM(0)
	for i := 0; i < 100; i++ {
		if err := p.TryPush(msg("x")); err != nil {
			t.Fatalf("push %d without HWM: %v", i, err)
		}
	}
	if p.Len() != 100 {
		t.Fatalf("Len = %d, want 100", p.Len())
	}
}
