package buf

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func (s *hotStack) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// A large buffer given back is the next one handed out (the newest
// first), a stack holds no more than hotBytes, and a garbage collection
// empties it into the pool.
func TestHotStack(t *testing.T) {
	const size = 64 << 10
	k := class(size)
	// No collection (whose drain would empty the stack) until the end.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	hot[k].drain(k)
	a, b := Get(size, true), Get(size, true)
	Put(a)
	Put(b)
	if c := Get(size, true); &c[0] != &b[0] {
		t.Fatal("Get did not return the buffer given back last")
	}
	if c := Get(size, true); &c[0] != &a[0] {
		t.Fatal("Get did not return the buffer given back before")
	}
	limit := hotBytes / size
	for range limit + 5 {
		Put(make([]byte, size))
	}
	if hot[k].len() != limit {
		t.Fatalf("the stack holds %d buffers, want %d", hot[k].len(), limit)
	}
	for range 3 {
		runtime.GC()
		runtime.GC() // the drain runs as a finalizer, after a collection
		if hot[k].len() == 0 {
			break
		}
	}
	if n := hot[k].len(); n != 0 {
		t.Fatalf("%d buffers left in the stack after garbage collections", n)
	}
	if small := class(MinPooled); hot[small].limit != 0 {
		t.Fatal("a small class has a stack")
	}
}
