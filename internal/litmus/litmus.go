package litmus

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Result is one litmus run: how many of Iterations ended in the outcome
// the memory model forbids.
type Result struct {
	Name       string
	Iterations int
	Forbidden  int
}

// pair runs a and b on two goroutines for iteration 0..n-1, keeping them
// in step: neither starts iteration i before the other has finished i-1,
// so each iteration's two halves overlap as closely as spinning allows.
func pair(n int, a, b func(i int)) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	var doneA, doneB atomic.Int64
	var wg sync.WaitGroup
	run := func(own, other *atomic.Int64, f func(int)) {
		defer wg.Done()
		for i := range n {
			for spins := 1; other.Load() < int64(i); spins++ {
				// Spin: yielding at once would let the halves drift
				// apart, never yielding would stall a loaded machine
				// whose other thread is not running.
				if spins&0x3f == 0 {
					runtime.Gosched()
				}
			}
			f(i)
			own.Store(int64(i + 1))
		}
	}
	wg.Add(2)
	go run(&doneA, &doneB, a)
	go run(&doneB, &doneA, b)
	wg.Wait()
}

// StoreBuffering: thread 1 stores x then loads y, thread 2 stores y then
// loads x. Both loads seeing 0 needs each store to be delayed past the
// other thread's load, which sequential consistency forbids (a TSO host
// allows it for plain stores, so an emulator that maps the guest's
// sequentially consistent store to a plain host store shows it).
func StoreBuffering(n int) Result {
	x := make([]atomic.Int32, n)
	y := make([]atomic.Int32, n)
	r1 := make([]int32, n)
	r2 := make([]int32, n)
	pair(n,
		func(i int) { x[i].Store(1); r1[i] = y[i].Load() },
		func(i int) { y[i].Store(1); r2[i] = x[i].Load() })
	res := Result{Name: "store buffering", Iterations: n}
	for i := range n {
		if r1[i] == 0 && r2[i] == 0 {
			res.Forbidden++
		}
	}
	return res
}

// MessagePassing: thread 1 stores data then flag, thread 2 loads flag
// then data. Seeing the flag without the data is forbidden: an atomic
// store happens before the load that observes it.
func MessagePassing(n int) Result {
	data := make([]atomic.Int32, n)
	flag := make([]atomic.Int32, n)
	sawFlag := make([]int32, n)
	sawData := make([]int32, n)
	pair(n,
		func(i int) { data[i].Store(1); flag[i].Store(1) },
		func(i int) { sawFlag[i] = flag[i].Load(); sawData[i] = data[i].Load() })
	res := Result{Name: "message passing", Iterations: n}
	for i := range n {
		if sawFlag[i] == 1 && sawData[i] == 0 {
			res.Forbidden++
		}
	}
	return res
}

// Check runs both tests with n iterations each and returns the forbidden
// outcomes seen in total with the per-test results. A test elsewhere that
// fails only under emulation calls it and skips, citing the counts, only
// when they are non-zero: the emulator is then shown not to give the
// ordering Go's memory model promises, which any lock-free code may rely
// on.
func Check(n int) (forbidden int, results []Result) {
	for _, f := range []func(int) Result{StoreBuffering, MessagePassing} {
		r := f(n)
		forbidden += r.Forbidden
		results = append(results, r)
	}
	return forbidden, results
}
