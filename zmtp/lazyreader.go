package zmtp

import (
	"errors"
	"io"

	"github.com/purezmq/purezmq/internal/buf"
)

// lazyReader is the read buffer of a FrameReader: bufio.Reader's Peek,
// Discard, Read and Buffered, with a buffer that an idle connection does
// not hold. The buffer comes from internal/buf's pool; when a read finds
// nothing to read with the buffer empty, the buffer goes back to the pool
// for the wait and is taken again when bytes arrive (see parked and
// unparked), so thousands of idle connections do not pin 64 KiB each and a
// busy one reads exactly as with a buffer of its own.
type lazyReader struct {
	rd      io.Reader
	size    int    // buffer size while one is held
	buf     []byte // nil while released
	r, w    int    // read and write positions in buf
	err     error  // sticky error of rd
	parkLen int    // length of the read the buffer was given back for
}

var errNegativeRead = errors.New("zmtp: reader returned a negative count")

func newLazyReader(rd io.Reader, size int) *lazyReader {
	return &lazyReader{rd: rd, size: size}
}

// Buffered returns how many bytes can be taken without reading.
func (b *lazyReader) Buffered() int { return b.w - b.r }

// take makes sure a buffer is held.
func (b *lazyReader) take() {
	if b.buf == nil {
		b.buf = buf.Get(b.size, true)[:b.size]
		b.r, b.w = 0, 0
	}
}

// fill reads once from rd into the free part of the buffer, first moving
// what is left to the front.
func (b *lazyReader) fill() {
	if b.r == b.w && len(b.buf) > b.size {
		// The buffer grew for bytes put back (unread); they are gone.
		buf.Put(b.buf)
		b.buf = nil
	}
	b.take()
	if b.r > 0 {
		copy(b.buf, b.buf[b.r:b.w])
		b.w -= b.r
		b.r = 0
	}
	for range 100 {
		n, err := b.rd.Read(b.buf[b.w:])
		// The read may have given the buffer back while it waited and
		// taken another when bytes came (parked, unparked); an error
		// during the wait leaves none.
		b.take()
		if n < 0 {
			panic(errNegativeRead)
		}
		b.w += n
		if err != nil {
			b.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	b.err = io.ErrNoProgress
}

// parked is told, by a reader about to wait for data, the slice it was
// going to read into. If that is this buffer, empty, the buffer goes back
// to the pool for the wait, and parked reports true: the reader must then
// call unparked for the slice to read into once data is there.
func (b *lazyReader) parked(p []byte) bool {
	if b.buf == nil || b.r != b.w || b.w != 0 || len(p) == 0 || &p[0] != &b.buf[0] {
		return false
	}
	b.parkLen = len(p)
	buf.Put(b.buf)
	b.buf = nil
	return true
}

// unparked takes a buffer again and returns what to read into, as long as
// the read that parked asked for.
func (b *lazyReader) unparked() []byte {
	b.take()
	return b.buf[:b.parkLen]
}

// spare returns up to n bytes of the buffer for a read that fills it from
// outside (FrameReader.readDirect); commit then counts what that read put
// there. Only while nothing is buffered.
func (b *lazyReader) spare(n int) []byte {
	b.take()
	b.r, b.w = 0, 0
	return b.buf[:min(n, b.size)]
}

// commit makes the first n bytes of the slice spare returned buffered.
func (b *lazyReader) commit(n int) { b.w = n }

// unread puts the bytes of parts, in order, in front of what is
// buffered, taking a larger buffer from the pool if they do not fit; the
// next fill that finds the buffer empty gives the larger one back.
func (b *lazyReader) unread(parts [][]byte) {
	total := 0
	for _, s := range parts {
		total += len(s)
	}
	if total == 0 {
		return
	}
	b.take()
	have := b.w - b.r
	if need := total + have; need > len(b.buf) {
		nb := buf.Get(need, true)
		nb = nb[:cap(nb)]
		copy(nb[total:], b.buf[b.r:b.w])
		buf.Put(b.buf)
		b.buf = nb
	} else {
		copy(b.buf[total:], b.buf[b.r:b.w])
	}
	off := 0
	for _, s := range parts {
		off += copy(b.buf[off:], s)
	}
	b.r, b.w = 0, total+have
}

func (b *lazyReader) readErr() error {
	err := b.err
	b.err = nil
	return err
}

// Peek returns the next n bytes without consuming them (n at most the
// buffer size).
func (b *lazyReader) Peek(n int) ([]byte, error) {
	if n > b.size {
		return nil, io.ErrShortBuffer
	}
	for b.w-b.r < n && b.err == nil {
		b.fill()
	}
	if b.w-b.r < n {
		var got []byte
		if b.buf != nil {
			got = b.buf[b.r:b.w]
		}
		return got, b.readErr()
	}
	return b.buf[b.r : b.r+n], nil
}

// Discard skips n buffered bytes (n at most Buffered).
func (b *lazyReader) Discard(n int) (int, error) {
	n = min(n, b.w-b.r)
	b.r += n
	return n, nil
}

// Read copies buffered bytes into p, or reads once when none are; a read
// at least as large as the buffer goes straight into p.
func (b *lazyReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.r == b.w {
		if b.err != nil {
			return 0, b.readErr()
		}
		if len(p) >= b.size {
			return b.rd.Read(p)
		}
		b.fill()
		if b.r == b.w {
			return 0, b.readErr()
		}
	}
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	return n, nil
}
