package queue

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/purezmq/internal/emulation"
	"github.com/purezmq/purezmq/internal/litmus"
)

func seqMsg(i uint64) [][]byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, i)
	return [][]byte{b}
}

func seqOf(t testing.TB, m [][]byte) uint64 {
	t.Helper()
	if len(m) != 1 || len(m[0]) != 8 {
		t.Fatalf("unexpected message %q", m)
	}
	return binary.LittleEndian.Uint64(m[0])
}

func TestInboxOrderAcrossSegments(t *testing.T) {
	q := NewInbox(0, nil)
	const n = 3*segSize + 17
	for i := uint64(0); i < n; i++ {
		if err := q.Push(context.Background(), seqMsg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if q.Len() != n {
		t.Fatalf("Len = %d, want %d", q.Len(), n)
	}
	for i := uint64(0); i < n; i++ {
		m, ok := q.Pop()
		if !ok {
			t.Fatalf("Pop %d: empty", i)
		}
		if got := seqOf(t, m); got != i {
			t.Fatalf("Pop %d: got %d", i, got)
		}
	}
	if _, ok := q.Pop(); ok {
		t.Fatal("Pop on an empty inbox returned a message")
	}
	if q.Len() != 0 {
		t.Fatalf("Len = %d after draining", q.Len())
	}
}

// TestInboxConcurrent runs one producer against several consumers (the
// socket allows concurrent Recv) across many segment changes and a small
// HWM, and checks that every message arrives exactly once and that each
// consumer sees its share in increasing order.
func TestInboxConcurrent(t *testing.T) {
	if emulation.Active() {
		// waitRoom and Pop meet in a store-buffering handshake (each
		// side stores its own counter, then loads the other's), which
		// Go's sequentially consistent atomics make safe. An emulator
		// that lets both loads miss both stores loses the wake-up and
		// the producer waits for ever: this test hung once under
		// qemu-aarch64. Skip only when the emulator is shown, here and
		// now, to produce that forbidden outcome.
		if r := litmus.StoreBuffering(20000); r.Forbidden > 0 {
			t.Skipf("emulator %s breaks sequential consistency: %d of %d store-buffering runs ended in an outcome Go's memory model forbids (internal/litmus), which can lose Inbox's producer wake-up",
				emulation.Emulator(), r.Forbidden, r.Iterations)
		}
	}
	for _, hwm := range []int{0, 1, 7, 1000} {
		q := NewInbox(hwm, nil)
		n := int64(20000)
		if emulation.Active() {
			// make test-arm sets PUREZMQ_EMULATED. Under qemu-arm 7.2 a
			// parked producer's wake-up, with three consumers in
			// microsecond sleeps, costs about 225 ms per message at HWM
			// 1 (every clock read and futex is a real syscall there):
			// 1000 messages took 225 s at HWM 1 and 18 s at HWM 7, 0.6 s
			// without a mark, against 0.3 s for all of 20000 natively.
			// 1000 still crosses three segments; the parking marks get
			// 100, which still parks the producer at every message.
			n = 1000
			if hwm == 1 || hwm == 7 {
				n = 100
			}
		}
		var wg sync.WaitGroup
		seen := make([]atomic.Uint32, n)
		var got atomic.Int64
		for c := 0; c < 3; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				last := int64(-1)
				for got.Load() < n {
					m, ok := q.Pop()
					if !ok {
						time.Sleep(time.Microsecond)
						continue
					}
					i := seqOf(t, m)
					if int64(i) <= last {
						t.Errorf("hwm %d: consumer saw %d after %d", hwm, i, last)
					}
					last = int64(i)
					seen[i].Add(1)
					got.Add(1)
				}
			}()
		}
		for i := uint64(0); i < uint64(n); i++ {
			if err := q.Push(context.Background(), seqMsg(i)); err != nil {
				t.Fatal(err)
			}
			if hwm > 0 && q.Len() > hwm {
				t.Fatalf("hwm %d: Len %d above the mark", hwm, q.Len())
			}
		}
		wg.Wait()
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("hwm %d: message %d delivered %d times", hwm, i, c)
			}
		}
	}
}

func TestInboxBlocksAtHWM(t *testing.T) {
	q := NewInbox(4, nil)
	for i := uint64(0); i < 4; i++ {
		if err := q.Push(context.Background(), seqMsg(i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Push(ctx, seqMsg(4)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Push at the HWM: %v, want the deadline", err)
	}
	parked := parkSignal(q)

	pushed := make(chan error, 1)
	go func() { pushed <- q.Push(context.Background(), seqMsg(4)) }()
	waitParked(t, parked)
	// One pop leaves 3 queued: above the low-water mark (2), the producer
	// stays parked.
	if _, ok := q.Pop(); !ok {
		t.Fatal("Pop: empty")
	}
	select {
	case err := <-pushed:
		t.Fatalf("producer woke above the low-water mark: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	if _, ok := q.Pop(); !ok {
		t.Fatal("Pop: empty")
	}
	select {
	case err := <-pushed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("producer not woken at the low-water mark")
	}
	for want := uint64(2); want <= 4; want++ {
		m, ok := q.Pop()
		if !ok || seqOf(t, m) != want {
			t.Fatalf("Pop: %v %v, want %d", m, ok, want)
		}
	}
}

// parkSignal makes q report when a producer is about to block.
func parkSignal(q *Inbox) <-chan struct{} {
	ch := make(chan struct{}, 16)
	q.onPark = func() { ch <- struct{}{} }
	return ch
}

func waitParked(t *testing.T, parked <-chan struct{}) {
	t.Helper()
	select {
	case <-parked:
	case <-time.After(5 * time.Second):
		t.Fatal("producer never blocked")
	}
}

func TestInboxCloseWakesProducerAndKeepsBacklog(t *testing.T) {
	q := NewInbox(2, nil)
	parked := parkSignal(q)
	for i := uint64(0); i < 2; i++ {
		if err := q.Push(context.Background(), seqMsg(i)); err != nil {
			t.Fatal(err)
		}
	}
	pushed := make(chan error, 1)
	go func() { pushed <- q.Push(context.Background(), seqMsg(2)) }()
	waitParked(t, parked)
	q.Close()
	select {
	case err := <-pushed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("blocked Push after Close: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the producer")
	}
	if !q.Closed() {
		t.Fatal("Closed() = false")
	}
	if err := q.Push(context.Background(), seqMsg(9)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Push after Close: %v", err)
	}
	for want := uint64(0); want < 2; want++ {
		m, ok := q.Pop()
		if !ok || seqOf(t, m) != want {
			t.Fatalf("Pop after Close: %v %v, want %d", m, ok, want)
		}
	}
	if _, ok := q.Pop(); ok {
		t.Fatal("Pop returned a message never pushed")
	}
}

func TestInboxNotify(t *testing.T) {
	var calls atomic.Int32
	q := NewInbox(0, func() { calls.Add(1) })
	q.Push(context.Background(), seqMsg(0))
	q.Push(context.Background(), seqMsg(1))
	q.Close()
	q.Close()
	if got := calls.Load(); got != 3 {
		t.Fatalf("notify called %d times, want 3 (two pushes, one Close)", got)
	}
}

func TestInboxSteadyStateAllocs(t *testing.T) {
	q := NewInbox(1000, nil)
	m := [][]byte{make([]byte, 16)}
	ctx := context.Background()
	// Warm up past a segment change so the spare segment exists.
	for i := 0; i < 3*segSize; i++ {
		q.Push(ctx, m)
		q.Pop()
	}
	allocs := testing.AllocsPerRun(5*segSize, func() {
		q.Push(ctx, m)
		q.Pop()
	})
	if allocs != 0 {
		t.Fatalf("push+pop allocates %.2f times", allocs)
	}
}

// A queue that fills to its HWM and drains, over and over (a subscriber
// between bursts), reuses its drained segments instead of allocating.
func TestInboxFillDrainAllocs(t *testing.T) {
	q := NewInbox(1000, nil)
	m := [][]byte{make([]byte, 16)}
	ctx := context.Background()
	cycle := func() {
		for range 1000 {
			q.Push(ctx, m)
		}
		for range 1000 {
			q.Pop()
		}
	}
	cycle()
	cycle()
	if allocs := testing.AllocsPerRun(20, cycle); allocs != 0 {
		t.Fatalf("a fill and drain of 1000 allocates %.2f times", allocs)
	}
}

func BenchmarkInboxPushPop(b *testing.B) {
	q := NewInbox(1000, nil)
	m := [][]byte{make([]byte, 16)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		q.Push(ctx, m)
		q.Pop()
	}
}

// The two cross-core benchmarks are what the Inbox is for: one goroutine
// pushing, another popping, as a connection reader and Recv do.
func BenchmarkInboxSPSC(b *testing.B) {
	q := NewInbox(1000, nil)
	benchSPSC(b, func(m [][]byte) { q.Push(context.Background(), m) }, q.Pop, nil)
}

func BenchmarkPipeSPSC(b *testing.B) {
	p := New(Config{HWM: 1000, Mute: Block})
	benchSPSC(b, func(m [][]byte) { p.Push(context.Background(), m) }, p.Pop, nil)
}

// benchSPSC pushes b.N messages from this goroutine and pops them in
// another; flush, if set, runs after the last push.
func benchSPSC(b *testing.B, push func([][]byte), pop func() ([][]byte, bool), flush func()) {
	m := [][]byte{make([]byte, 16)}
	b.ReportAllocs()
	b.SetBytes(16)
	n := b.N
	done := make(chan struct{})
	go func() {
		defer close(done)
		for got := 0; got < n; {
			if _, ok := pop(); ok {
				got++
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < n; i++ {
		push(m)
	}
	if flush != nil {
		flush()
	}
	<-done
}

func TestInboxStageVisibleOnPublish(t *testing.T) {
	var calls atomic.Int32
	q := NewInbox(0, func() { calls.Add(1) })
	ctx := context.Background()
	for i := uint64(0); i < 3; i++ {
		if err := q.Stage(ctx, seqMsg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := q.Pop(); ok || q.Len() != 0 || calls.Load() != 0 {
		t.Fatalf("staged messages visible before Publish (len %d, notified %d)", q.Len(), calls.Load())
	}
	q.Publish()
	q.Publish() // nothing new: no second notification
	if q.Len() != 3 || calls.Load() != 1 {
		t.Fatalf("after Publish: len %d, notified %d; want 3, 1", q.Len(), calls.Load())
	}
	for want := uint64(0); want < 3; want++ {
		if m, ok := q.Pop(); !ok || seqOf(t, m) != want {
			t.Fatalf("Pop: %v %v, want %d", m, ok, want)
		}
	}
}

func TestInboxStagePublishesAtLimit(t *testing.T) {
	q := NewInbox(0, nil)
	for i := uint64(0); i < maxStaged+5; i++ {
		q.Stage(context.Background(), seqMsg(i))
	}
	if q.Len() != maxStaged {
		t.Fatalf("Len %d after %d stages, want the first %d published", q.Len(), maxStaged+5, maxStaged)
	}
}

// A producer staging into a full inbox must publish what it staged before
// it waits, or the consumer would never see the messages it must pop to
// make room.
func TestInboxStageAtHWMPublishes(t *testing.T) {
	q := NewInbox(3, nil)
	done := make(chan error, 1)
	go func() {
		for i := uint64(0); i < 10; i++ {
			if err := q.Stage(context.Background(), seqMsg(i)); err != nil {
				done <- err
				return
			}
		}
		q.Publish()
		done <- nil
	}()
	for want := uint64(0); want < 10; {
		m, ok := q.Pop()
		if !ok {
			time.Sleep(time.Millisecond)
			continue
		}
		if got := seqOf(t, m); got != want {
			t.Fatalf("got %d, want %d", got, want)
		}
		want++
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func BenchmarkInboxSPSCStaged(b *testing.B) {
	q := NewInbox(1000, nil)
	ctx := context.Background()
	i := 0
	benchSPSC(b, func(m [][]byte) {
		q.Stage(ctx, m)
		// A read of 64 KiB carries about 3600 16-byte messages.
		if i++; i%3600 == 0 {
			q.Publish()
		}
	}, q.Pop, q.Publish)
}
