//go:build soak || 386 || arm || mips || mipsle

package swapfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// bigRecordLen is one byte over the 32-bit builds' MaxRecordSize: a record
// a 64-bit build writes and a 32-bit build cannot hold in one slice.
const bigRecordLen = 1<<30 - recordHeaderSize + 1

// writeBigRing crafts, without writing a gigabyte, the file a 64-bit build
// leaves after appending a record of bigRecordLen zero bytes and then
// "after": the payload is a hole in a sparse file.
func writeBigRing(t *testing.T) (path string, after []byte) {
	t.Helper()
	after = []byte("after")
	capacity := int64(1<<30 + 8192)
	size1 := int64(recordHeaderSize + bigRecordLen)
	size2 := int64(recordHeaderSize + len(after))
	path = filepath.Join(t.TempDir(), "big.ring")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(headerAreaSize + capacity); err != nil {
		t.Fatal(err)
	}
	var rh [recordHeaderSize]byte
	putRecordHeader(rh[:], bigRecordLen, 1)
	crc := recordCRCStart(rh[:])
	putRecordCRC(rh[:], crcZeros(crc, bigRecordLen))
	rec2 := make([]byte, size2)
	putRecordHeader(rec2, uint32(len(after)), 2)
	copy(rec2[recordHeaderSize:], after)
	putRecordCRC(rec2, crc32.Update(recordCRCStart(rec2), castagnoli, after))
	h := header{capacity: capacity, tail: size1 + size2, used: size1 + size2, count: 2, headSeq: 1}
	var slot [slotSize]byte
	for gen := uint64(1); gen <= 2; gen++ {
		h.gen = gen
		h.encode(slot[:])
		mustWriteAt(t, f, slot[:], slotOffset(gen))
	}
	mustWriteAt(t, f, rh[:], headerAreaSize)
	mustWriteAt(t, f, rec2, headerAreaSize+size1)
	return path, after
}

func mustWriteAt(t *testing.T, f *os.File, b []byte, off int64) {
	t.Helper()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// fileRegions reads the parts of a ring file that Open could write: the
// header area, the first record's prefix, and the end of the records,
// where recovery blanks a cut-off tail.
func fileRegions(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, r := range [][2]int64{{0, headerAreaSize + 64}, {headerAreaSize + bigRecordLen - 64, 256}} {
		b := make([]byte, r[1])
		if _, err := f.ReadAt(b, r[0]); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	var sz [8]byte
	binary.LittleEndian.PutUint64(sz[:], uint64(fi.Size()))
	return append(out, sz[:], []byte(fi.ModTime().String()))
}

// TestOpenRecordOverArchLimit: a ring holding a record over the 32-bit
// limit is refused on 32-bit with an *ArchLimitError and left byte for
// byte as it was, so the 64-bit build still reads both records. `make
// test386` runs the 32-bit half.
// On 64-bit builds it runs under `make soak` only: it checksums a 1 GiB
// (sparse) record twice. TestOpenRecordOverBuildLimit covers the same path
// in every run with a lowered limit.
func TestOpenRecordOverArchLimit(t *testing.T) {
	path, after := writeBigRing(t)
	before := fileRegions(t, path)
	if uint64(bigRecordLen) > recordLimit {
		_, _, err := Open(path, Options{})
		var arch *ArchLimitError
		if !errors.As(err, &arch) || !errors.Is(err, ErrArchLimit) {
			t.Fatalf("Open: %v, want *ArchLimitError", err)
		}
		if errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open: %v must not claim the ring is corrupt", err)
		}
		if arch.What != "record" || arch.Seq != 1 || arch.Size != bigRecordLen || arch.Path != path {
			t.Fatalf("ArchLimitError %+v", arch)
		}
		if _, err := Inspect(path); !errors.As(err, &arch) {
			t.Fatalf("Inspect: %v, want *ArchLimitError", err)
		}
		if _, _, err := OpenOrCreate(path, 4096, Options{}); !errors.As(err, &arch) {
			t.Fatalf("OpenOrCreate: %v, want *ArchLimitError", err)
		}
		now := fileRegions(t, path)
		for i := range before {
			if !bytes.Equal(before[i], now[i]) {
				t.Fatalf("file region %d changed by a refused Open", i)
			}
		}
		t.Logf("32-bit: %v", err)
		return
	}
	r, rec := mustOpen(t, path, Options{})
	defer r.Close()
	if r.Len() != 2 || rec.DiscardedBytes != 0 {
		t.Fatalf("64-bit: %d records, recovery %+v; want 2, nothing discarded", r.Len(), rec)
	}
	if err := r.Discard(); err != nil {
		t.Fatal(err)
	}
	got, err := r.Pop()
	if err != nil || !bytes.Equal(got, after) {
		t.Fatalf("second record %q, %v", got, err)
	}
}
