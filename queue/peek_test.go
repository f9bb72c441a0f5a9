package queue

import (
	"context"
	"sync"
	"testing"
)

// peeker is what Inbox and Pipe share for readiness checks.
type peeker interface {
	Push(ctx context.Context, m [][]byte) error
	Pop() ([][]byte, bool)
	Len() int
	Peek() ([][]byte, bool)
	DropHead(m [][]byte) bool
}

func peekers() map[string]func() peeker {
	return map[string]func() peeker{
		"inbox": func() peeker { return NewInbox(0, nil) },
		"pipe":  func() peeker { return New(Config{}) },
	}
}

// Peek shows the oldest message without taking it, across Inbox segment
// boundaries; DropHead takes it only while it is still the oldest.
func TestPeekDropHead(t *testing.T) {
	for name, mk := range peekers() {
		t.Run(name, func(t *testing.T) {
			q := mk()
			if _, ok := q.Peek(); ok {
				t.Fatal("Peek on empty")
			}
			const n = segSize + 3
			for i := uint64(0); i < n; i++ {
				q.Push(context.Background(), seqMsg(i))
			}
			for i := uint64(0); i < n; i++ {
				m, ok := q.Peek()
				if !ok || seqOf(t, m) != i {
					t.Fatalf("Peek %d: %v %v", i, m, ok)
				}
				if again, _ := q.Peek(); !sameList(again, m) || q.Len() != int(n-i) {
					t.Fatalf("Peek took something: len %d", q.Len())
				}
				if i%2 == 0 {
					if !q.DropHead(m) {
						t.Fatalf("DropHead of the head %d failed", i)
					}
				} else {
					got, _ := q.Pop()
					if !sameList(got, m) {
						t.Fatalf("Pop after Peek: %v", got)
					}
					if q.DropHead(m) {
						t.Fatal("DropHead of a message already popped succeeded")
					}
				}
			}
			if q.Len() != 0 || q.DropHead(seqMsg(0)) {
				t.Fatal("not empty, or DropHead on empty succeeded")
			}
		})
	}
}

// DropHead racing Pop never loses a message: each one is either popped
// or dropped exactly once, in order.
func TestDropHeadRacesPop(t *testing.T) {
	for name, mk := range peekers() {
		t.Run(name, func(t *testing.T) {
			q := mk()
			const n = 20000
			for i := uint64(0); i < n; i++ {
				q.Push(context.Background(), seqMsg(i))
			}
			var dropped, popped []uint64
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				for q.Len() > 0 {
					if m, ok := q.Peek(); ok && q.DropHead(m) {
						dropped = append(dropped, seqOf(t, m))
					}
				}
			}()
			go func() {
				defer wg.Done()
				for q.Len() > 0 {
					if m, ok := q.Pop(); ok {
						popped = append(popped, seqOf(t, m))
					}
				}
			}()
			wg.Wait()
			if len(dropped)+len(popped) != n {
				t.Fatalf("%d dropped + %d popped, want %d", len(dropped), len(popped), n)
			}
			for _, s := range [][]uint64{dropped, popped} {
				for i := 1; i < len(s); i++ {
					if s[i] <= s[i-1] {
						t.Fatalf("out of order: %d after %d", s[i], s[i-1])
					}
				}
			}
		})
	}
}
