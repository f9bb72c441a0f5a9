package zmtp

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// countingReader counts the bytes handed out by reads of at least min bytes,
// to tell direct reads into a body from reads into the frame buffer.
type countingReader struct {
	r        io.Reader
	min      int
	bigBytes int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if len(p) >= c.min {
		c.bigBytes += n
	}
	return n, err
}

// Large bodies mixed with small frames, read through streams that return
// few bytes per call, come out intact and in order.
func TestFrameReaderLargeBodies(t *testing.T) {
	sizes := []int{3, 40 << 10, 16, 100 << 10, 0, 33 << 10, 255, 256, 1 << 20, 7}
	var stream []byte
	for i, n := range sizes {
		body := bytes.Repeat([]byte{byte(i + 1)}, n)
		stream = AppendFrame(stream, 0, body)
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":   func(r io.Reader) io.Reader { return r },
		"half":    iotest.HalfReader,
		"onebyte": iotest.OneByteReader,
	}
	for name, wrap := range readers {
		t.Run(name, func(t *testing.T) {
			fr := NewFrameReader(wrap(bytes.NewReader(stream)), 16<<10)
			var buf []byte
			for i, n := range sizes {
				h, body, err := fr.ReadFrame(buf)
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if h.Size != n || len(body) != n || (n > 0 && (body[0] != byte(i+1) || body[n-1] != byte(i+1))) {
					t.Fatalf("frame %d: size %d/%d, want %d of byte %d", i, h.Size, len(body), n, i+1)
				}
				if !bytes.Equal(body, bytes.Repeat([]byte{byte(i + 1)}, n)) {
					t.Fatalf("frame %d: body differs", i)
				}
				buf = body
			}
			if _, err := fr.ReadHeader(); err != io.EOF {
				t.Fatalf("after the last frame: %v, want io.EOF", err)
			}
		})
	}
}

// A large body is read straight into the caller's buffer, not copied out of
// the frame buffer: almost all of a 1 MiB body arrives through reads whose
// destination is larger than the frame buffer could be.
func TestFrameReaderDirectRead(t *testing.T) {
	body := bytes.Repeat([]byte{0xAB}, 1<<20)
	stream := AppendFrame(nil, 0, body)
	stream = AppendFrame(stream, 0, body)
	cr := &countingReader{r: bytes.NewReader(stream), min: directReadMin}
	fr := NewFrameReader(cr, 4<<10)
	for i := range 2 {
		_, got, err := fr.ReadFrame(nil)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("frame %d: %v (equal %v)", i, err, bytes.Equal(got, body))
		}
	}
	if min := 2*len(body) - 2*(4<<10); cr.bigBytes < min {
		t.Fatalf("%d bytes came through direct reads, want at least %d", cr.bigBytes, min)
	}
}

// A stream that ends inside a large body read directly is ErrUnexpectedEOF.
func TestFrameReaderDirectTruncated(t *testing.T) {
	stream := AppendFrame(nil, 0, make([]byte, 200<<10))
	fr := NewFrameReader(bytes.NewReader(stream[:100<<10]), 8<<10)
	if _, _, err := fr.ReadFrame(nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated large body: %v, want io.ErrUnexpectedEOF", err)
	}
}
