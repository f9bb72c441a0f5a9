package queue

import (
	"context"
	"fmt"
	"testing"
)

// A conflating pipe holds only the newest message: pushes never fail or
// wait whatever the HWM, each replaces what waits, and the replaced ones
// are counted.
func TestPipeConflate(t *testing.T) {
	p := New(Config{HWM: 1, Mute: Block, Conflate: true})
	for i := 0; i < 5; i++ {
		if err := p.TryPush(msg(fmt.Sprint(i))); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if p.Len() != 1 || !p.HasRoom() {
			t.Fatalf("after push %d: Len %d, HasRoom %v; want 1, true", i, p.Len(), p.HasRoom())
		}
	}
	select {
	case <-p.Readable():
	default:
		t.Fatal("not readable with a message queued")
	}
	mustPop(t, p, "4")
	if _, ok := p.Pop(); ok {
		t.Fatal("a second message after the newest")
	}
	if err := p.Push(context.Background(), msg("5")); err != nil {
		t.Fatal(err)
	}
	mustPop(t, p, "5")
	st := p.Stats()
	if st.Conflated != 4 || st.Pushed != 6 || st.Popped != 2 || st.Dropped != 0 || st.HWMHits != 0 {
		t.Fatalf("stats %+v", st)
	}
}
