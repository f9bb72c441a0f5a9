package swapfile

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"testing"
)

// fileSum is the SHA-256 of a whole file and its modification time.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(append(b, fi.ModTime().String()...))
}

// TestOpenRecordOverBuildLimit plays a 32-bit build opening a 64-bit
// build's ring: with the record limit lowered below a record's length,
// Open, OpenOrCreate and Inspect refuse the ring with an *ArchLimitError
// (not ErrCorrupt) and leave every byte of the file as it was; with the
// limit back, every record is there. Before the fix the records from the
// long one on were cut and the header rewritten.
func TestOpenRecordOverBuildLimit(t *testing.T) {
	r, path := tempRing(t, 1<<16, Options{})
	want := [][]byte{payload(0, 100), payload(1, 3000), payload(2, 50)}
	for _, b := range want {
		if err := r.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	r.abandon() // as a killed writer: the header does not know the records
	sum := fileSum(t, path)

	defer func(old uint64) { recordLimit = old }(recordLimit)
	recordLimit = 1000
	_, _, err := Open(path, Options{})
	var arch *ArchLimitError
	if !errors.As(err, &arch) || !errors.Is(err, ErrArchLimit) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open: %v, want an *ArchLimitError that is not ErrCorrupt", err)
	}
	if arch.What != "record" || arch.Seq != 2 || arch.Size != 3000 || arch.Limit != 1000 || arch.Path != path {
		t.Fatalf("ArchLimitError %+v", arch)
	}
	t.Logf("refused: %v", err)
	if _, _, err := OpenOrCreate(path, 1<<16, Options{}); !errors.As(err, &arch) {
		t.Fatalf("OpenOrCreate: %v, want *ArchLimitError", err)
	}
	if _, err := Inspect(path); !errors.As(err, &arch) {
		t.Fatalf("Inspect: %v, want *ArchLimitError", err)
	}
	if fileSum(t, path) != sum {
		t.Fatal("a refused Open changed the file")
	}

	recordLimit = MaxRecordSize
	r2, rec := mustOpen(t, path, Options{})
	defer r2.Close()
	if rec.DiscardedBytes != 0 {
		t.Fatalf("recovery %+v, want nothing discarded", rec)
	}
	if err := equalRecords(drain(t, r2), want); err != nil {
		t.Fatal(err)
	}
}

// A record whose length is over the limit but whose checksum fails is
// damage, not another build's ring: it is cut as before.
func TestOpenCorruptLongRecordIsCut(t *testing.T) {
	r, path := tempRing(t, 1<<16, Options{})
	for i, n := range []int{100, 3000} {
		if err := r.Append(payload(i, n)); err != nil {
			t.Fatal(err)
		}
	}
	r.abandon()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a payload byte of the second record.
	if _, err := f.WriteAt([]byte{0xee}, headerAreaSize+recordHeaderSize+100+recordHeaderSize+7); err != nil {
		t.Fatal(err)
	}
	f.Close()
	defer func(old uint64) { recordLimit = old }(recordLimit)
	recordLimit = 1000
	r2, rec := mustOpen(t, path, Options{})
	defer r2.Close()
	got := drain(t, r2)
	if len(got) != 1 || !bytes.Equal(got[0], payload(0, 100)) || rec.DiscardedBytes == 0 {
		t.Fatalf("kept %d records, recovery %+v; want the first one, the damaged one cut", len(got), rec)
	}
}

// TestHeaderCapacityOverArchLimit: a header with a capacity only a 64-bit
// build accepts is refused by a 32-bit one as an *ArchLimitError, even
// when the other slot holds an older header this build could use.
func TestHeaderCapacityOverArchLimit(t *testing.T) {
	area := make([]byte, headerAreaSize)
	small := header{capacity: 1 << 20, headSeq: 1, gen: 1}
	small.encode(area[slotOffset(1):])
	huge := header{capacity: 1 << 41, headSeq: 1, gen: 2}
	huge.encode(area[slotOffset(2):])
	h, slot, err := pickHeader(area)
	if uint64(huge.capacity) > MaxCapacity {
		if !errors.Is(err, ErrArchLimit) || errors.Is(err, ErrCorrupt) {
			t.Fatalf("32-bit: pickHeader %v, want ErrArchLimit", err)
		}
		return
	}
	if err != nil || slot != 0 || h.capacity != huge.capacity {
		t.Fatalf("64-bit: slot %d capacity %d err %v, want the newer slot", slot, h.capacity, err)
	}
}
