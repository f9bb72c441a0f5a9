package zmtp

import (
	"bufio"
	"errors"
	"io"
)

// LegacyFrameReader reads ZMTP 1.0 or 2.0 frames from a stream. It is kept
// apart from FrameReader, whose buffering is tuned for ZMTP 3.x: legacy
// peers are rare and slow, so plain bufio is enough here.
type LegacyFrameReader struct {
	br  *bufio.Reader
	v   LegacyVersion
	max int64
}

// NewLegacyFrameReader reads frames in framing v from br (which may hold
// bytes read past the greeting). Bodies over max bytes (max <= 0: no limit
// beyond an int) are refused from the header, before any allocation.
func NewLegacyFrameReader(br *bufio.Reader, v LegacyVersion, max int64) *LegacyFrameReader {
	return &LegacyFrameReader{br: br, v: v, max: max}
}

// legacyMaxHeader is the longest legacy header: 0xFF, 8 octets, flags (1.0).
const legacyMaxHeader = v1LongHeader

// ReadFrame reads one frame into buf (grown when too small, only once its
// size passed the limit) and returns the header and the body, which aliases
// the returned buffer. A stream that ends inside a frame is
// ErrShort (which matches io.ErrUnexpectedEOF); one that ends between frames is
// io.EOF.
func (r *LegacyFrameReader) ReadFrame(buf []byte) (FrameHeader, []byte, error) {
	var h FrameHeader
	var n int
	for want := 1; ; want++ {
		hdr, err := r.br.Peek(want)
		if len(hdr) < want {
			if errors.Is(err, io.EOF) {
				if len(hdr) == 0 {
					return h, nil, io.EOF
				}
				return h, nil, ErrShort
			}
			return h, nil, err
		}
		h, n, err = ParseLegacyFrameHeader(hdr, r.v, r.max)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrShort) || want == legacyMaxHeader {
			return h, nil, err
		}
	}
	if _, err := r.br.Discard(n); err != nil {
		return h, nil, err
	}
	if cap(buf) < h.Size {
		buf = make([]byte, h.Size)
	}
	body := buf[:h.Size]
	if _, err := io.ReadFull(r.br, body); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = ErrShort
		}
		return h, nil, err
	}
	return h, body, nil
}
