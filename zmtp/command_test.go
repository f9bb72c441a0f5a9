package zmtp

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// RFC 37 worked example: the DEALER's READY with Socket-Type and an empty
// Identity, and the ROUTER's reply with Socket-Type alone.
func dealerReadyGolden(t testing.TB) []byte {
	return cat(hx(t, "04 29 05"), []byte("READY"),
		hx(t, "0b"), []byte("Socket-Type"), hx(t, "00000006"), []byte("DEALER"),
		hx(t, "08"), []byte("Identity"), hx(t, "00000000"))
}

func routerReadyGolden(t testing.TB) []byte {
	return cat(hx(t, "04 1c 05"), []byte("READY"),
		hx(t, "0b"), []byte("Socket-Type"), hx(t, "00000006"), []byte("ROUTER"))
}

func TestReadyGolden(t *testing.T) {
	md := Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, []byte{}}}
	got, err := AppendReady(nil, md)
	if err != nil {
		t.Fatal(err)
	}
	want := dealerReadyGolden(t)
	if len(want) != 43 || !bytes.Equal(got, want) {
		t.Fatalf("DEALER READY\n got %x\nwant %x", got, want)
	}
	got, _ = AppendReady(nil, Metadata{{PropSocketType, []byte("ROUTER")}})
	if !bytes.Equal(got, routerReadyGolden(t)) {
		t.Fatalf("ROUTER READY\n got %x", got)
	}
	cmd, n, err := ParseCommandFrame(want)
	if err != nil || n != len(want) || cmd.Name != CmdReady {
		t.Fatalf("parse: %+v %d %v", cmd, n, err)
	}
	pm, err := ParseMetadata(cmd.Body)
	if err != nil || pm.Get("socket-type") != "DEALER" || len(pm) != 2 {
		t.Fatalf("metadata: %+v %v", pm, err)
	}
	if v, ok := pm.Lookup("IDENTITY"); !ok || len(v) != 0 {
		t.Fatalf("identity: %q %v", v, ok)
	}
	checkPrefixes(t, want, ErrShort, func(b []byte) error { _, _, err := ParseCommandFrame(b); return err })
}

func TestCommandGoldens(t *testing.T) {
	mustPing := func(b []byte, err error) []byte {
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"ERROR", AppendError(nil, "Invalid"), cat(hx(t, "04 0e 05"), []byte("ERROR"), hx(t, "07"), []byte("Invalid"))},
		{"ERROR empty", AppendError(nil, ""), cat(hx(t, "04 07 05"), []byte("ERROR"), hx(t, "00"))},
		{"SUBSCRIBE", AppendSubscribe(nil, []byte("A"), true), cat(hx(t, "04 0b 09"), []byte("SUBSCRIBEA"))},
		{"SUBSCRIBE all", AppendSubscribe(nil, nil, true), cat(hx(t, "04 0a 09"), []byte("SUBSCRIBE"))},
		{"CANCEL", AppendSubscribe(nil, []byte("AB"), false), cat(hx(t, "04 09 06"), []byte("CANCELAB"))},
		{"PING", mustPing(AppendPing(nil, 50, []byte("ctx"))), cat(hx(t, "04 0a 04"), []byte("PING"), hx(t, "0032"), []byte("ctx"))},
		{"PING bare", mustPing(AppendPing(nil, 0, nil)), cat(hx(t, "04 07 04"), []byte("PING"), hx(t, "0000"))},
		{"PONG", mustPing(AppendPong(nil, []byte("ctx"))), cat(hx(t, "04 08 04"), []byte("PONGctx"))},
	}
	for _, tc := range cases {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s:\n got %x\nwant %x", tc.name, tc.got, tc.want)
		}
		cmd, n, err := ParseCommandFrame(tc.want)
		if err != nil || n != len(tc.want) {
			t.Errorf("%s: parse %v", tc.name, err)
		}
		checkPrefixes(t, tc.want, ErrShort, func(b []byte) error { _, _, err := ParseCommandFrame(b); return err })
		switch cmd.Name {
		case CmdError:
			if _, err := ParseError(cmd.Body); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		case CmdPing:
			if _, _, err := ParsePing(cmd.Body); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	}
	// Long commands use the 8-byte size.
	long := AppendSubscribe(nil, bytes.Repeat([]byte("t"), 300), true)
	if long[0] != 0x06 {
		t.Fatalf("long command flags %x", long[0])
	}
}

func TestLibzmqErrorQuirk(t *testing.T) {
	// Captured from libzmq 4.3.4 refusing a PLAIN password (ZAP status 400).
	wire := hx(t, "04 09 5e 52 52 4f 52 03 34 30 30")
	cmd, n, err := ParseCommandFrame(wire)
	if err != nil || n != len(wire) || cmd.Name != CmdError {
		t.Fatalf("%+v %v", cmd, err)
	}
	if r, err := ParseError(cmd.Body); err != nil || r != "400" {
		t.Fatalf("%q %v", r, err)
	}
}

func TestCommandParsers(t *testing.T) {
	if r, err := ParseError(cat(hx(t, "03"), []byte("abc"))); err != nil || r != "abc" {
		t.Fatal(r, err)
	}
	for _, bad := range [][]byte{nil, hx(t, "03 6162"), hx(t, "01 6162")} {
		if _, err := ParseError(bad); !errors.Is(err, ErrMalformedCommand) {
			t.Errorf("ERROR %x: %v", bad, err)
		}
	}
	ttl, ctx, err := ParsePing(hx(t, "0102 00112233445566778899aabbccddeeff 1122"))
	if err != nil || ttl != 0x102 || len(ctx) != 16 {
		t.Fatalf("PING long context: %d %x %v", ttl, ctx, err)
	}
	if _, _, err := ParsePing(hx(t, "01")); !errors.Is(err, ErrMalformedCommand) {
		t.Fatalf("short PING: %v", err)
	}
	if _, err := AppendPing(nil, 0, make([]byte, 17)); !errors.Is(err, ErrMalformedCommand) {
		t.Fatalf("PING context 17: %v", err)
	}
	if _, err := ParsePong(make([]byte, 17)); !errors.Is(err, ErrMalformedCommand) {
		t.Fatalf("PONG context 17: %v", err)
	}
	for _, bad := range [][]byte{nil, hx(t, "00"), hx(t, "05 5245"), cat(hx(t, "04"), []byte("PI-G"))} {
		if _, err := ParseCommand(bad); !errors.Is(err, ErrMalformedCommand) {
			t.Errorf("command %x: %v", bad, err)
		}
	}
	if _, _, err := ParseCommandFrame(AppendFrame(nil, 0, []byte("\x04PING"))); !errors.Is(err, ErrBadFlags) {
		t.Errorf("message frame as command: %v", err)
	}
	if _, err := AppendCommand(nil, "BAD NAME", nil); !errors.Is(err, ErrMalformedCommand) {
		t.Errorf("bad name: %v", err)
	}
	if got := AppendError(nil, string(bytes.Repeat([]byte("r"), 300))); len(got) != 9+6+1+255 { // long frame header
		t.Errorf("long reason not cut: %d", len(got))
	}
	for d, want := range map[time.Duration]uint16{0: 0, time.Millisecond: 1, time.Second: 10, 2 * time.Hour: 65535} {
		if got := PingTTL(d); got != want {
			t.Errorf("PingTTL(%v) = %d, want %d", d, got, want)
		}
	}
}

func FuzzCommand(f *testing.F) {
	f.Add(dealerReadyGolden(f))
	f.Add(routerReadyGolden(f))
	f.Add(AppendError(nil, "no"))
	f.Add(AppendSubscribe(nil, []byte("topic"), true))
	f.Add(AppendSubscribe(nil, []byte("topic"), false))
	p, _ := AppendPing(nil, 10, []byte("c"))
	f.Add(p)
	p, _ = AppendPong(nil, []byte("c"))
	f.Add(p)
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, _, err := ParseCommandFrame(b)
		if err != nil {
			return
		}
		out, err := AppendCommand(nil, cmd.Name, cmd.Body)
		if err != nil {
			t.Fatalf("re-append %q: %v", cmd.Name, err)
		}
		cmd2, n, err := ParseCommandFrame(out)
		if err != nil || n != len(out) || cmd2.Name != cmd.Name || !bytes.Equal(cmd2.Body, cmd.Body) {
			t.Fatalf("round trip %q: %v", cmd.Name, err)
		}
		// The typed parsers must not panic on anything, and round-trip.
		switch cmd.Name {
		case CmdError:
			if r, err := ParseError(cmd.Body); err == nil {
				c, _, _ := ParseCommandFrame(AppendError(nil, r))
				if r2, err := ParseError(c.Body); err != nil || r2 != r {
					t.Fatalf("ERROR round trip %q %q %v", r, r2, err)
				}
			}
		case CmdPing:
			if ttl, ctx, err := ParsePing(cmd.Body); err == nil {
				out, err := AppendPing(nil, ttl, ctx)
				if err != nil {
					t.Fatal(err)
				}
				c, _, _ := ParseCommandFrame(out)
				if ttl2, ctx2, err := ParsePing(c.Body); err != nil || ttl2 != ttl || !bytes.Equal(ctx, ctx2) {
					t.Fatalf("PING round trip: %v", err)
				}
			}
		case CmdPong:
			_, _ = ParsePong(cmd.Body)
		case CmdReady:
			_, _ = ParseMetadata(cmd.Body)
		}
	})
}
