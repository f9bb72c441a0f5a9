package testpeer

import (
	"bytes"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPyPair checks the driver itself: two pyzmq peers talk PUSH to PULL.
func TestPyPair(t *testing.T) {
	pull := StartPy(t, PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
	push := StartPy(t, PyOptions{Type: "PUSH", Connect: []string{pull.Endpoint()}})
	want := [][]byte{[]byte("a"), {}, bytes.Repeat([]byte{7}, 300)}
	if err := push.Send(want...); err != nil {
		t.Fatal(err)
	}
	got, err := pull.Recv(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !bytes.Equal(got[0], want[0]) || len(got[1]) != 0 || !bytes.Equal(got[2], want[2]) {
		t.Fatalf("got %q", got)
	}
	if _, err := pull.Recv(100 * time.Millisecond); err != ErrTimeout {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
	if err := push.Close(); err != nil {
		t.Fatal(err)
	}
}
