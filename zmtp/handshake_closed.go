package zmtp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
)

// ErrPeerClosedHandshake: the peer closed the connection in the middle of
// the handshake, without an ERROR command. It is returned as a
// *PeerClosedError.
var ErrPeerClosedHandshake = errors.New("zmtp: peer closed the connection during the handshake")

// PeerClosedError reports a peer that hung up during the handshake. libzmq
// does that, without a word, when our Socket-Type does not go with its own
// (a REQ talking to a PUB) and when it refuses the connection; other
// peers when they do not speak ZMTP 3. It matches ErrPeerClosedHandshake
// and the underlying read error (io.ErrUnexpectedEOF, or ECONNRESET).
type PeerClosedError struct {
	// After is the last thing we sent: "greeting", or a command name such
	// as "READY" (NULL), "HELLO" or "INITIATE" (PLAIN, CURVE).
	After string
	// PeerGreeting: the peer's greeting had arrived.
	PeerGreeting bool
	SocketType   string // ours
	Mechanism    string
	Err          error
}

func (e *PeerClosedError) Error() string {
	hint := "a socket-type mismatch or a refusal?"
	if e.Mechanism != "NULL" {
		hint = "a socket-type mismatch, refused credentials or a refusal?"
	}
	if !e.PeerGreeting {
		// libzmq may reset the connection when it hangs up, which
		// discards its greeting from our receive buffer: a peer that
		// sent none is not told apart from one whose greeting was lost.
		hint = strings.TrimSuffix(hint, "?") + ", or not a ZMTP 3 peer?"
	}
	mech := ""
	if e.Mechanism != "NULL" {
		mech = ", mechanism " + e.Mechanism
	}
	return fmt.Sprintf("zmtp: peer closed the connection during the handshake after our %s (socket type %s%s; %s)",
		e.After, e.SocketType, mech, hint)
}

// Is makes errors.Is(err, ErrPeerClosedHandshake) hold.
func (e *PeerClosedError) Is(target error) bool { return target == ErrPeerClosedHandshake }

// Unwrap returns the read error.
func (e *PeerClosedError) Unwrap() error { return e.Err }

// peerClosed turns a read error of the handshake that means the peer hung
// up into a *PeerClosedError; other errors pass unchanged.
func (c *Conn) peerClosed(err error, after string, gotGreeting bool) error {
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &PeerClosedError{After: after, PeerGreeting: gotGreeting, SocketType: c.cfg.SocketType,
		Mechanism: c.mech.Name(), Err: err}
}

// lastCommandName returns the name of the last command encoded in b (whole
// frames, as a mechanism returns them), or def when there is none.
func lastCommandName(b []byte, def string) string {
	name := def
	for len(b) >= 2 {
		flags := b[0]
		var size uint64
		var hdr int
		if flags&FlagLong != 0 {
			if len(b) < 9 {
				break
			}
			size, hdr = binary.BigEndian.Uint64(b[1:9]), 9
		} else {
			size, hdr = uint64(b[1]), 2
		}
		if uint64(len(b)-hdr) < size {
			break
		}
		body := b[hdr : hdr+int(size)]
		if flags&FlagCommand != 0 && len(body) > 0 && int(body[0]) < len(body) {
			name = string(body[1 : 1+int(body[0])])
		}
		b = b[hdr+int(size):]
	}
	return name
}
