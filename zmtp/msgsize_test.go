package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

// TestMaxMessageSizeCountsFrames is finding 3 of issue 14: a limit of
// 1000 bytes let a message of empty frames with MORE grow without bound
// (5,000,000 of them took a receiver to 364 MiB). Each frame after the
// first now counts FrameCost bytes, so the message is refused after
// 1000/FrameCost frames with a *MessageSizeError; a one-frame message at
// exactly the limit, and a multipart one within it, still pass.
func TestMaxMessageSizeCountsFrames(t *testing.T) {
	const limit = 1000
	c, p := startRaw(t, 1, "DEALER", Config{SocketType: "DEALER", MaxMessageSize: limit})
	var in []byte
	in = AppendFrame(in, 0, make([]byte, limit))
	in = AppendFrame(in, FlagMore, make([]byte, 500))
	in = AppendFrame(in, FlagMore, nil)
	in = AppendFrame(in, 0, make([]byte, 500-2*FrameCost))
	empty := AppendFrame(nil, FlagMore, nil)
	in = append(in, bytes.Repeat(empty, 10_000)...)
	go p.write(in)
	for _, want := range []int{1, 3} {
		m, _, err := c.ReadMessage()
		if err != nil || len(m) != want {
			t.Fatalf("message within the limit: %d frames, %v", len(m), err)
		}
	}
	_, _, err := c.ReadMessage()
	var se *MessageSizeError
	if !errors.As(err, &se) || !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("flood of empty frames: %v, want a *MessageSizeError", err)
	}
	if se.Frames != limit/FrameCost+2 || se.Limit != limit || se.Size <= limit {
		t.Fatalf("%+v", se)
	}
	t.Log(err)
}
