package zmtp

import "fmt"

// nullMechanism is RFC 37's NULL: both sides send READY with their metadata and
// wait for the other's. 3.0 and 3.1 do the same on the wire.
type nullMechanism struct {
	ready []byte // our READY body (metadata)
	check MetadataCheck
	peer  Metadata
	done  bool

	zap    *zapCaller // nil: nobody is asked
	userID string
	authMD Metadata
}

// NewNull returns the NULL mechanism sending md in its READY and validating the
// peer's READY with check (which may be nil).
func NewNull(md Metadata, check MetadataCheck) (Mechanism, error) {
	body, err := AppendMetadata(nil, md)
	if err != nil {
		return nil, err
	}
	return &nullMechanism{ready: body, check: check}, nil
}

func (m *nullMechanism) zapper() *zapCaller     { return m.zap }
func (m *nullMechanism) AuthMetadata() Metadata { return m.authMD }

// afterGreeting asks ZAP about the peer before our READY goes out: libzmq's
// NULL server sends READY only once its handler said 200, ERROR otherwise.
func (m *nullMechanism) afterGreeting(dst []byte) ([]byte, error) {
	if m.zap == nil {
		return dst, nil
	}
	res, dst, err := m.zap.ask(dst, "NULL")
	if err != nil {
		return dst, err
	}
	m.userID, m.authMD = res.UserID, res.Metadata
	return appendCmd(dst, CmdReady, m.ready), nil
}

func (m *nullMechanism) Name() string           { return "NULL" }
func (m *nullMechanism) AsServer() bool         { return false }
func (m *nullMechanism) PeerMetadata() Metadata { return m.peer }
func (m *nullMechanism) UserID() string         { return m.userID }
func (m *nullMechanism) FrameCodec() FrameCodec { return nil }

func (m *nullMechanism) Start(dst []byte) ([]byte, error) {
	if m.zap != nil {
		return dst, nil // READY waits for the handler (afterGreeting)
	}
	return appendCmd(dst, CmdReady, m.ready), nil
}

func (m *nullMechanism) Next(dst []byte, cmd Command) ([]byte, bool, error) {
	if cmd.Name == CmdError {
		// Also after READY: a peer that rejects our READY says so after sending its own.
		return dst, m.done, peerErrorFrom(cmd.Body)
	}
	if m.done {
		return dst, true, fmt.Errorf("%w: %s after READY", ErrUnexpectedCommand, cmd.Name)
	}
	switch cmd.Name {
	case CmdReady:
		md, dst, err := acceptMetadata(dst, cmd.Body, m.check)
		if err != nil {
			return dst, false, err
		}
		m.peer, m.done = md, true
		return dst, true, nil
	}
	return dst, false, fmt.Errorf("%w: %q in NULL handshake", ErrUnexpectedCommand, cmd.Name)
}
