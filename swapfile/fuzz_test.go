package swapfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fuzzMaxCapacity keeps the fuzzer from making Open extend a file to the
// terabytes a mutated header may claim (and keeps each execution fast);
// Inspect, which never writes, gets every input.
const fuzzMaxCapacity = 64 << 10

// FuzzOpen's inputs are ring files without the unused bytes of the header
// area: slot 0's 80 bytes, slot 1's 80 bytes, then the data area. A ring
// of 256 data bytes is a 416-byte input instead of a 4 KiB one, so the
// mutator spends its work on bytes that matter and minimising is cheap.
// compactRing and expandRing convert between the two.
func compactRing(file []byte) []byte {
	var out []byte
	for _, r := range [][2]int{{0, slotSize}, {slotStride, slotStride + slotSize}, {headerAreaSize, len(file)}} {
		if r[0] < len(file) {
			out = append(out, file[r[0]:min(r[1], len(file))]...)
		}
	}
	return out
}

func expandRing(in []byte) []byte {
	if len(in) <= slotSize {
		return append([]byte(nil), in...) // a file cut inside slot 0
	}
	s1 := in[slotSize:min(len(in), 2*slotSize)]
	data := in[slotSize+len(s1):]
	n := slotStride + len(s1)
	if len(data) > 0 {
		n = headerAreaSize + len(data)
	}
	out := make([]byte, n)
	copy(out, in[:slotSize])
	copy(out[slotStride:], s1)
	if len(data) > 0 {
		copy(out[headerAreaSize:], data)
	}
	return out
}

// seedRings returns valid ring files in several states, as fuzz seeds.
func seedRings(t testing.TB) map[string][]byte {
	dir := t.TempDir()
	out := map[string][]byte{}
	build := func(name string, f func(r *Ring), crash bool) {
		path := filepath.Join(dir, name)
		r, err := Create(path, 256, Options{})
		if err != nil {
			t.Fatal(err)
		}
		f(r)
		if crash {
			r.abandon()
		} else {
			r.Close()
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = compactRing(b)
	}
	build("empty", func(*Ring) {}, false)
	build("closed", func(r *Ring) {
		for i := range 4 {
			r.Append(payload(i, 10*i))
		}
	}, false)
	build("wrapped-crash", func(r *Ring) {
		for i := range 12 {
			if errors.Is(r.Append(payload(i, 40)), ErrFull) {
				r.Pop()
				r.Append(payload(i, 40))
			}
		}
	}, true)
	return out
}

func FuzzOpen(f *testing.F) {
	for _, b := range seedRings(f) {
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add(append(magic[:], make([]byte, 100)...))
	// One directory for the whole run: a fresh one per execution costs
	// more than the execution. Each worker process runs its inputs one
	// at a time, and the file is removed after each.
	path := filepath.Join(f.TempDir(), "ring")
	f.Fuzz(func(t *testing.T, in []byte) { fuzzOpen(t, path, in) })
}

// FuzzOpenSealed is FuzzOpen with the header slots' checksums recomputed
// before each execution: most mutations of a slot break its checksum and
// stop at the header, so this target carries them on into the record scan
// and the field cross-checks.
func FuzzOpenSealed(f *testing.F) {
	for _, b := range seedRings(f) {
		f.Add(b)
	}
	path := filepath.Join(f.TempDir(), "ring")
	f.Fuzz(func(t *testing.T, in []byte) { fuzzOpen(t, path, sealSlots(in)) })
}

// sealSlots recomputes the checksum of each complete slot of a compact
// ring input.
func sealSlots(in []byte) []byte {
	out := append([]byte(nil), in...)
	for off := 0; off+slotSize <= min(len(out), 2*slotSize); off += slotSize {
		binary.LittleEndian.PutUint32(out[off+72:], crc32.Checksum(out[off:off+72], castagnoli))
	}
	return out
}

func fuzzOpen(t *testing.T, path string, in []byte) {
	data := expandRing(in)
	defer os.Remove(path)
	{
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := Inspect(path)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrArchLimit) {
				t.Fatalf("Inspect: unexpected error class: %v", err)
			}
			return
		}
		_ = info.String()
		if info.Capacity > fuzzMaxCapacity {
			return
		}
		r, rec, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("Inspect accepted what Open refused: %v", err)
		}
		defer r.Close()
		if rec != info.Recovery || r.Len() != info.Records || r.Used() != info.Used {
			t.Fatalf("Open %+v (len %d used %d) disagrees with Inspect %+v", rec, r.Len(), r.Used(), info)
		}
		// Whatever Open kept must read back without error, and the ring
		// must go on working.
		n := 0
		for {
			_, err := r.Pop()
			if errors.Is(err, ErrEmpty) {
				break
			}
			if err != nil {
				t.Fatalf("Pop after recovery: %v", err)
			}
			n++
		}
		if n != info.Records {
			t.Fatalf("popped %d of %d records", n, info.Records)
		}
		if r.Free() >= recordHeaderSize+2 {
			if err := r.Append([]byte("ok")); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzOpen from seedRings
// when SWAPFILE_WRITE_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SWAPFILE_WRITE_SEEDS") == "" {
		t.Skip("set SWAPFILE_WRITE_SEEDS=1 to rewrite the FuzzOpen seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := seedRings(t)
	// A truncated ring and one with a torn last record, too.
	seeds["truncated"] = seeds["closed"][:2*slotSize+70]
	torn := append([]byte(nil), seeds["wrapped-crash"]...)
	torn[len(torn)-30] ^= 0xff
	seeds["corrupt"] = torn
	for name, b := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
