package socket

import "context"

// NewMsgString makes a message of the given string parts, one frame each.
func NewMsgString(parts ...string) Msg {
	frames := make([][]byte, len(parts))
	for i, p := range parts {
		frames[i] = []byte(p)
	}
	return Msg{Frames: frames}
}

// String returns frame i as a string, or "" when m has no frame i.
func (m Msg) String(i int) string {
	if i < 0 || i >= len(m.Frames) {
		return ""
	}
	return string(m.Frames[i])
}

// Strings returns every frame as a string.
func (m Msg) Strings() []string {
	s := make([]string, len(m.Frames))
	for i, f := range m.Frames {
		s[i] = string(f)
	}
	return s
}

// SendString sends a message of the given string parts, one frame each
// (Send with NewMsgString).
func (s *Socket) SendString(ctx context.Context, parts ...string) error {
	return s.Send(ctx, NewMsgString(parts...))
}

// RecvString receives a message and returns its frames as strings,
// releasing its buffers.
func (s *Socket) RecvString(ctx context.Context) ([]string, error) {
	m, err := s.Recv(ctx)
	if err != nil {
		return nil, err
	}
	parts := m.Strings()
	m.Release()
	return parts, nil
}
