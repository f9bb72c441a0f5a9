package zmtp

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// atOffset returns n bytes starting off bytes into a page.
func atOffset(off, n int) []byte {
	b := make([]byte, n+2*pageSize)
	start := (pageSize - pageOffset(b)) & pageMask
	return b[start+off : start+off+n]
}

func TestPageOffset(t *testing.T) {
	for _, off := range []int{0, 1, 11, 2048, 4095} {
		if got := pageOffset(atOffset(off, 10)); got != off {
			t.Errorf("pageOffset = %d, want %d", got, off)
		}
	}
}

func TestCopyHazard(t *testing.T) {
	for _, c := range []struct {
		pre, off int
		want     bool
	}{
		{0, 0, false},     // same offset: fast
		{11, 11, false},   // same offset after a header
		{11, 0, true},     // 11 bytes ahead of its source: slow
		{2, 0, true},      // a short header
		{0, 30, true},     // 30 bytes behind
		{11, 2048, false}, // a pooled buffer (poolSkew) behind an 11-byte header
		{11, 4000, false}, // 107 bytes ahead modulo the page
		{9, 4095, true},   // 10 bytes ahead across the page boundary
		{4096 + 11, 0, true},
		{0, 4096 - hazardDistance, false},
		{0, 4096 - hazardDistance + 1, true},
	} {
		if got := copyHazard(c.pre, atOffset(c.off, 64)); got != c.want {
			t.Errorf("copyHazard(pre %d, offset %d) = %v, want %v", c.pre, c.off, got, c.want)
		}
	}
}

func TestPageCut(t *testing.T) {
	for _, c := range []struct {
		pos    int64
		pre, n int
		want   int
	}{
		{0, 9, 65536, 65536 - 9}, // the header's 9 bytes wait for the next write
		{0, 0, 65536, 65536},     // already ends on a boundary
		{4096, 0, 65536, 65536},  //
		{100, 11, 1 << 20, 1<<20 - 111},
		{5, 10, 1000, 1000}, // the tail would be the whole body
		{0, 9, 4087, 4087},  // ends on the boundary already
		{0, 9, 4088, 4087},  // one byte held back
		{4090, 3, 20000, 20000 - (4093+20000)%4096},
	} {
		got := pageCut(c.pos, c.pre, c.n)
		if got != c.want {
			t.Errorf("pageCut(%d, %d, %d) = %d, want %d", c.pos, c.pre, c.n, got, c.want)
		}
		if got < c.n && (c.pos+int64(c.pre)+int64(got))%pageSize != 0 {
			t.Errorf("pageCut(%d, %d, %d) = %d: the write ends off a page boundary", c.pos, c.pre, c.n, got)
		}
		if c.n-got >= pageSize {
			t.Errorf("pageCut(%d, %d, %d) = %d: holds back %d bytes", c.pos, c.pre, c.n, got, c.n-got)
		}
	}
}

// recorder keeps the stream and where each Write call ended.
type recorder struct {
	bytes.Buffer
	ends []int
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.Buffer.Write(p)
	r.ends = append(r.ends, r.Len())
	return n, err
}

// While frames stream, every write that carries a large body ends on a page
// boundary of the stream; the body's tail waits in the buffer, and the
// stream is byte for byte what the frames encode to.
func TestFrameWriterPageCuts(t *testing.T) {
	var out recorder
	fw := NewFrameWriter(&out, 0)
	var want []byte
	for i, size := range []int{65536, 100, 65536, 20000, 1 << 20, 3} {
		body := atOffset(i*7, size)
		for j := range body {
			body[j] = byte(i + j)
		}
		before := len(out.ends)
		if err := fw.WriteFrame(FlagMore, body); err != nil {
			t.Fatal(err)
		}
		want = AppendFrame(want, FlagMore, body)
		if size >= directThreshold {
			if len(out.ends) == before {
				t.Fatalf("frame %d (%d B): nothing written", i, size)
			}
			if end := out.ends[len(out.ends)-1]; end%pageSize != 0 {
				t.Errorf("frame %d (%d B): write ends at %d, not on a page boundary", i, size, end)
			}
			if fw.Buffered() >= pageSize {
				t.Errorf("frame %d: %d bytes held back", i, fw.Buffered())
			}
		}
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("stream differs from the frames")
	}
	if fw.pos != int64(len(want)) {
		t.Fatalf("pos %d, wrote %d", fw.pos, len(want))
	}
}

// On a drained connection a large body at an unlucky offset goes out in one
// write together with its header (staged); one at a good offset goes out
// from its own memory, whole.
func TestFrameWriterStaged(t *testing.T) {
	for _, c := range []struct {
		off    int
		writes int
	}{{0, 1}, {11, 2}, {2048, 2}} {
		var out recorder
		fw := NewFrameWriter(&out, 0)
		fw.SetDrained(true)
		body := atOffset(c.off, 1<<20)
		for j := range body {
			body[j] = byte(j * 7)
		}
		// An empty delimiter and a long header: 11 bytes before the body.
		if err := fw.WriteFrame(FlagMore, nil); err != nil {
			t.Fatal(err)
		}
		if err := fw.WriteFrame(0, body); err != nil {
			t.Fatal(err)
		}
		want := AppendFrame(AppendFrame(nil, FlagMore, nil), 0, body)
		if len(out.ends) != c.writes || fw.Buffered() != 0 {
			t.Errorf("body at offset %d: %d writes, %d bytes left, want %d writes, none left",
				c.off, len(out.ends), fw.Buffered(), c.writes)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("body at offset %d: stream differs", c.off)
		}
	}
}

// Any mix of sizes, offsets and drained spells reads back as written.
func TestFrameWriterRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var out bytes.Buffer
	fw := NewFrameWriter(&out, 0)
	var bodies [][]byte
	for i := 0; i < 300; i++ {
		fw.SetDrained(rng.IntN(3) == 0)
		var size int
		switch rng.IntN(4) {
		case 0:
			size = rng.IntN(300)
		case 1:
			size = rng.IntN(20000)
		case 2:
			size = directThreshold + rng.IntN(70000)
		default:
			size = rng.IntN(300000)
		}
		body := atOffset(rng.IntN(pageSize), size)
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		if err := fw.WriteFrame(0, body); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, append([]byte(nil), body...))
		if rng.IntN(5) == 0 {
			if err := fw.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	fr := NewFrameReader(&out, 0)
	for i, want := range bodies {
		_, got, err := fr.ReadFrame(nil)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d (%d B) differs", i, len(want))
		}
	}
	if _, _, err := fr.ReadFrame(nil); err != io.EOF {
		t.Fatalf("after the last frame: %v", err)
	}
}
