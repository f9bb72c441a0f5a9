//go:build unix

package zmtp

import (
	"bytes"
	"testing"
	"time"
)

// ReadVecs on a socket fills p and then q (with readv where there is one),
// and counts both.
func TestWaitReaderReadVecs(t *testing.T) {
	a, b := tcpPair(t)
	r := newWaitReader(b)
	if r == nil {
		t.Fatal("no waitReader for a TCP connection")
	}
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(i)
	}
	if _, err := a.Write(data); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, len(data))
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < len(data) && time.Now().Before(deadline) {
		p, q := make([]byte, 1000), make([]byte, 500)
		n, err := r.ReadVecs([][]byte{p, q})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p[:min(n, len(p))]...)
		if n > len(p) {
			got = append(got, q[:n-len(p)]...)
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, not what was written", len(got))
	}
}
