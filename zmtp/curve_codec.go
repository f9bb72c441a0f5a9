package zmtp

import (
	"errors"
	"fmt"
	"math"

	"golang.org/x/crypto/nacl/box"
)

// MESSAGE flags byte, the first byte inside each box: libzmq carries the
// frame's MORE and COMMAND flags there (bits 0 and 1), so commands such as
// PING and SUBSCRIBE travel encrypted like messages.
const (
	curveFlagMore    = 1 << 0
	curveFlagCommand = 1 << 1
)

// scratchKeep bounds the scratch buffers kept between frames, so one huge
// message does not pin its size in memory for the connection's lifetime.
const scratchKeep = 256 << 10

// curveCodec wraps every frame after the CURVE handshake in a MESSAGE
// command. EncodeFrame runs under Conn's write lock and DecodeFrame on its
// single reader, so each direction owns its state and scratch buffer.
type curveCodec struct {
	key        [32]byte // precomputed box key of the two transient keys
	sendPrefix string
	recvPrefix string

	sendNonce uint64 // last short nonce sent
	recvNonce uint64 // last short nonce received
	plain     []byte // encode scratch: flags byte and body
	open      []byte // decode scratch: the opened box
}

func newCurveCodec(key [32]byte, server bool, sent, received uint64) *curveCodec {
	c := &curveCodec{key: key, sendNonce: sent, recvNonce: received,
		sendPrefix: noncePrefixMessageC, recvPrefix: noncePrefixMessageS}
	if server {
		c.sendPrefix, c.recvPrefix = c.recvPrefix, c.sendPrefix
	}
	return c
}

// scratch returns buf resized to n bytes, reusing its memory when possible.
func scratch(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n)
	}
	return buf[:n]
}

// keepScratch drops a scratch buffer that grew beyond scratchKeep.
func keepScratch(buf []byte) []byte {
	if cap(buf) > scratchKeep {
		return nil
	}
	return buf[:0]
}

// EncodeFrame appends the MESSAGE frame carrying one frame. Like libzmq, the
// MESSAGE travels as a plain final frame (flags 0): MORE and COMMAND are
// inside the box.
func (c *curveCodec) EncodeFrame(dst []byte, flags byte, body []byte) ([]byte, error) {
	if c.sendNonce == math.MaxUint64 {
		return dst, curveErr(CmdMessage, fmt.Errorf("%w: nonce counter exhausted", ErrCurveNonce))
	}
	c.sendNonce++
	var inner byte
	if flags&FlagMore != 0 {
		inner |= curveFlagMore
	}
	if flags&FlagCommand != 0 {
		inner |= curveFlagCommand
	}
	c.plain = scratch(c.plain, 1+len(body))
	c.plain[0] = inner
	copy(c.plain[1:], body)

	size := len(messageHeader) + curveShortNonce + curveBoxExtra + len(c.plain)
	dst = AppendFrameHeader(dst, 0, size)
	dst = append(dst, messageHeader...)
	var sn [curveShortNonce]byte
	putShort(sn[:], c.sendNonce)
	dst = append(dst, sn[:]...)
	dst = box.SealAfterPrecomputation(dst, c.plain, shortNonce(c.sendPrefix, c.sendNonce), &c.key)
	c.plain = keepScratch(c.plain)
	return dst, nil
}

// DecodeFrame opens a MESSAGE frame. The frame it carries is returned in
// body's own memory, so it stays valid as long as body does. The wire flags
// are not checked: libzmq sends MESSAGE as a data frame, RFC 26 as a command.
func (c *curveCodec) DecodeFrame(h FrameHeader, body []byte) (FrameHeader, []byte, error) {
	n, sealed, err := parseCurveMessage(body)
	if err != nil {
		var ce *CurveError
		if errors.As(err, &ce) && errors.Is(err, ErrUnexpectedCommand) {
			// A plain ERROR is how a peer may still refuse us; say so.
			if cmd, perr := ParseCommand(body); perr == nil && cmd.Name == CmdError {
				return h, nil, peerErrorFrom(cmd.Body)
			}
		}
		return h, nil, err
	}
	if n <= c.recvNonce {
		return h, nil, curveErr(CmdMessage, fmt.Errorf("%w: %d after %d", ErrCurveNonce, n, c.recvNonce))
	}
	c.open = scratch(c.open, 0)
	out, ok := box.OpenAfterPrecomputation(c.open, sealed, shortNonce(c.recvPrefix, n), &c.key)
	if !ok {
		return h, nil, curveErr(CmdMessage, ErrCurveBox)
	}
	c.recvNonce = n
	inner := out[0]
	var flags byte
	if inner&curveFlagMore != 0 {
		flags |= FlagMore
	}
	if inner&curveFlagCommand != 0 {
		flags |= FlagCommand
	}
	if flags == FlagMore|FlagCommand {
		return h, nil, curveErr(CmdMessage, ErrBadFlags)
	}
	payload := body[:copy(body, out[1:])]
	c.open = keepScratch(out)
	return FrameHeader{Flags: flags, Size: len(payload)}, payload, nil
}
