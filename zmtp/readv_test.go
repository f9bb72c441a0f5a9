package zmtp

import (
	"bytes"
	"io"
	"testing"
)

// vecStream reads a byte stream vectored, step bytes per call at most, as
// a socket's readv hands out what has arrived.
type vecStream struct {
	r     *bytes.Reader
	step  int
	calls int
	vec   int // calls that filled q as well
}

func (v *vecStream) Read(p []byte) (int, error) { return v.ReadVecs([][]byte{p}) }

func (v *vecStream) ReadVecs(vecs [][]byte) (int, error) {
	v.calls++
	n, spilled := 0, false
	for i, q := range vecs {
		if n >= v.step || len(q) == 0 {
			break
		}
		m, err := v.r.Read(q[:min(len(q), v.step-n)])
		n += m
		spilled = spilled || (i > 0 && m > 0)
		if err != nil && n == 0 {
			return 0, err
		}
		if m < len(q) {
			break
		}
	}
	if spilled {
		v.vec++
	}
	return n, nil
}

// Bodies read with readv, which also fills the frame buffer with what
// follows, come out intact and in order whatever the split of the reads.
func TestFrameReaderReadVec(t *testing.T) {
	sizes := []int{40 << 10, 3, 100 << 10, 64 << 10, 16, 1 << 20, 0, 33 << 10, 7}
	var stream []byte
	for i, n := range sizes {
		stream = AppendFrame(stream, 0, bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	for _, step := range []int{1 << 30, 64<<10 + 100, 32<<10 + 5, 4096, 11} {
		v := &vecStream{r: bytes.NewReader(stream), step: step}
		fr := NewFrameReader(v, 16<<10)
		for i, n := range sizes {
			_, body, err := fr.ReadFrame(nil)
			if err != nil || !bytes.Equal(body, bytes.Repeat([]byte{byte(i + 1)}, n)) {
				t.Fatalf("step %d, frame %d: %v, %d bytes, want %d", step, i, err, len(body), n)
			}
		}
		if _, err := fr.ReadHeader(); err != io.EOF {
			t.Fatalf("step %d: after the last frame: %v, want io.EOF", step, err)
		}
		if step == 1<<30 && v.vec == 0 {
			t.Fatalf("no read filled the frame buffer along with a body")
		}
	}
}

// Large frames streaming back to back cost one read each: the read that
// finishes a body brings the next header with it.
func TestFrameReaderReadVecOneReadPerFrame(t *testing.T) {
	const n, size = 20, 64 << 10
	var stream []byte
	for range n {
		stream = AppendFrame(stream, FlagMore, make([]byte, size))
	}
	v := &vecStream{r: bytes.NewReader(stream), step: 1 << 30}
	fr := NewFrameReader(v, 16<<10)
	body := make([]byte, size)
	for i := range n {
		if _, _, err := fr.ReadFrame(body); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	if v.calls > n+1 {
		t.Fatalf("%d reads for %d frames, want at most %d", v.calls, n, n+1)
	}
}
