package swapfile

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// abandon drops the ring the way a killed process would: no header write,
// descriptors closed (which the kernel does for a dead process).
func (r *Ring) abandon() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed.Store(true)
	r.release()
}

func tempRing(t testing.TB, capacity int64, opts Options) (*Ring, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create(path, capacity, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, path
}

func mustOpen(t testing.TB, path string, opts Options) (*Ring, Recovery) {
	t.Helper()
	r, rec, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, rec
}

// payload is deterministic content for record i of size n.
func payload(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j*7 + 1)
	}
	return b
}

// drain pops everything, failing on any error but ErrEmpty.
func drain(t testing.TB, r *Ring) [][]byte {
	t.Helper()
	var out [][]byte
	for {
		b, err := r.Pop()
		if errors.Is(err, ErrEmpty) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

func equalRecords(got, want [][]byte) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d records, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Errorf("record %d: %d bytes %x..., want %d bytes", i, len(got[i]), got[i][:min(8, len(got[i]))], len(want[i]))
		}
	}
	return nil
}

// snapshot returns every record in the ring, front first, without
// changing it.
func (r *Ring) snapshot(t testing.TB) [][]byte {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	pos, seq := r.head, r.headSeq
	for range r.count.Load() {
		var hb [recordHeaderSize]byte
		if err := readData(r.rd, r.capacity, pos, hb[:]); err != nil {
			t.Fatal(err)
		}
		n, _, s := parseRecordHeader(hb[:])
		if s != seq {
			t.Fatalf("record at %d has seq %d, want %d", pos, s, seq)
		}
		b := make([]byte, n)
		if err := readData(r.rd, r.capacity, (pos+recordHeaderSize)%r.capacity, b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
		pos = (pos + recordHeaderSize + int64(n)) % r.capacity
		seq++
	}
	if pos != r.tail {
		t.Fatalf("records end at %d, tail is %d", pos, r.tail)
	}
	return out
}
