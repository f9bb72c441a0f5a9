package zmtp

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// Goldens for ZMTP 1.0 (RFC 13 "Framing Layer" and its frame diagrams) and
// ZMTP 2.0 (RFC 15 grammar and diagrams).
func TestLegacyFrameGolden(t *testing.T) {
	long := bytes.Repeat([]byte{'x'}, 300)
	cases := []struct {
		name string
		v    LegacyVersion
		more bool
		body []byte
		wire []byte
	}{
		// RFC 13: the length counts the flags octet, so an empty frame is 01 00.
		{"v1 empty final", ZMTP10, false, nil, hx(t, "01 00")},
		{"v1 short more", ZMTP10, true, []byte("ABC"), hx(t, "04 01 414243")},
		{"v1 254-byte frame is the largest short form", ZMTP10, false, long[:253], cat(hx(t, "fe 00"), long[:253])},
		{"v1 255 needs the long form", ZMTP10, false, long[:254], cat(hx(t, "ff 00000000000000ff 00"), long[:254])},
		{"v1 long more", ZMTP10, true, long, cat(hx(t, "ff 000000000000012d 01"), long)},
		// RFC 15: flags first, length of the body only.
		{"v2 empty final", ZMTP20, false, nil, hx(t, "00 00")},
		{"v2 short more", ZMTP20, true, []byte("ABC"), hx(t, "01 03 414243")},
		{"v2 255 is short", ZMTP20, false, long[:255], cat(hx(t, "00 ff"), long[:255])},
		{"v2 final-long", ZMTP20, false, long, cat(hx(t, "02 000000000000012c"), long)},
		{"v2 more-long", ZMTP20, true, long, cat(hx(t, "03 000000000000012c"), long)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendLegacyFrame([]byte("x"), tc.v, tc.more, tc.body)
			if !bytes.Equal(got[1:], tc.wire) {
				t.Fatalf("append:\n got %x\nwant %x", got[1:], tc.wire)
			}
			h, body, n, err := ParseLegacyFrame(append(tc.wire, 0xAA), tc.v, 0)
			if err != nil || n != len(tc.wire) || h.More() != tc.more || !bytes.Equal(body, tc.body) {
				t.Fatalf("parse = %+v %d %v", h, n, err)
			}
			checkPrefixes(t, tc.wire, ErrShort, func(b []byte) error {
				_, _, _, err := ParseLegacyFrame(b, tc.v, 0)
				return err
			})
		})
	}
}

// RFC 13 allows the long length form for short frames, and its reserved flag
// bits are "SHOULD be zero": both are accepted. RFC 15's are MUST.
func TestLegacyFrameFlagsAndForms(t *testing.T) {
	h, body, _, err := ParseLegacyFrame(hx(t, "ff 0000000000000003 fe 4142"), ZMTP10, 0)
	if err != nil || h.Flags != 0 || string(body) != "AB" {
		t.Fatalf("v1 long form of a short frame: %+v %q %v", h, body, err)
	}
	if _, _, err := ParseLegacyFrameHeader(hx(t, "00 00"), ZMTP10, 0); !errors.Is(err, ErrBadFrameLength) {
		t.Fatalf("v1 zero length: %v", err)
	}
	for _, f := range []byte{0x04, 0x80, 0xFC} {
		if _, _, err := ParseLegacyFrameHeader([]byte{f, 0}, ZMTP20, 0); !errors.Is(err, ErrBadFlags) {
			t.Fatalf("v2 flags %#x: %v", f, err)
		}
	}
	if _, _, err := ParseLegacyFrameHeader(hx(t, "0000"), LegacyVersion(3), 0); !errors.Is(err, ErrBadLegacyVersion) {
		t.Fatalf("version 3: %v", err)
	}
}

// A huge announced length is refused from the header alone, before the flags
// octet (1.0) or any body byte arrives, and nothing is allocated for it.
func TestLegacyFrameHugeLength(t *testing.T) {
	cases := []struct {
		v    LegacyVersion
		wire []byte
		size uint64
	}{
		{ZMTP10, hx(t, "ff ffffffffffffffff"), math.MaxUint64 - 1},
		{ZMTP10, hx(t, "ff 0000000000100001"), 1 << 20},
		{ZMTP20, hx(t, "02 ffffffffffffffff"), math.MaxUint64},
		{ZMTP20, hx(t, "03 0000000000100001"), 1<<20 + 1},
	}
	for _, tc := range cases {
		var err error
		allocs := testing.AllocsPerRun(10, func() {
			_, _, err = ParseLegacyFrameHeader(tc.wire, tc.v, 1<<20-1)
		})
		var se *FrameSizeError
		if !errors.As(err, &se) || !errors.Is(err, ErrFrameTooLarge) || se.Size != tc.size || se.Max != 1<<20-1 {
			t.Fatalf("%v %x: %v", tc.v, tc.wire, err)
		}
		if allocs > 1 { // the error value itself
			t.Fatalf("%v: %v allocations", tc.v, allocs)
		}
	}
	// With no limit given, sizes beyond an int are still refused.
	if _, _, err := ParseLegacyFrameHeader(hx(t, "02 ffffffffffffffff"), ZMTP20, 0); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("no limit: %v", err)
	}
}

func TestV2GreetingGolden(t *testing.T) {
	// RFC 15: signature (with the 1.0-compatible identity length + 1 in the
	// padding), revision 01, socket type, identity as a final-short frame.
	wire := hx(t, "ff 0000000000000004 7f 01 05 00 03 424f42")
	got, err := AppendV2Greeting(nil, "dealer", []byte("BOB"))
	if err != nil || !bytes.Equal(got, wire) {
		t.Fatalf("append: %x %v", got, err)
	}
	g, n, err := ParseV2Greeting(append(wire, 0x01, 0x00))
	if err != nil || n != len(wire) || g.SocketType != "DEALER" || string(g.Identity) != "BOB" || g.Revision != 1 || g.Version != ZMTP20 {
		t.Fatalf("parse: %+v %d %v", g, n, err)
	}
	checkPrefixes(t, wire, ErrShort, func(b []byte) error { _, _, err := ParseV2Greeting(b); return err })

	// The padding is not interpreted: RFC 15's own grammar sends zeros.
	anon := hx(t, "ff 0000000000000000 7f 01 08 00 00")
	if g, _, err := ParseV2Greeting(anon); err != nil || g.SocketType != "PUSH" || len(g.Identity) != 0 {
		t.Fatalf("zero padding: %+v %v", g, err)
	}
	for i, name := range []string{"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"} {
		if c, ok := LegacySocketType(name); !ok || int(c) != i {
			t.Fatalf("%s = %d %v", name, c, ok)
		}
	}
	if _, err := AppendV2Greeting(nil, "CLIENT", nil); !errors.Is(err, ErrBadSocketType) {
		t.Fatalf("CLIENT did not exist in 2.0: %v", err)
	}
	if _, err := AppendV2Greeting(nil, "PUB", make([]byte, 256)); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("256-byte identity: %v", err)
	}
}

func TestV2GreetingRejects(t *testing.T) {
	cases := []struct {
		name string
		wire string
		want error
	}{
		{"not a signature", "fe 0000000000000001 7f 01 05 00 00", ErrBadSignature},
		{"1.0 long frame", "ff 0000000000000001 00 01 05 00 00", ErrBadSignature},
		{"revision 0", "ff 0000000000000001 7f 00 05 00 00", ErrBadVersion},
		{"socket type 11", "ff 0000000000000001 7f 01 0b 00 00", ErrBadSocketType},
		{"identity with MORE", "ff 0000000000000001 7f 01 05 01 00", ErrBadFlags},
		{"identity long form", "ff 0000000000000001 7f 01 05 02 00", ErrBadFlags},
	}
	for _, tc := range cases {
		if _, _, err := ParseV2Greeting(hx(t, tc.wire)); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestV1GreetingGolden(t *testing.T) {
	// RFC 13: anonymous = %x01 idflags; identity = length idflags body.
	cases := []struct {
		id   string
		wire []byte
	}{
		{"", hx(t, "01 00")},
		{"BOB", hx(t, "04 00 424f42")},
	}
	for _, tc := range cases {
		got, err := AppendV1Greeting(nil, []byte(tc.id))
		if err != nil || !bytes.Equal(got, tc.wire) {
			t.Fatalf("append %q: %x %v", tc.id, got, err)
		}
		g, n, err := ParseV1Greeting(tc.wire)
		if err != nil || n != len(tc.wire) || string(g.Identity) != tc.id || g.Version != ZMTP10 {
			t.Fatalf("parse %q: %+v %d %v", tc.id, g, n, err)
		}
		checkPrefixes(t, tc.wire, ErrShort, func(b []byte) error { _, _, err := ParseV1Greeting(b); return err })
	}
	// idflags are not validated (RFC 13).
	if g, _, err := ParseV1Greeting(hx(t, "02 7f 41")); err != nil || string(g.Identity) != "A" {
		t.Fatalf("idflags 7f: %+v %v", g, err)
	}
	// The RFC 23 opening plus the identity body is a valid 1.0 identity frame:
	// what a 1.0 peer reads after detection.
	open := append(AppendLegacySignature(nil, 3), "BOB"...)
	if g, n, err := ParseV1Greeting(open); err != nil || n != len(open) || string(g.Identity) != "BOB" {
		t.Fatalf("signature as 1.0 frame: %+v %v", g, err)
	}
	if _, _, err := ParseV1Greeting(hx(t, "ff 0000000000000101 00")); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("256-byte identity: %v", err)
	}
}

func TestClassifyPeer(t *testing.T) {
	v3, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
	v2, _ := AppendV2Greeting(nil, "SUB", []byte("id"))
	cases := []struct {
		name           string
		wire           []byte
		major, rev, at int
	}{
		{"1.0 short identity", hx(t, "04 00 424f42"), 1, -1, 1},
		{"1.0 long identity frame", cat(hx(t, "ff 0000000000000101 00"), make([]byte, 256)), 1, -1, 10},
		{"1.0 with revision 0", hx(t, "ff 0000000000000001 7f 00 05"), 1, 0, 11},
		{"2.0", v2, 2, 1, 11},
		{"3.1", v3, 3, 3, 11},
	}
	for _, tc := range cases {
		c, err := ClassifyPeer(tc.wire)
		if err != nil || c.Major != tc.major || c.Revision != tc.rev || c.Decided != tc.at {
			t.Fatalf("%s: %+v %v", tc.name, c, err)
		}
		// Fewer octets than the decision needs are ErrShort, never a guess.
		checkPrefixes(t, tc.wire[:tc.at], ErrShort, func(b []byte) error { _, err := ClassifyPeer(b); return err })
	}
	bad := append([]byte(nil), v3...)
	bad[9] = 0x01
	if _, err := ClassifyPeer(bad); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("3.x with bad signature: %v", err)
	}
}

// ClassifyPeer agrees with ParseGreeting, which today refuses legacy peers.
func TestClassifyPeerAgreesWithParseGreeting(t *testing.T) {
	for _, b := range [][]byte{hx(t, "04 00"), hx(t, "ff 0000000000000101 00"), hx(t, "ff 0000000000000001 7f 01 05"), hx(t, "ff 0000000000000001 7f 02 05")} {
		c, err := ClassifyPeer(b)
		_, _, gerr := ParseGreeting(b)
		var le *LegacyPeerError
		if err != nil || !errors.As(gerr, &le) || le.Major != c.Major {
			t.Fatalf("%x: classify %+v %v, greeting %v", b, c, err, gerr)
		}
	}
}

func FuzzLegacyFrame(f *testing.F) {
	f.Add(byte(1), []byte("\x04\x01ABC"))
	f.Add(byte(1), []byte("\xff\x00\x00\x00\x00\x00\x00\x01\x2d\x00"))
	f.Add(byte(2), []byte("\x03\x00\x00\x00\x00\x00\x00\x01\x2c"))
	f.Add(byte(2), []byte("\x01\x03ABC"))
	f.Fuzz(func(t *testing.T, vb byte, b []byte) {
		v := LegacyVersion(1 + vb%2)
		h, body, n, err := ParseLegacyFrame(b, v, 1<<16)
		if err != nil {
			return
		}
		if n > len(b) || len(body) != h.Size || h.Size > 1<<16 || h.Flags&^FlagMore != 0 {
			t.Fatalf("inconsistent: %+v body %d n %d of %d", h, len(body), n, len(b))
		}
		// Re-encoding gives a frame that parses the same (the encoding may be
		// shorter: the long form of a short frame is allowed on input).
		re := AppendLegacyFrame(nil, v, h.More(), body)
		h2, body2, n2, err := ParseLegacyFrame(re, v, 1<<16)
		if err != nil || n2 != len(re) || h2 != h || !bytes.Equal(body2, body) {
			t.Fatalf("round trip: %+v %v", h2, err)
		}
	})
}

func FuzzLegacyGreeting(f *testing.F) {
	f.Add([]byte("\xff\x00\x00\x00\x00\x00\x00\x00\x04\x7f\x01\x05\x00\x03BOB"))
	f.Add([]byte("\x04\x00BOB"))
	f.Add([]byte("\xff\x00\x00\x00\x00\x00\x00\x01\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, cerr := ClassifyPeer(b)
		if g, n, err := ParseV2Greeting(b); err == nil {
			if n > len(b) || len(g.Identity) > MaxLegacyIdentity || (cerr != nil && !errors.Is(cerr, ErrBadSignature)) || c.Major == 1 {
				t.Fatalf("v2 greeting %+v n=%d, classify %+v %v", g, n, c, cerr)
			}
			re, err := AppendV2GreetingRest(nil, g.SocketType, g.Identity)
			if err != nil || !bytes.Equal(re[1:], b[11:n]) {
				t.Fatalf("v2 re-encode %x vs %x: %v", re, b[:n], err)
			}
		}
		if g, n, err := ParseV1Greeting(b); err == nil {
			if n > len(b) || len(g.Identity) > MaxLegacyIdentity {
				t.Fatalf("v1 greeting %+v n=%d", g, n)
			}
		}
		if cerr == nil && (c.Decided > len(b) || c.Major < 1 || c.Major > 3) {
			t.Fatalf("classify %+v", c)
		}
	})
}
