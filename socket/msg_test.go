package socket

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestMsgRelease: released tcp messages give their buffers back while kept
// ones stay intact, and releasing a message the caller built is harmless.
func TestMsgRelease(t *testing.T) {
	pull, _ := New(Pull)
	defer pull.Close()
	push, _ := New(Push)
	defer push.Close()
	connectTo(t, push, bindAt(t, pull, "tcp"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	mine := bytes.Repeat([]byte{0xAB}, 8<<10)
	own := NewMsg(mine)
	own.Release()
	if own.Frames != nil {
		t.Fatal("Release left Frames set")
	}

	var kept []Msg
	for i := 0; i < 100; i++ {
		body := bytes.Repeat([]byte{byte(i)}, 8<<10)
		if err := push.Send(ctx, NewMsg(body)); err != nil {
			t.Fatal(err)
		}
		m, err := pull.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Frames[0], body) {
			t.Fatalf("message %d arrived wrong", i)
		}
		if i%2 == 0 {
			kept = append(kept, m)
		} else {
			m.Release()
			m.Release() // twice is a no-op
		}
	}
	for j, m := range kept {
		if !bytes.Equal(m.Frames[0], bytes.Repeat([]byte{byte(2 * j)}, 8<<10)) {
			t.Fatalf("kept message %d changed after later reads", 2*j)
		}
	}
	if !bytes.Equal(mine, bytes.Repeat([]byte{0xAB}, 8<<10)) {
		t.Fatal("a released foreign buffer was reused")
	}
}
