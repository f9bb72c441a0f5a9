package zmtp

import (
	"encoding/binary"
	"errors"
)

// Acknowledged delivery is a purezmq extension to ZMTP 3, used only between
// two purezmq peers that both announced PropAck in their handshake
// metadata. libzmq keeps properties it does not know as metadata and
// otherwise ignores them, so with a libzmq peer the extension stays off and
// neither command below is ever sent. The state behind it (what was sent,
// what was received) belongs to the socket layer; this file is the codec.
//
// Each direction of a connection is a stream of messages numbered from 1 by
// its sender over the life of the sender's queue for that peer, across
// reconnections. At the start of every connection each side sends
// CmdAckStream (its stream's id and the number of the next message it will
// write), and answers the peer's CmdAckStream with a CmdAck carrying how
// many of that stream's messages it has received. From then on the
// receiver sends CmdAck with the same cumulative count, in batches.
const (
	// PropAck is the metadata property that offers the extension; its value
	// is AckVersion.
	PropAck = "X-PureZMQ-Ack"
	// AckVersion is the one version of the extension.
	AckVersion = "1"

	// CmdAck carries an 8-octet big-endian count: the messages of the
	// peer's current stream received so far.
	CmdAck = "PZACK"
	// CmdAckStream carries a stream id (AckStreamIDSize octets), the
	// 8-octet big-endian number of the next message on this connection and
	// the sender's 4-octet window (how many messages it holds unacknowledged
	// at most, 0 for no limit), by which the receiver sizes its batches.
	CmdAckStream = "PZSTREAM"

	// AckStreamIDSize is the length of a stream id: random, so that two
	// senders (or one restarted) never share one.
	AckStreamIDSize = 16
)

// AckStreamID names one sender's stream of messages to one peer.
type AckStreamID [AckStreamIDSize]byte

// ErrMalformedAck reports a CmdAck or CmdAckStream whose body is not the
// size the extension defines.
var ErrMalformedAck = errors.New("zmtp: malformed acknowledgement command")

// AckOffered reports whether md (a peer's handshake metadata) offers the
// acknowledgement extension in the version we speak.
func AckOffered(md Metadata) bool {
	v, ok := md.Lookup(PropAck)
	return ok && string(v) == AckVersion
}

// AppendAck appends a CmdAck body (the data after the name).
func AppendAck(dst []byte, received uint64) []byte {
	return binary.BigEndian.AppendUint64(dst, received)
}

// ParseAck decodes a CmdAck body.
func ParseAck(body []byte) (uint64, error) {
	if len(body) != 8 {
		return 0, ErrMalformedAck
	}
	return binary.BigEndian.Uint64(body), nil
}

// ackStreamSize is the size of a CmdAckStream body.
const ackStreamSize = AckStreamIDSize + 8 + 4

// AppendAckStream appends a CmdAckStream body.
func AppendAckStream(dst []byte, id AckStreamID, next uint64, window uint32) []byte {
	dst = append(dst, id[:]...)
	dst = binary.BigEndian.AppendUint64(dst, next)
	return binary.BigEndian.AppendUint32(dst, window)
}

// ParseAckStream decodes a CmdAckStream body. The first message of a
// stream is number 1, so next is never 0.
func ParseAckStream(body []byte) (id AckStreamID, next uint64, window uint32, err error) {
	if len(body) != ackStreamSize {
		return id, 0, 0, ErrMalformedAck
	}
	copy(id[:], body)
	next = binary.BigEndian.Uint64(body[AckStreamIDSize:])
	if next == 0 {
		return id, 0, 0, ErrMalformedAck
	}
	return id, next, binary.BigEndian.Uint32(body[AckStreamIDSize+8:]), nil
}
