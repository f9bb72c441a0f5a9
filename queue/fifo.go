package queue

// fifo is a growable circular buffer (of messages, or of their record sizes). It never shrinks: a pipe
// that once held N messages keeps room for N, which is what makes a
// steady-state Push/Pop pair allocation free.
type fifo[T any] struct {
	buf  []T
	head int
	n    int
}

func (f *fifo[T]) push(m T) {
	f.grow()
	f.buf[(f.head+f.n)%len(f.buf)] = m
	f.n++
}

// pushFront puts m before the oldest element.
func (f *fifo[T]) pushFront(m T) {
	f.grow()
	f.head--
	if f.head < 0 {
		f.head = len(f.buf) - 1
	}
	f.buf[f.head] = m
	f.n++
}

// grow makes room for one more element.
func (f *fifo[T]) grow() {
	if f.n == len(f.buf) {
		c := 2 * len(f.buf)
		if c == 0 {
			c = 8
		}
		nb := make([]T, c)
		for i := 0; i < f.n; i++ {
			nb[i] = f.buf[(f.head+i)%len(f.buf)]
		}
		f.buf, f.head = nb, 0
	}
}

func (f *fifo[T]) pop() T {
	m := f.buf[f.head]
	// Clear the slot so the pipe does not keep the caller's buffers alive.
	var zero T
	f.buf[f.head] = zero
	f.head++
	if f.head == len(f.buf) {
		f.head = 0
	}
	f.n--
	return m
}

// drainTo appends every message to dst, oldest first, and empties f.
func (f *fifo[T]) drainTo(dst []T) []T {
	for f.n > 0 {
		dst = append(dst, f.pop())
	}
	f.head = 0
	return dst
}

// at returns the i-th element from the front.
func (f *fifo[T]) at(i int) T { return f.buf[(f.head+i)%len(f.buf)] }

// reset empties f, releasing what it referenced.
func (f *fifo[T]) reset() {
	clear(f.buf)
	f.head, f.n = 0, 0
}

func msgBytes(m [][]byte) int64 {
	var n int64
	for _, f := range m {
		n += int64(len(f))
	}
	return n
}
