package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func TestEscapeGolden(t *testing.T) {
	cases := []struct {
		in, out string
	}{
		{"hello world", "hello world"},
		{"", ""},
		{"a\tb", `a\tb`},
		{"line\nbreak\r", `line\nbreak\r`},
		{`back\slash`, `back\\slash`},
		{"\x00\x01\x7f", `\x00\x01\x7f`},
		{"caf\u00e9 \u65e5\u672c", "caf\u00e9 \u65e5\u672c"},
		{"\xff\xfe", `\xff\xfe`},
		{"\xe6\x97", `\xe6\x97`}, // a truncated UTF-8 sequence
	}
	for _, c := range cases {
		got := string(appendEscaped(nil, []byte(c.in)))
		if got != c.out {
			t.Errorf("escape %q = %q, want %q", c.in, got, c.out)
		}
		if back := string(unescapeText([]byte(got))); back != c.in {
			t.Errorf("unescape %q = %q, want %q", got, back, c.in)
		}
	}
}

func TestUnescapeLenient(t *testing.T) {
	cases := map[string]string{
		`C:\path\dir`: `C:\path\dir`,
		`trailing\`:   `trailing\`,
		`\x4`:         `\x4`,
		`\xzz`:        `\xzz`,
		`\x41\x42`:    "AB",
		`\\x41`:       `\x41`,
		`a\qb`:        `a\qb`,
	}
	for in, want := range cases {
		if got := string(unescapeText([]byte(in))); got != want {
			t.Errorf("unescape %q = %q, want %q", in, got, want)
		}
	}
}

func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a\tb\nc", `\x00`, "\xff", "\\\\", "caf\u00e9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e := appendEscaped(nil, b)
		if !utf8.Valid(e) || bytes.ContainsAny(e, "\t\n\r") {
			t.Fatalf("escaped %q to %q: not one clean line", b, e)
		}
		if back := unescapeText(e); !bytes.Equal(back, b) {
			t.Fatalf("round trip %q -> %q -> %q", b, e, back)
		}
		for _, c := range []codec{codecHex, codecBase64} {
			d, err := c.decodeField(c.appendFrame(nil, b))
			if err != nil || !bytes.Equal(d, b) {
				t.Fatalf("codec %d round trip %q: %q, %v", c, b, d, err)
			}
		}
	})
}

func TestLineRoundTrip(t *testing.T) {
	frames := [][]byte{[]byte("id\x00\x01"), {}, []byte("multi\tpart"), []byte("\n")}
	for _, c := range []codec{codecText, codecHex, codecBase64} {
		line := c.appendLine(nil, frames)
		if bytes.Count(line, []byte{'\n'}) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("codec %d: line %q is not one line", c, line)
		}
		got, err := c.parseLine(line[:len(line)-1])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(frames) {
			t.Fatalf("codec %d: %d frames, want %d", c, len(got), len(frames))
		}
		for i := range frames {
			if !bytes.Equal(got[i], frames[i]) || got[i] == nil {
				t.Errorf("codec %d frame %d: %q, want %q", c, i, got[i], frames[i])
			}
		}
	}
}

func TestParseLineFields(t *testing.T) {
	got, err := codecText.parseLine([]byte("\tHello\t"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(got[0]) != 0 || string(got[1]) != "Hello" || len(got[2]) != 0 {
		t.Errorf("frames %q", got)
	}
	got, _ = codecText.parseLine(nil)
	if len(got) != 1 || got[0] == nil || len(got[0]) != 0 {
		t.Errorf("empty line: %q, want one empty frame", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	_, err := codecHex.parseLine([]byte("6869\tzz"))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != 2 || !errors.Is(err, errBadHex) {
		t.Errorf("hex: %v", err)
	}
	_, err = codecBase64.parseLine([]byte("!!!"))
	if !errors.As(err, &fe) || fe.Field != 1 || !errors.Is(err, errBadBase64) {
		t.Errorf("base64: %v", err)
	}
}

func TestInputReader(t *testing.T) {
	ctx := context.Background()
	src := "one\ttwo\r\n\nlast without newline"
	in := startInput(ctx, iotest.OneByteReader(strings.NewReader(src)), codecText)
	var got []string
	for m := range in.msgs {
		var parts []string
		for _, f := range m.Frames {
			parts = append(parts, string(f))
		}
		got = append(got, strings.Join(parts, "|"))
	}
	want := []string{"one|two", "", "last without newline"}
	if in.err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("lines %q (err %v), want %q", got, in.err, want)
	}

	in = startInput(ctx, strings.NewReader("aa\nbad\n"), codecHex)
	n := 0
	for range in.msgs {
		n++
	}
	var fe *FieldError
	if n != 1 || !errors.As(in.err, &fe) || fe.Line != 2 {
		t.Errorf("hex input: %d messages, err %v; want 1 and a line-2 error", n, in.err)
	}

	in = startInput(ctx, iotest.ErrReader(errors.New("disk on fire")), codecText)
	for range in.msgs {
		t.Error("message from a failing reader")
	}
	if in.err == nil {
		t.Error("read error not reported")
	}
}

func TestOutputFlushesPerLine(t *testing.T) {
	var b bytes.Buffer
	o := newOutput(&b, codecText)
	if err := o.write(msgOf("a", "b\tc")); err != nil {
		t.Fatal(err)
	}
	if b.String() != "a\tb\\tc\n" {
		t.Errorf("after one message: %q", b.String())
	}
}
