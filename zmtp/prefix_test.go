package zmtp

import (
	"bytes"
	"slices"
	"testing"

	"github.com/purezmq/purezmq/internal/buf"
)

// setPrefix puts a fresh copy of the frame in front of every message, a
// large body stays releasable behind it, and commands are not prefixed.
func TestReadMessagePrefix(t *testing.T) {
	a, b := mustPair(t, Config{SocketType: "DEALER"}, Config{SocketType: "ROUTER"}, false)
	id := []byte{0, 1, 2, 3, 4}
	b.setPrefix(id)
	id[0] = 9 // setPrefix keeps its own copy
	big := bytes.Repeat([]byte("b"), 64<<10)
	send(t, a, []byte("one"))
	send(t, a, []byte("two"), []byte("parts"))
	send(t, a, big)
	m1, m2, m3 := recv(t, b), recv(t, b), recv(t, b)
	want := []byte{0, 1, 2, 3, 4}
	if !slices.EqualFunc(m1, [][]byte{want, []byte("one")}, bytes.Equal) || !slices.EqualFunc(m2, [][]byte{want, []byte("two"), []byte("parts")}, bytes.Equal) {
		t.Fatalf("got %q, %q", m1, m2)
	}
	m1[0][0] = 7 // the caller owns its copy: the next message's id is intact
	if len(m3) != 2 || !bytes.Equal(m3[0], want) || !bytes.Equal(m3[1], big) {
		t.Fatalf("large message: %d frames", len(m3))
	}
	if !buf.Release(m3) || m3[1] != nil {
		t.Fatal("a prefixed large message is not releasable")
	}
	send(t, a, []byte("four"))
	if m := recv(t, b); !slices.EqualFunc(m, [][]byte{want, []byte("four")}, bytes.Equal) {
		t.Fatalf("after the caller changed an id: %q", m)
	}
}
