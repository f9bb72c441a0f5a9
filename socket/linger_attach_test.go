package socket

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// A bound PUSH whose Sends were waiting for a peer fills that peer's pipe the
// moment it is attached; a Close right then used to find no connection
// registered yet, end its linger at once and refuse the connection when it
// started, discarding everything (close discarded 100 queued messages,
// nothing delivered). The window is small, so the case is run many times.
func TestLingerFlushesPeerAttachedJustBeforeClose(t *testing.T) {
	dir := t.TempDir()
	for i := range 60 {
		ep := "ipc://" + filepath.Join(dir, fmt.Sprint("s", i))
		pull, err := New(Pull, WithLinger(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		// Connected before the bind, as a bench local_thr --connect is.
		if err := pull.Connect(ep); err != nil {
			t.Fatal(err)
		}
		push, err := New(Push, WithLinger(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := push.Bind(ep); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got := make(chan int, 1)
		go func() {
			n := 0
			for ; n < 100; n++ {
				if _, err := pull.Recv(ctx); err != nil {
					break
				}
			}
			got <- n
		}()
		for range 100 {
			if err := push.Send(ctx, NewMsg([]byte("0123456789"))); err != nil {
				t.Fatalf("run %d: Send: %v", i, err)
			}
		}
		cerr := push.Close()
		n := <-got
		cancel()
		pull.Close()
		if cerr != nil || n != 100 {
			t.Fatalf("run %d: Close: %v; PULL received %d of 100", i, cerr, n)
		}
	}
}
