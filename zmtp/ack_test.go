package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

func ackFrame(t testing.TB, n uint64) []byte {
	b, err := AppendCommand(nil, CmdAck, AppendAck(nil, n))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ackStreamFrame(t testing.TB, id AckStreamID, next uint64) []byte {
	return ackStreamFrameW(t, id, next, 1000)
}

func ackStreamFrameW(t testing.TB, id AckStreamID, next uint64, window uint32) []byte {
	b, err := AppendCommand(nil, CmdAckStream, AppendAckStream(nil, id, next, window))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAckGolden(t *testing.T) {
	got := ackFrame(t, 0x0102030405060708)
	want := cat(hx(t, "04 0e 05"), []byte("PZACK"), hx(t, "0102030405060708"))
	if !bytes.Equal(got, want) {
		t.Fatalf("PZACK\n got %x\nwant %x", got, want)
	}
	var id AckStreamID
	for i := range id {
		id[i] = byte(i)
	}
	got = ackStreamFrame(t, id, 7)
	want = cat(hx(t, "04 25 08"), []byte("PZSTREAM"), id[:], hx(t, "0000000000000007 000003e8"))
	if !bytes.Equal(got, want) {
		t.Fatalf("PZSTREAM\n got %x\nwant %x", got, want)
	}
	cmd, _, err := ParseCommandFrame(got)
	if err != nil || cmd.Name != CmdAckStream {
		t.Fatal(cmd, err)
	}
	gid, next, win, err := ParseAckStream(cmd.Body)
	if err != nil || gid != id || next != 7 || win != 1000 {
		t.Fatalf("parse: %x %d %v", gid, next, err)
	}
}

// TestAckTruncated: every prefix of either frame is short, and every body
// shorter or longer than the defined size is ErrMalformedAck, as is a
// stream starting at message 0.
func TestAckTruncated(t *testing.T) {
	var id AckStreamID
	id[0] = 9
	for _, f := range [][]byte{ackFrame(t, 5), ackStreamFrame(t, id, 1)} {
		checkPrefixes(t, f, ErrShort, func(b []byte) error { _, _, err := ParseCommandFrame(b); return err })
	}
	ab := AppendAck(nil, 5)
	for i := 0; i < len(ab); i++ {
		if _, err := ParseAck(ab[:i]); !errors.Is(err, ErrMalformedAck) {
			t.Fatalf("ack body of %d bytes: %v", i, err)
		}
	}
	if _, err := ParseAck(append(ab, 0)); !errors.Is(err, ErrMalformedAck) {
		t.Fatalf("long ack body: %v", err)
	}
	sb := AppendAckStream(nil, id, 1, 0)
	for i := 0; i < len(sb); i++ {
		if _, _, _, err := ParseAckStream(sb[:i]); !errors.Is(err, ErrMalformedAck) {
			t.Fatalf("stream body of %d bytes: %v", i, err)
		}
	}
	if _, _, _, err := ParseAckStream(append(sb, 0)); !errors.Is(err, ErrMalformedAck) {
		t.Fatalf("long stream body: %v", err)
	}
	if _, _, _, err := ParseAckStream(AppendAckStream(nil, id, 0, 0)); !errors.Is(err, ErrMalformedAck) {
		t.Fatalf("stream from 0: %v", err)
	}
}

func TestAckOffered(t *testing.T) {
	cases := []struct {
		md   Metadata
		want bool
	}{
		{Metadata{{PropSocketType, []byte("PUSH")}}, false},
		{Metadata{{"x-purezmq-ack", []byte("1")}}, true},
		{Metadata{{PropAck, []byte("2")}}, false},
		{Metadata{{PropAck, nil}}, false},
	}
	for _, c := range cases {
		if got := AckOffered(c.md); got != c.want {
			t.Errorf("%v: %v", c.md, got)
		}
	}
}

// FuzzAck: the acknowledgement commands' parsers never panic, accept only
// their exact sizes, and round-trip what they accept.
func FuzzAck(f *testing.F) {
	var id AckStreamID
	id[3] = 1
	f.Add(ackFrame(f, 1))
	f.Add(ackFrame(f, 1<<63))
	f.Add(ackStreamFrame(f, id, 1))
	f.Add(ackStreamFrameW(f, id, 1<<40, 0))
	f.Add([]byte{4, 6, 5, 'P', 'Z', 'A', 'C', 'K', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, _, err := ParseCommandFrame(b)
		if err != nil {
			return
		}
		switch cmd.Name {
		case CmdAck:
			n, err := ParseAck(cmd.Body)
			if (err == nil) != (len(cmd.Body) == 8) {
				t.Fatalf("ack body %x: %v", cmd.Body, err)
			}
			if err == nil && !bytes.Equal(AppendAck(nil, n), cmd.Body) {
				t.Fatalf("ack round trip %x", cmd.Body)
			}
		case CmdAckStream:
			id, next, win, err := ParseAckStream(cmd.Body)
			if (err == nil) != (len(cmd.Body) == ackStreamSize && next != 0) {
				t.Fatalf("stream body %x: %v", cmd.Body, err)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(AppendAckStream(nil, id, next, win), cmd.Body) {
				t.Fatalf("stream round trip %x", cmd.Body)
			}
		}
	})
}
