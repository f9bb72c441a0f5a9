package zmtp

import "fmt"

// FrameCost is what each frame of a multipart message after the first
// counts against Config.MaxMessageSize besides its body. A frame costs the
// receiver memory however short it is (its slice header, 24 bytes on
// 64-bit, twice while the message is assembled), and counting bodies alone
// let empty frames with MORE grow one message without bound under any
// limit. A one-frame message is measured as libzmq measures it; a
// multipart one is at most 16 bytes a frame stricter.
const FrameCost = 16

// MessageSizeError reports a message over Config.MaxMessageSize. It
// matches ErrMessageTooLarge.
type MessageSizeError struct {
	Limit  int64 // the configured maximum
	Size   int64 // the message's size when it passed the limit, frame costs included
	Frames int   // frames read of it by then, the one that passed included
}

func (e *MessageSizeError) Error() string {
	return fmt.Sprintf("zmtp: message too large: %d bytes in %d frames (each frame after the first counting %d) passed the limit of %d",
		e.Size, e.Frames, FrameCost, e.Limit)
}

func (e *MessageSizeError) Unwrap() error { return ErrMessageTooLarge }
