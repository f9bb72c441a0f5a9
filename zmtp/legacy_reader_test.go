package zmtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestLegacyFrameReader(t *testing.T) {
	long := bytes.Repeat([]byte("y"), 1000)
	for _, v := range []LegacyVersion{ZMTP10, ZMTP20} {
		var wire []byte
		wire = AppendLegacyFrame(wire, v, true, []byte("a"))
		wire = AppendLegacyFrame(wire, v, true, long)
		wire = AppendLegacyFrame(wire, v, false, nil)
		// Byte by byte, as a slow peer sends it.
		r := NewLegacyFrameReader(bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(wire)), 16), v, 0)
		var buf []byte
		for i, want := range [][]byte{[]byte("a"), long, {}} {
			h, body, err := r.ReadFrame(buf)
			if err != nil || !bytes.Equal(body, want) || h.More() != (i < 2) {
				t.Fatalf("%v frame %d: %+v %d bytes %v", v, i, h, len(body), err)
			}
			buf = body
		}
		if _, _, err := r.ReadFrame(buf); err != io.EOF {
			t.Fatalf("%v at the end: %v", v, err)
		}
		// A stream cut at any point: io.EOF between frames, ErrShort inside one.
		for cut := 1; cut < len(wire); cut++ {
			r := NewLegacyFrameReader(bufio.NewReader(bytes.NewReader(wire[:cut])), v, 0)
			var err error
			for err == nil {
				_, _, err = r.ReadFrame(nil)
			}
			if want := frameBoundary(wire, v, cut); want && err != io.EOF || !want && !errors.Is(err, ErrShort) {
				t.Fatalf("%v cut at %d (boundary %v): %v", v, cut, want, err)
			}
		}
	}
}

// frameBoundary reports whether cut falls between frames of wire.
func frameBoundary(wire []byte, v LegacyVersion, cut int) bool {
	off := 0
	for off < cut {
		_, _, n, err := ParseLegacyFrame(wire[off:], v, 0)
		if err != nil {
			return false
		}
		off += n
	}
	return off == cut
}

// A huge length fails at the header: nothing is allocated for the body and
// no body byte is waited for.
func TestLegacyFrameReaderHugeLength(t *testing.T) {
	for _, tc := range []struct {
		v    LegacyVersion
		wire []byte
	}{{ZMTP10, []byte("\xff\x7f\xff\xff\xff\xff\xff\xff\xff")}, {ZMTP20, []byte("\x02\x7f\xff\xff\xff\xff\xff\xff\xff")}} {
		var err error
		allocs := testing.AllocsPerRun(5, func() {
			r := NewLegacyFrameReader(bufio.NewReaderSize(bytes.NewReader(tc.wire), 16), tc.v, 1<<20)
			_, _, err = r.ReadFrame(nil)
		})
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("%v: %v", tc.v, err)
		}
		if allocs > 8 { // reader, bufio buffer, error; never 2^63 bytes
			t.Fatalf("%v: %v allocations", tc.v, allocs)
		}
	}
}
