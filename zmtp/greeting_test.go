package zmtp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// Goldens follow RFC 37's worked example and the greeting grammar of RFC 23/37.
func greetingGolden(t testing.TB, minor byte, mech string, server byte) []byte {
	b := cat(
		hx(t, "ff 0000000000000000 7f 03"), []byte{minor},
		append([]byte(mech), make([]byte, 20-len(mech))...),
		[]byte{server}, make([]byte, 31))
	if len(b) != 64 {
		t.Fatalf("golden is %d bytes", len(b))
	}
	return b
}

func TestGreetingGolden(t *testing.T) {
	cases := []struct {
		name string
		g    Greeting
		wire []byte
	}{
		{"NULL 3.0", Greeting{Major: 3, Minor: 0, Mechanism: "NULL"}, greetingGolden(t, 0, "NULL", 0)},
		{"NULL 3.1", Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}, greetingGolden(t, 1, "NULL", 0)},
		{"PLAIN server 3.1", Greeting{Major: 3, Minor: 1, Mechanism: "PLAIN", AsServer: true}, greetingGolden(t, 1, "PLAIN", 1)},
		{"PLAIN client 3.1", Greeting{Major: 3, Minor: 1, Mechanism: "PLAIN"}, greetingGolden(t, 1, "PLAIN", 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendGreeting([]byte("x"), tc.g)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[1:], tc.wire) {
				t.Fatalf("append:\n got %x\nwant %x", got[1:], tc.wire)
			}
			g, n, err := ParseGreeting(append(tc.wire, 0xAA)) // trailing byte is not consumed
			if err != nil || n != GreetingSize || g != tc.g {
				t.Fatalf("parse = %+v, %d, %v", g, n, err)
			}
			checkPrefixes(t, tc.wire, ErrShort, func(b []byte) error { _, _, err := ParseGreeting(b); return err })
		})
	}
	// A zero version means "ours": 3.1.
	b, _ := AppendGreeting(nil, Greeting{Mechanism: "NULL"})
	if !bytes.Equal(b, greetingGolden(t, 1, "NULL", 0)) {
		t.Fatalf("default version: %x", b)
	}
}

func TestGreetingAcceptsHigherVersions(t *testing.T) {
	for _, v := range [][2]byte{{3, 2}, {3, 255}, {4, 0}} {
		b := greetingGolden(t, v[1], "NULL", 0)
		b[10] = v[0]
		g, _, err := ParseGreeting(b)
		if err != nil || g.Major != int(v[0]) || g.Minor != int(v[1]) {
			t.Fatalf("version %v: %+v %v", v, g, err)
		}
	}
}

func TestGreetingPaddingIgnored(t *testing.T) {
	// RFC 37: the padding must not be interpreted (libzmq may put a length there).
	b := greetingGolden(t, 1, "NULL", 0)
	copy(b[1:9], "\x00\x00\x00\x00\x00\x00\x00\x01")
	if _, _, err := ParseGreeting(b); err != nil {
		t.Fatal(err)
	}
}

func TestGreetingLegacy(t *testing.T) {
	cases := []struct {
		name  string
		in    []byte
		major int
		rev   int
	}{
		// ZMTP 1.0: a short identity frame (length 1, flags 0).
		{"1.0 short", hx(t, "01 00"), 1, 0},
		// ZMTP 1.0 with a long length: 0xFF, 8-byte length, flags with LSB 0.
		{"1.0 long", hx(t, "ff 0000000000000001 00"), 1, 0},
		// ZMTP 2.0 (libzmq 3.x): signature then revision 1.
		{"2.0", hx(t, "ff 0000000000000001 7f 01"), 2, 1},
		{"2.0 rev2", hx(t, "ff 0000000000000001 7f 02"), 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseGreeting(tc.in)
			var le *LegacyPeerError
			if !errors.As(err, &le) || le.Major != tc.major || le.Revision != tc.rev {
				t.Fatalf("got %v, want LegacyPeerError{%d, %d}", err, tc.major, tc.rev)
			}
			if !errors.Is(err, ErrLegacyPeer) || !errors.Is(err, ErrBadVersion) {
				t.Fatalf("%v does not match ErrLegacyPeer/ErrBadVersion", err)
			}
		})
	}
}

func TestGreetingBad(t *testing.T) {
	bad := func(mod func(b []byte)) []byte {
		b := greetingGolden(t, 1, "NULL", 0)
		mod(b)
		return b
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"signature", bad(func(b []byte) { b[9] = 0x7D }), ErrBadSignature},
		{"lower-case mechanism", bad(func(b []byte) { copy(b[12:], "null") }), ErrBadMechanism},
		{"empty mechanism", bad(func(b []byte) { copy(b[12:], "\x00\x00\x00\x00") }), ErrBadMechanism},
		{"embedded null", bad(func(b []byte) { copy(b[12:], "NU\x00L") }), ErrBadMechanism},
	}
	for _, tc := range cases {
		if _, _, err := ParseGreeting(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := AppendGreeting(nil, Greeting{Mechanism: "A-VERY-LONG-MECHANISM-NAME"}); !errors.Is(err, ErrBadMechanism) {
		t.Errorf("long mechanism: %v", err)
	}
	if _, err := AppendGreeting(nil, Greeting{Major: 2, Mechanism: "NULL"}); !errors.Is(err, ErrBadVersion) {
		t.Errorf("version 2: %v", err)
	}
	if !errors.Is(ErrShort, io.ErrUnexpectedEOF) {
		t.Error("ErrShort must match io.ErrUnexpectedEOF")
	}
}

func FuzzGreeting(f *testing.F) {
	f.Add(greetingGolden(f, 0, "NULL", 0))
	f.Add(greetingGolden(f, 1, "PLAIN", 1))
	f.Add(greetingGolden(f, 1, "CURVE", 0))
	f.Add([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, n, err := ParseGreeting(b)
		if err != nil {
			return
		}
		if n != GreetingSize {
			t.Fatalf("n = %d", n)
		}
		out, err := AppendGreeting(nil, g)
		if err != nil {
			t.Fatalf("re-append %+v: %v", g, err)
		}
		g2, _, err := ParseGreeting(out)
		if err != nil || g2 != g {
			t.Fatalf("round trip: %+v -> %+v, %v", g, g2, err)
		}
	})
}
