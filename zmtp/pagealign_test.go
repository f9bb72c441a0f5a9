package zmtp

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/purezmq/purezmq/internal/buf"
)

// atOffset returns n bytes starting off bytes into a page.
func atOffset(off, n int) []byte {
	b := make([]byte, n+2*buf.PageSize)
	start := (buf.PageSize - buf.PageOffset(b)) & buf.PageMask
	return b[start+off : start+off+n]
}

// lastEnd is the stream offset where the last of ends stopped, 0 for none.
func lastEnd(ends []int) int {
	if len(ends) == 0 {
		return 0
	}
	return ends[len(ends)-1]
}

// recorder keeps the stream and where each Write call ended.
type recorder struct {
	bytes.Buffer
	ends []int
	last []byte // the slice of the latest write
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.Buffer.Write(p)
	r.ends = append(r.ends, r.Len())
	r.last = p
	return n, err
}

// While frames stream, every write that carries a large body ends on a page
// boundary of the stream, and the body's tail waits in the buffer; a body
// of leadMin or more goes out as a lead and the rest. The stream is byte
// for byte what the frames encode to.
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
		if size >= leadMin {
			// A lead of leadSize bytes (the buffer and the body's start),
			// then the rest; nothing held back.
			n := len(out.ends)
			if n-before != 2 || out.ends[n-2]-lastEnd(out.ends[:n-2]) != leadSize || fw.Buffered() != 0 {
				t.Errorf("frame %d (%d B): writes %v after %d, %d buffered; want a lead of %d and the rest",
					i, size, out.ends[before:], before, fw.Buffered(), leadSize)
			}
		} else if size >= directThreshold {
			if len(out.ends) == before {
				t.Fatalf("frame %d (%d B): nothing written", i, size)
			}
			if end := out.ends[len(out.ends)-1]; end%buf.PageSize != 0 {
				t.Errorf("frame %d (%d B): write ends at %d, not on a page boundary", i, size, end)
			}
			if fw.Buffered() >= buf.PageSize {
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

// On a drained connection a large body goes out in two writes: its header
// and first bytes, leadSize in all, then the rest. At an unlucky offset the
// body is staged (copied behind its header) first; at a good one the rest
// goes out from the body's own memory.
func TestFrameWriterStaged(t *testing.T) {
	for _, c := range []struct {
		off    int
		staged bool
	}{{0, true}, {11, false}, {2048, false}} {
		var out recorder
		fw := NewFrameWriter(&out, 0)
		fw.setDrained(true)
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
		if len(out.ends) != 2 || out.ends[0] != leadSize || fw.Buffered() != 0 {
			t.Errorf("body at offset %d: writes ending at %v, %d bytes left, want 2 writes, the first %d bytes, none left",
				c.off, out.ends, fw.Buffered(), leadSize)
		}
		if own := &out.last[len(out.last)-1] == &body[len(body)-1]; own == c.staged {
			t.Errorf("body at offset %d: rest written from the body's memory %v, want %v", c.off, own, !c.staged)
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
		fw.setDrained(rng.IntN(3) == 0)
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
		body := atOffset(rng.IntN(buf.PageSize), size)
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
