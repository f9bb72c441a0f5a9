package zmtp

import (
	"fmt"
	"math"
)

// AppendHello appends a PLAIN HELLO command. User name and password are at most
// 255 bytes each (1-octet lengths, RFC 24).
func AppendHello(dst []byte, username, password string) ([]byte, error) {
	if len(username) > math.MaxUint8 || len(password) > math.MaxUint8 {
		return dst, ErrMalformedCommand
	}
	return appendCmd(dst, CmdHello,
		[]byte{byte(len(username))}, []byte(username),
		[]byte{byte(len(password))}, []byte(password)), nil
}

// ParseHello decodes HELLO data, which the two length-prefixed strings must
// fill exactly.
func ParseHello(data []byte) (username, password string, err error) {
	if len(data) < 1 {
		return "", "", ErrMalformedCommand
	}
	ul := int(data[0])
	if len(data) < 1+ul+1 {
		return "", "", ErrMalformedCommand
	}
	pl := int(data[1+ul])
	if len(data) != 1+ul+1+pl {
		return "", "", ErrMalformedCommand
	}
	return string(data[1 : 1+ul]), string(data[2+ul:]), nil
}

// AppendWelcome appends a PLAIN WELCOME command (no data).
func AppendWelcome(dst []byte) []byte { return appendCmd(dst, CmdWelcome) }

// AppendInitiate appends a PLAIN INITIATE command carrying m.
func AppendInitiate(dst []byte, m Metadata) ([]byte, error) {
	body, err := AppendMetadata(nil, m)
	if err != nil {
		return dst, err
	}
	return appendCmd(dst, CmdInitiate, body), nil
}

// Authenticator verifies PLAIN credentials and returns the user id for the
// connection, or an error whose text is sent to the client as ERROR reason.
type Authenticator func(mechanism, username, password string) (userID string, err error)

type plainState int

const (
	plainWantWelcome plainState = iota
	plainWantReady
	plainWantHello
	plainWantInitiate
	plainDone
)

// plainMechanism is RFC 24 PLAIN, client or server side.
type plainMechanism struct {
	server bool
	user   string
	pass   string
	auth   Authenticator
	md     []byte // our metadata block
	check  MetadataCheck
	state  plainState
	peer   Metadata
	userID string
	zap    *zapCaller // server: asked instead of auth when set
	authMD Metadata
}

// NewPlainClient returns the client side of PLAIN: it sends HELLO with the
// credentials, then INITIATE with md, and accepts the server's READY after
// validating it with check (may be nil).
func NewPlainClient(username, password string, md Metadata, check MetadataCheck) (Mechanism, error) {
	if len(username) > math.MaxUint8 || len(password) > math.MaxUint8 {
		return nil, fmt.Errorf("%w: PLAIN user name and password are limited to 255 bytes", ErrBadConfig)
	}
	body, err := AppendMetadata(nil, md)
	if err != nil {
		return nil, err
	}
	return &plainMechanism{user: username, pass: password, md: body, check: check, state: plainWantWelcome}, nil
}

// NewPlainServer returns the server side of PLAIN: it verifies HELLO through
// auth, then answers the client's INITIATE with READY carrying md.
func NewPlainServer(auth Authenticator, md Metadata, check MetadataCheck) (Mechanism, error) {
	return newPlainServer(auth, nil, md, check)
}

// newPlainServer is NewPlainServer that may ask a ZAP handler instead.
func newPlainServer(auth Authenticator, zap *zapCaller, md Metadata, check MetadataCheck) (Mechanism, error) {
	if auth == nil && zap == nil {
		return nil, fmt.Errorf("%w: PLAIN server needs an Authenticate callback or a ZAP handler", ErrBadConfig)
	}
	body, err := AppendMetadata(nil, md)
	if err != nil {
		return nil, err
	}
	return &plainMechanism{server: true, auth: auth, zap: zap, md: body, check: check, state: plainWantHello}, nil
}

func (m *plainMechanism) zapper() *zapCaller     { return m.zap }
func (m *plainMechanism) AuthMetadata() Metadata { return m.authMD }

func (m *plainMechanism) Name() string           { return "PLAIN" }
func (m *plainMechanism) AsServer() bool         { return m.server }
func (m *plainMechanism) PeerMetadata() Metadata { return m.peer }
func (m *plainMechanism) UserID() string         { return m.userID }
func (m *plainMechanism) FrameCodec() FrameCodec { return nil }

func (m *plainMechanism) Start(dst []byte) ([]byte, error) {
	if m.server {
		return dst, nil
	}
	return AppendHello(dst, m.user, m.pass)
}

func (m *plainMechanism) Next(dst []byte, cmd Command) ([]byte, bool, error) {
	if cmd.Name == CmdError && m.state != plainDone {
		return dst, false, peerErrorFrom(cmd.Body)
	}
	switch {
	case m.state == plainWantWelcome && cmd.Name == CmdWelcome:
		if len(cmd.Body) != 0 {
			return dst, false, ErrMalformedCommand
		}
		m.state = plainWantReady
		return appendCmd(dst, CmdInitiate, m.md), false, nil

	case m.state == plainWantReady && cmd.Name == CmdReady:
		md, dst, err := acceptMetadata(dst, cmd.Body, m.check)
		if err != nil {
			return dst, false, err
		}
		m.peer, m.state = md, plainDone
		return dst, true, nil

	case m.state == plainWantHello && cmd.Name == CmdHello:
		user, pass, err := ParseHello(cmd.Body)
		if err != nil {
			return dst, false, err
		}
		if m.zap != nil {
			// libzmq asks on HELLO and uses the handler's user id as is.
			res, dst, err := m.zap.ask(dst, "PLAIN", []byte(user), []byte(pass))
			if err != nil {
				return dst, false, err
			}
			m.userID, m.authMD, m.state = res.UserID, res.Metadata, plainWantInitiate
			return AppendWelcome(dst), false, nil
		}
		id, err := m.auth("PLAIN", user, pass)
		if err != nil {
			return rejectWith(dst, err), false, fmt.Errorf("%w: %w", ErrAuthFailed, err)
		}
		if id == "" {
			id = user
		}
		m.userID, m.state = id, plainWantInitiate
		return AppendWelcome(dst), false, nil

	case m.state == plainWantInitiate && cmd.Name == CmdInitiate:
		md, dst, err := acceptMetadata(dst, cmd.Body, m.check)
		if err != nil {
			return dst, false, err
		}
		m.peer, m.state = md, plainDone
		return appendCmd(dst, CmdReady, m.md), true, nil
	}
	return dst, m.state == plainDone, fmt.Errorf("%w: %q in PLAIN handshake", ErrUnexpectedCommand, cmd.Name)
}
