package zmtp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFrameHeaderGolden(t *testing.T) {
	cases := []struct {
		flags byte
		size  int
		wire  []byte
	}{
		{0, 0, hx(t, "00 00")},
		{FlagMore, 5, hx(t, "01 05")},
		{0, 255, hx(t, "00 ff")},
		{0, 256, hx(t, "02 0000000000000100")},
		{FlagMore, 1 << 20, hx(t, "03 0000000000100000")},
		{FlagCommand, 41, hx(t, "04 29")},
		{FlagCommand, 300, hx(t, "06 000000000000012c")},
	}
	for _, tc := range cases {
		got := AppendFrameHeader(nil, tc.flags, tc.size)
		if !bytes.Equal(got, tc.wire) {
			t.Errorf("append(%x, %d) = %x, want %x", tc.flags, tc.size, got, tc.wire)
		}
		h, n, err := ParseFrameHeader(append(tc.wire, 0xEE))
		if err != nil || n != len(tc.wire) || h.Flags != tc.flags || h.Size != tc.size {
			t.Errorf("parse %x = %+v %d %v", tc.wire, h, n, err)
		}
		checkPrefixes(t, tc.wire, ErrShort, func(b []byte) error { _, _, err := ParseFrameHeader(b); return err })
	}
	// A long encoding of a small size is legal on input.
	h, n, err := ParseFrameHeader(hx(t, "02 0000000000000003"))
	if err != nil || n != 9 || h.Size != 3 || h.Flags != 0 {
		t.Fatalf("long small: %+v %d %v", h, n, err)
	}
}

func TestFrameHeaderBad(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"reserved bit 3", hx(t, "08 00"), ErrBadFlags},
		{"reserved bit 7", hx(t, "80 00"), ErrBadFlags},
		{"command with more", hx(t, "05 00"), ErrBadFlags},
		{"size 2^63", hx(t, "02 8000000000000000"), ErrFrameTooLarge},
		{"size 2^64-1", hx(t, "02 ffffffffffffffff"), ErrFrameTooLarge},
	}
	if math.MaxInt == math.MaxInt32 {
		cases = append(cases, struct {
			name string
			in   []byte
			want error
		}{"over int on 32-bit", hx(t, "02 0000000080000000"), ErrFrameTooLarge})
	}
	for _, tc := range cases {
		if _, _, err := ParseFrameHeader(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestParseFrame(t *testing.T) {
	wire := AppendFrame(nil, FlagMore, []byte("hello"))
	h, body, n, err := ParseFrame(wire)
	if err != nil || n != 7 || !h.More() || h.Command() || string(body) != "hello" {
		t.Fatalf("%+v %q %d %v", h, body, n, err)
	}
	checkPrefixes(t, wire, ErrShort, func(b []byte) error { _, _, _, err := ParseFrame(b); return err })
}

// frameStream encodes frames of the given sizes.
func frameStream(sizes ...int) []byte {
	var b []byte
	for i, s := range sizes {
		flags := FlagMore
		if i == len(sizes)-1 {
			flags = 0
		}
		b = AppendFrame(b, flags, bytes.Repeat([]byte{byte('a' + i%26)}, s))
	}
	return b
}

func TestFrameReader(t *testing.T) {
	sizes := []int{0, 1, 255, 256, 70000, 3}
	wire := frameStream(sizes...)
	for _, name := range []string{"whole", "one byte", "half"} {
		t.Run(name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader(wire)
			switch name {
			case "one byte":
				r = iotest.OneByteReader(r)
			case "half":
				r = iotest.HalfReader(r)
			}
			fr := NewFrameReader(r, 512)
			var buf []byte
			for i, s := range sizes {
				h, body, err := fr.ReadFrame(buf)
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if h.Size != s || len(body) != s || h.More() != (i < len(sizes)-1) {
					t.Fatalf("frame %d: %+v len %d", i, h, len(body))
				}
				if s > 0 && body[s-1] != byte('a'+i) {
					t.Fatalf("frame %d: wrong content", i)
				}
				buf = body
			}
			if _, _, err := fr.ReadFrame(buf); err != io.EOF {
				t.Fatalf("end: %v, want io.EOF", err)
			}
		})
	}
}

func TestFrameReaderTruncated(t *testing.T) {
	wire := frameStream(10, 300)
	for i := 1; i < len(wire); i++ {
		fr := NewFrameReader(bytes.NewReader(wire[:i]), 0)
		var err error
		for err == nil {
			_, _, err = fr.ReadFrame(nil)
		}
		if i == 12 { // exactly after the first frame: a clean end
			if err != io.EOF {
				t.Fatalf("cut at %d: %v, want io.EOF", i, err)
			}
			continue
		}
		if err != io.ErrUnexpectedEOF {
			t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", i, err)
		}
	}
}

// An oversized frame is refused from its header, without allocating.
func TestFrameReaderLimitBeforeAlloc(t *testing.T) {
	// A header announcing 1 TiB with no body: the limit must trip on the
	// header alone, before any buffer is sized for the body.
	wire := hx(t, "02 0000010000000000")
	fr := NewFrameReader(bytes.NewReader(wire), 0)
	fr.MaxFrameSize = 1 << 20
	allocs := testing.AllocsPerRun(1, func() {
		_, _, err := fr.ReadFrame(nil)
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("got %v", err)
		}
	})
	if allocs > 0 {
		t.Fatalf("%v allocations rejecting an oversized frame", allocs)
	}
}

func TestFrameWriter(t *testing.T) {
	var out bytes.Buffer
	fw := NewFrameWriter(&out, 64)
	big := bytes.Repeat([]byte("z"), directThreshold)
	steps := []struct {
		flags byte
		body  []byte
	}{{FlagMore, []byte("a")}, {0, []byte(strings.Repeat("b", 100))}, {FlagMore, big}, {0, nil}}
	var want []byte
	for _, s := range steps {
		if err := fw.WriteFrame(s.flags, s.body); err != nil {
			t.Fatal(err)
		}
		want = AppendFrame(want, s.flags, s.body)
	}
	if fw.Buffered() != 2 {
		t.Fatalf("buffered %d, want 2 (the last empty frame)", fw.Buffered())
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("stream differs")
	}
}

func FuzzFrameHeader(f *testing.F) {
	f.Add(hx(f, "00 00"))
	f.Add(hx(f, "01 05 68656c6c6f"))
	f.Add(hx(f, "02 0000000000000100"))
	f.Add(hx(f, "06 000000000000012c"))
	f.Add(hx(f, "04 05 0450494e47"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := ParseFrameHeader(b)
		if err != nil {
			return
		}
		if n != 2 && n != 9 {
			t.Fatalf("n = %d", n)
		}
		out := AppendFrameHeader(nil, h.Flags, h.Size)
		h2, n2, err := ParseFrameHeader(out)
		if err != nil || h2 != h || n2 != len(out) {
			t.Fatalf("round trip %+v -> %+v (%d), %v", h, h2, n2, err)
		}
		// The whole-frame parser agrees and never reads past b.
		if _, body, m, err := ParseFrame(b); err == nil && (len(body) != h.Size || m > len(b)) {
			t.Fatalf("ParseFrame: body %d, n %d", len(body), m)
		}
	})
}
