package queue

import (
	"errors"
	"fmt"
	"testing"
)

func numbered(i int) [][]byte { return [][]byte{[]byte(fmt.Sprint(i))} }

func popAll(t *testing.T, p *Pipe, keep bool) []string {
	t.Helper()
	var b [][][]byte
	if keep {
		b = p.PopBatchKeep(nil)
	} else {
		b = p.PopBatch(nil)
	}
	var out []string
	for _, m := range b {
		out = append(out, string(m[0]))
	}
	return out
}

// TestPipeAckRequeue: kept messages count against the HWM, an Ack frees
// them (and wakes a blocked pusher), a cut puts the rest back in front in
// order, and an Ack that reaches into the put-back ones drops them from the
// front so they are not sent twice.
func TestPipeAckRequeue(t *testing.T) {
	p := New(Config{HWM: 4, Mute: Fail})
	for i := 1; i <= 4; i++ {
		if err := p.TryPush(numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := popAll(t, p, true); fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatal(got)
	}
	if p.NextSeq() != 5 || p.Unacked() != 4 {
		t.Fatalf("next %d unacked %d", p.NextSeq(), p.Unacked())
	}
	if err := p.TryPush(numbered(5)); !errors.Is(err, ErrFull) {
		t.Fatalf("unacknowledged messages must count against the HWM: %v", err)
	}
	w := p.Writable()
	freed, err := p.Ack(1, nil)
	if err != nil || len(freed) != 1 || string(freed[0][0]) != "1" {
		t.Fatal(freed, err)
	}
	select {
	case <-w:
	default:
		t.Fatal("an ack that made room did not wake the writable waiter")
	}
	if err := p.TryPush(numbered(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Ack(0, nil); !errors.Is(err, ErrAckRange) {
		t.Fatalf("ack going back: %v", err)
	}
	if _, err := p.Ack(5, nil); !errors.Is(err, ErrAckRange) {
		t.Fatalf("ack beyond what was sent: %v", err)
	}
	if n := p.Requeue(); n != 3 {
		t.Fatalf("requeued %d", n)
	}
	if p.Len() != 4 || p.Unacked() != 0 || p.NextSeq() != 2 {
		t.Fatalf("after requeue: len %d unacked %d next %d", p.Len(), p.Unacked(), p.NextSeq())
	}
	// The receiver had 2 and 3 before the cut: they leave the front.
	freed, err = p.Ack(3, nil)
	if err != nil || len(freed) != 2 {
		t.Fatal(freed, err)
	}
	if _, err := p.Ack(5, nil); !errors.Is(err, ErrAckRange) {
		t.Fatalf("ack beyond the put-back messages: %v", err)
	}
	if got := popAll(t, p, true); fmt.Sprint(got) != "[4 5]" {
		t.Fatal(got)
	}
	if freed, err = p.Ack(5, nil); err != nil || len(freed) != 2 {
		t.Fatal(freed, err)
	}
	st := p.Stats()
	if st.Acked != 5 || st.Requeued != 3 || st.Unacked != 0 || st.Popped != 5 {
		t.Fatalf("stats %+v", st)
	}
}

// TestPipeAckAllocs: a steady PopBatchKeep/Ack cycle allocates nothing.
func TestPipeAckAllocs(t *testing.T) {
	p := New(Config{HWM: 64, Mute: Block})
	m := numbered(1)
	var b, freed [][][]byte
	var seq uint64
	cycle := func() {
		for i := 0; i < 32; i++ {
			_ = p.TryPush(m)
		}
		b = p.PopBatchKeep(b[:0])
		seq += uint64(len(b))
		freed, _ = p.Ack(seq, freed[:0])
	}
	cycle()
	if a := testing.AllocsPerRun(100, cycle); a != 0 {
		t.Fatalf("%v allocations per cycle", a)
	}
}

func TestPipeDiscardUnacked(t *testing.T) {
	p := New(Config{HWM: 8})
	_ = p.TryPush(numbered(1))
	_ = p.TryPush(numbered(2))
	p.PopBatchKeep(nil)
	_ = p.TryPush(numbered(3))
	p.Discard()
	if st := p.Stats(); st.Discarded != 3 || st.Unacked != 0 {
		t.Fatalf("%+v", st)
	}
}

// TestPipeAckRequeueWithSpill: with a swap, what comes back from a cut goes
// in front of memory, and memory in front of the disk: the order is kept.
// Kept messages count against the memory part, so more of a backlog
// spills while they wait.
func TestPipeAckRequeueWithSpill(t *testing.T) {
	p := spillPipe(t, nil, nil, Fail, "k")
	defer p.Discard()
	for i := 1; i <= 2; i++ {
		_ = p.TryPush(numbered(i))
	}
	if got := popAll(t, p, true); fmt.Sprint(got) != "[1 2]" {
		t.Fatal(got)
	}
	for i := 3; i <= 8; i++ {
		if err := p.TryPush(numbered(i)); err != nil {
			t.Fatal(i, err)
		}
	}
	if st := p.Stats(); st.SwapQueued != 6 || st.MemQueued != 0 {
		t.Fatalf("with 2 unacknowledged at HWM 2, everything new spills: %+v", st)
	}
	p.Requeue()
	var all []string
	for {
		got := popAll(t, p, true)
		if len(got) == 0 {
			break
		}
		all = append(all, got...)
		// The window is the HWM: the next batch waits for this one's
		// acknowledgement.
		if more := popAll(t, p, true); len(more) != 0 {
			t.Fatalf("popped %v with the window full", more)
		}
		if _, err := p.Ack(uint64(len(all)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(all) != "[1 2 3 4 5 6 7 8]" {
		t.Fatalf("after a cut: %v", all)
	}
}

// TestPipeAckSwapReadable: a pipe whose window is full of unacknowledged
// messages is not readable though its swap holds more (a writer would spin
// on it), and becomes readable when an acknowledgement makes room.
func TestPipeAckSwapReadable(t *testing.T) {
	p := spillPipe(t, nil, nil, Fail, "")
	defer p.Discard()
	for i := 1; i <= 5; i++ {
		_ = p.TryPush(numbered(i))
	}
	popAll(t, p, true)
	popAll(t, p, true)
	r := p.Readable()
	select {
	case <-r:
		t.Fatalf("readable with the window full (unacked %d)", p.Unacked())
	default:
	}
	if _, err := p.Ack(1, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r:
	default:
		t.Fatal("an acknowledgement that made room did not make the pipe readable")
	}
}

// TestPipeAckWriteThrough: on a write-through pipe the kept messages are
// the ring's uncommitted ones: an Ack commits them, a Requeue rolls them
// back, and an Ack reaching into the rolled-back ones takes them off the
// front, committed, so they are neither sent nor recovered again.
func TestPipeAckWriteThrough(t *testing.T) {
	p := New(Config{HWM: 2, Mute: Fail, Key: "k", Swap: &SwapConfig{Dir: t.TempDir(), RingCapacity: 1 << 16, WriteThrough: true}})
	defer p.Discard()
	for i := 1; i <= 5; i++ {
		if err := p.TryPush(numbered(i)); err != nil {
			t.Fatal(i, err)
		}
	}
	pop := func() string {
		m, ok := p.Pop()
		if !ok {
			t.Fatal("nothing to pop")
		}
		return string(m[0])
	}
	if got := pop() + pop() + pop(); got != "123" || p.Unacked() != 3 || p.NextSeq() != 4 {
		t.Fatalf("popped %s, unacked %d, next %d", got, p.Unacked(), p.NextSeq())
	}
	if _, err := p.Ack(1, nil); err != nil || p.Unacked() != 2 {
		t.Fatalf("ack 1: %v, unacked %d", err, p.Unacked())
	}
	if n := p.Requeue(); n != 2 || p.Unacked() != 0 || p.Len() != 4 {
		t.Fatalf("requeue %d, unacked %d, len %d", n, p.Unacked(), p.Len())
	}
	if _, err := p.Ack(6, nil); !errors.Is(err, ErrAckRange) {
		t.Fatalf("ack beyond: %v", err)
	}
	if _, err := p.Ack(3, nil); err != nil {
		t.Fatal(err)
	}
	if got := pop() + pop(); got != "45" {
		t.Fatalf("after the position: %s", got)
	}
	if _, err := p.Ack(5, nil); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Committed != 5 || st.Unacked != 0 || st.Queued != 0 || st.Acked != 5 {
		t.Fatalf("%+v", st)
	}
}
