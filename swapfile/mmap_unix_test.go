//go:build unix

package swapfile

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestMmapWindow exercises the sliding window used for files larger than
// maxMapBytes (on 32-bit), with a window of a few pages so that a small
// file needs many moves.
func TestMmapWindow(t *testing.T) {
	page := int64(os.Getpagesize())
	size := 10*page + 123
	content := make([]byte, size)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range content {
		content[i] = byte(rng.Uint32())
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &mmapReader{f: f, size: size, window: 4 * page}
	defer r.close()
	for range 2000 {
		n := rng.Int64N(3 * page) // sometimes more than half a window: pread
		off := rng.Int64N(size - n + 1)
		dst := make([]byte, n)
		if err := r.readAt(dst, off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dst, content[off:off+n]) {
			t.Fatalf("read %d at %d differs", n, off)
		}
	}
}
