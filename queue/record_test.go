package queue

import (
	"bytes"
	"errors"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	for _, m := range [][][]byte{{}, msg(""), msg("a"), msg("id", "", string(make([]byte, 300)))} {
		rec := appendRecordHeader(nil, 77, m)
		for _, f := range m {
			rec = append(rec, f...)
		}
		seq, got, err := decodeRecord(rec)
		if err != nil || seq != 77 || len(got) != len(m) {
			t.Fatalf("decode %q: seq %d, %d frames, %v", m, seq, len(got), err)
		}
		for i := range m {
			if !bytes.Equal(got[i], m[i]) || cap(got[i]) != len(got[i]) {
				t.Fatalf("frame %d differs or is not capped", i)
			}
		}
		// Every strict prefix fails cleanly, never panics.
		for n := 0; n < len(rec); n++ {
			if _, _, err := decodeRecord(rec[:n]); !errors.Is(err, ErrCorruptRecord) {
				var re *RecordError
				if n == 0 || !errors.As(err, &re) {
					t.Fatalf("prefix %d of %q: %v", n, m, err)
				}
			}
		}
	}
}

func TestRecordRejectsLies(t *testing.T) {
	for name, rec := range map[string][]byte{
		"huge count":    {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge length":   {1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'},
		"trailing data": {1, 1, 1, 'a', 'b'},
		"short body":    {1, 2, 1, 5, 'a'},
	} {
		if _, _, err := decodeRecord(rec); !errors.Is(err, ErrCorruptRecord) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(appendRecordHeader(nil, 1, msg("a", "bc")))
	f.Add([]byte{1, 2, 1, 2, 'a', 'b', 'c'})
	f.Fuzz(func(t *testing.T, rec []byte) {
		_, m, err := decodeRecord(rec)
		if err != nil {
			return
		}
		var n int
		for _, fr := range m {
			n += len(fr)
		}
		if n > len(rec) {
			t.Fatalf("decoded %d body bytes from a %d-byte record", n, len(rec))
		}
	})
}
