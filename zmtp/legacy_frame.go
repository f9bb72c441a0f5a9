package zmtp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// LegacyVersion names one of the two framings that predate ZMTP 3.0.
type LegacyVersion int

const (
	// ZMTP10 is ZMTP/1.0 (RFC 13, libzmq 2.x): the length octet(s) come
	// first and count the flags octet that follows them.
	ZMTP10 LegacyVersion = 1
	// ZMTP20 is ZMTP/2.0 (RFC 15, libzmq 3.x): flags first, then a length
	// that counts the body only, as in ZMTP 3.x but without commands.
	ZMTP20 LegacyVersion = 2
)

func (v LegacyVersion) String() string {
	switch v {
	case ZMTP10:
		return "ZMTP/1.0"
	case ZMTP20:
		return "ZMTP/2.0"
	}
	return fmt.Sprintf("LegacyVersion(%d)", int(v))
}

// Legacy framing errors.
var (
	// ErrBadFrameLength reports a ZMTP 1.0 length of zero: the length counts
	// the flags octet, so the smallest valid value is 1.
	ErrBadFrameLength = errors.New("zmtp: bad legacy frame length")
	// ErrBadLegacyVersion reports a LegacyVersion other than ZMTP10/ZMTP20.
	ErrBadLegacyVersion = errors.New("zmtp: unknown legacy protocol version")
)

// FrameSizeError reports a frame whose announced body size exceeds the limit
// the caller passed. It is returned from the header alone, before any body
// byte is read or allocated. It matches ErrFrameTooLarge.
type FrameSizeError struct {
	Size uint64 // body size announced by the peer
	Max  int64  // the caller's limit
}

func (e *FrameSizeError) Error() string {
	return fmt.Sprintf("zmtp: frame body of %d bytes exceeds the limit of %d", e.Size, e.Max)
}

func (e *FrameSizeError) Unwrap() error { return ErrFrameTooLarge }

// Header sizes of the two legacy framings.
const (
	v1ShortHeader = 2  // length octet, flags
	v1LongHeader  = 10 // 0xFF, 8-octet length, flags
	v2ShortHeader = 2  // flags, length octet
	v2LongHeader  = 9  // flags, 8-octet length
)

// v2FlagsReserved are the ZMTP 2.0 flag bits that RFC 15 says MUST be zero.
const v2FlagsReserved byte = 0xFC

// AppendLegacyFrameHeader appends the header of a frame of size body bytes in
// framing v (anything but ZMTP10 means ZMTP 2.0). more sets the MORE flag.
// The short form is used whenever it fits.
func AppendLegacyFrameHeader(dst []byte, v LegacyVersion, more bool, size int) []byte {
	var flags byte
	if more {
		flags = FlagMore
	}
	if v == ZMTP10 {
		// RFC 13: the length counts the flags octet; 255 marks the long form.
		n := uint64(size) + 1
		if n < math.MaxUint8 {
			return append(dst, byte(n), flags)
		}
		dst = binary.BigEndian.AppendUint64(append(dst, 0xFF), n)
		return append(dst, flags)
	}
	if size <= math.MaxUint8 {
		return append(dst, flags, byte(size))
	}
	return binary.BigEndian.AppendUint64(append(dst, flags|FlagLong), uint64(size))
}

// AppendLegacyFrame appends a whole frame, header then body, in framing v.
func AppendLegacyFrame(dst []byte, v LegacyVersion, more bool, body []byte) []byte {
	return append(AppendLegacyFrameHeader(dst, v, more, len(body)), body...)
}

// ParseLegacyFrameHeader decodes a frame header in framing v from the start of
// b and returns it with the number of header bytes. The returned Flags hold
// FlagMore or nothing; Size is the body length (for ZMTP 1.0, the wire length
// minus the flags octet).
//
// max bounds the body size (max <= 0 means the largest int): a larger size is
// a *FrameSizeError decided from the header alone. A prefix of a valid header
// is ErrShort. ZMTP 2.0 reserved flag bits are ErrBadFlags (RFC 15: MUST be
// zero); ZMTP 1.0 reserved bits are ignored (RFC 13: SHOULD be zero), and a
// ZMTP 1.0 length of zero is ErrBadFrameLength.
func ParseLegacyFrameHeader(b []byte, v LegacyVersion, max int64) (FrameHeader, int, error) {
	if max <= 0 || max > math.MaxInt {
		max = math.MaxInt
	}
	switch v {
	case ZMTP10:
		return parseV1Header(b, max)
	case ZMTP20:
		return parseV2Header(b, max)
	}
	return FrameHeader{}, 0, ErrBadLegacyVersion
}

func parseV1Header(b []byte, max int64) (FrameHeader, int, error) {
	var h FrameHeader
	if len(b) < 1 {
		return h, 0, ErrShort
	}
	length, n := uint64(b[0]), 1
	if b[0] == 0xFF {
		if len(b) < 9 {
			return h, 0, ErrShort
		}
		length, n = binary.BigEndian.Uint64(b[1:9]), 9
	}
	if length == 0 {
		return h, 0, ErrBadFrameLength
	}
	// Check the size before waiting for the flags octet, so a huge length is
	// refused as soon as it is known.
	if size := length - 1; size > uint64(max) {
		return h, 0, &FrameSizeError{Size: size, Max: max}
	}
	if len(b) < n+1 {
		return h, 0, ErrShort
	}
	h.Flags = b[n] & FlagMore
	h.Size = int(length - 1)
	return h, n + 1, nil
}

func parseV2Header(b []byte, max int64) (FrameHeader, int, error) {
	var h FrameHeader
	if len(b) < 1 {
		return h, 0, ErrShort
	}
	flags := b[0]
	if flags&v2FlagsReserved != 0 {
		return h, 0, ErrBadFlags
	}
	h.Flags = flags & FlagMore
	var size uint64
	n := v2ShortHeader
	if flags&FlagLong == 0 {
		if len(b) < v2ShortHeader {
			return h, 0, ErrShort
		}
		size = uint64(b[1])
	} else {
		if len(b) < v2LongHeader {
			return h, 0, ErrShort
		}
		size, n = binary.BigEndian.Uint64(b[1:v2LongHeader]), v2LongHeader
	}
	if size > uint64(max) {
		return h, 0, &FrameSizeError{Size: size, Max: max}
	}
	h.Size = int(size)
	return h, n, nil
}

// ParseLegacyFrame decodes a whole frame in framing v from the start of b and
// returns its header, its body (aliasing b) and the bytes used.
func ParseLegacyFrame(b []byte, v LegacyVersion, max int64) (FrameHeader, []byte, int, error) {
	h, n, err := ParseLegacyFrameHeader(b, v, max)
	if err != nil {
		return h, nil, 0, err
	}
	if len(b)-n < h.Size {
		return h, nil, 0, ErrShort
	}
	return h, b[n : n+h.Size : n+h.Size], n + h.Size, nil
}
