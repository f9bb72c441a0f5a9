package socket

import (
	"bytes"
	"testing"

	"github.com/purezmq/purezmq/internal/buf"
)

// Two small copies share a slab: growing one received frame must not write
// into the next message, and the copies must not alias the caller's bytes.
func TestCopySlabFramesDoNotOverlap(t *testing.T) {
	c, err := New(Push)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src := []byte("abcd")
	a, ok := c.slab.TryCopy([][]byte{src, []byte("ef")}, true)
	if !ok {
		t.Fatal("small message not slab-copied")
	}
	b, _ := c.slab.TryCopy([][]byte{[]byte("WXYZ")}, true)
	src[0] = '!'
	if string(a[0]) != "abcd" || string(a[1]) != "ef" {
		t.Fatalf("copy follows the caller's bytes: %q", a)
	}
	a[1] = append(a[1], "ghij"...)
	a = append(a, []byte("more"))
	if string(b[0]) != "WXYZ" || len(b) != 1 {
		t.Fatalf("append to one copy reached the next: %q", b)
	}
	if _, ok := c.slab.TryCopy([][]byte{bytes.Repeat([]byte{1}, buf.SlabMax+1)}, true); ok {
		t.Fatal("message over SlabMax slab-copied")
	}
}
