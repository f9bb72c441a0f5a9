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

// A message received over tcp and forwarded with SendOwned to two inproc
// SUBs is shared by both; one receiver's Release must not recycle buffers
// the other still reads (SendOwned disowns the pool mark).
func TestReleaseAfterForwardIsHarmless(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, _ := New(Pull)
	defer in.Close()
	src, _ := New(Push)
	defer src.Close()
	connectTo(t, src, bindAt(t, in, "tcp"))
	fan, _ := New(Pub)
	defer fan.Close()
	if err := fan.Bind("inproc://release-forward"); err != nil {
		t.Fatal(err)
	}
	var subs [2]*Socket
	for i := range subs {
		subs[i], _ = New(Sub)
		defer subs[i].Close()
		subs[i].Subscribe(nil)
		if err := subs[i].Connect("inproc://release-forward"); err != nil {
			t.Fatal(err)
		}
	}
	body := bytes.Repeat([]byte{0x5A}, 16<<10)
	if err := src.Send(ctx, NewMsg(body)); err != nil {
		t.Fatal(err)
	}
	m, err := in.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := fan.SendOwned(ctx, m); err != nil {
		t.Fatal(err)
	}
	a, err := subs[0].Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := subs[1].Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a.Release()
	// Later large reads would reuse a recycled buffer and overwrite b.
	for i := 0; i < 20; i++ {
		other := bytes.Repeat([]byte{byte(i)}, 16<<10)
		if err := src.Send(ctx, NewMsg(other)); err != nil {
			t.Fatal(err)
		}
		r, err := in.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r.Release()
	}
	if !bytes.Equal(b.Frames[0], body) {
		t.Fatal("a forwarded message changed after another receiver released it")
	}
}
