package socket

import (
	"slices"
	"testing"
	"time"
)

func TestMsgStrings(t *testing.T) {
	m := NewMsgString("a", "", "ccc")
	if len(m.Frames) != 3 || m.String(0) != "a" || m.String(1) != "" || m.String(2) != "ccc" {
		t.Fatalf("NewMsgString gave %q", m.Frames)
	}
	if m.String(3) != "" || m.String(-1) != "" {
		t.Error("String out of range is not empty")
	}
	if got := m.Strings(); !slices.Equal(got, []string{"a", "", "ccc"}) {
		t.Errorf("Strings = %q", got)
	}
	if len(NewMsgString().Frames) != 0 {
		t.Error("NewMsgString() has frames")
	}
}

func TestSendRecvString(t *testing.T) {
	pull := newSock(t, Pull)
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push)
	connectTo(t, push, ep)
	if err := push.SendString(ctxT(t, 5*time.Second), "hello", "world"); err != nil {
		t.Fatal(err)
	}
	got, err := pull.RecvString(ctxT(t, 5*time.Second))
	if err != nil || !slices.Equal(got, []string{"hello", "world"}) {
		t.Fatalf("RecvString = %q, %v", got, err)
	}
	if _, err := pull.RecvString(ctxT(t, 50*time.Millisecond)); err == nil {
		t.Error("RecvString with nothing sent succeeded")
	}
}
