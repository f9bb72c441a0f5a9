package zmtp

// Mechanism is one side of a security handshake, written as a state machine
// with no I/O: Conn feeds it the peer's commands and sends what it returns.
// NULL, PLAIN and CURVE (curve.go) are provided.
type Mechanism interface {
	// Name is the mechanism as announced in the greeting, e.g. "PLAIN".
	Name() string
	// AsServer is the greeting's as-server bit for this side.
	AsServer() bool
	// Start appends to dst the command frames this side sends first (possibly
	// none) and returns the extended slice.
	Start(dst []byte) ([]byte, error)
	// Next consumes one command from the peer and appends the command frames to
	// send in reply. done is true once the handshake is complete for this side.
	// When err is not nil, out may still hold an ERROR command for the peer: the
	// caller sends it before failing the connection.
	Next(dst []byte, cmd Command) (out []byte, done bool, err error)
	// PeerMetadata is the metadata received from the peer, valid after done.
	PeerMetadata() Metadata
	// UserID is the authenticated identity of the peer ("" when the mechanism
	// authenticates nobody, as NULL and the PLAIN client side).
	UserID() string
	// FrameCodec returns the codec for traffic after the handshake, or nil when
	// frames travel unchanged (NULL, PLAIN).
	FrameCodec() FrameCodec
}

// FrameCodec transforms frames after the handshake, for mechanisms that encrypt
// traffic (CURVE wraps each frame in a MESSAGE command; libzmq marks commands
// inside with flag bit 1).
type FrameCodec interface {
	// EncodeFrame appends to dst the wire frame(s) carrying a frame with the
	// given flags (FlagMore, FlagCommand) and body.
	EncodeFrame(dst []byte, flags byte, body []byte) ([]byte, error)
	// DecodeFrame turns a received wire frame into the frame it carries. The
	// returned body may alias body or scratch.
	DecodeFrame(h FrameHeader, body []byte) (FrameHeader, []byte, error)
}

// MetadataCheck validates the peer's metadata during the handshake; an error
// makes the mechanism send ERROR with the error text and fail.
type MetadataCheck func(Metadata) error

// checkMetadata runs check (when set) on the peer's metadata. When it
// refuses, the returned dst carries an ERROR with the reason for the peer.
func checkMetadata(dst []byte, md Metadata, check MetadataCheck) ([]byte, error) {
	if check == nil {
		return dst, nil
	}
	if err := check(md); err != nil {
		return rejectWith(dst, err), err
	}
	return dst, nil
}

// acceptMetadata parses the metadata of a READY or INITIATE body and checks
// it (checkMetadata): the one step every mechanism ends its handshake with.
func acceptMetadata(dst, body []byte, check MetadataCheck) (Metadata, []byte, error) {
	md, err := ParseMetadata(body)
	if err != nil {
		return nil, dst, err
	}
	dst, err = checkMetadata(dst, md, check)
	return md, dst, err
}

// rejectWith appends an ERROR command whose reason is err's text.
func rejectWith(dst []byte, err error) []byte {
	return AppendError(dst, err.Error())
}

// peerErrorFrom decodes an ERROR command's data into a *PeerError.
func peerErrorFrom(data []byte) error {
	reason, err := ParseError(data)
	if err != nil {
		return err
	}
	return &PeerError{Reason: reason}
}
