package zmtp

import (
	"encoding/binary"
	"io"
	"math"
	"net"

	"github.com/purezmq/purezmq/internal/buf"
)

// Frame flag bits (RFC 37 "Framing"). Bits 3-7 are reserved and must be zero.
const (
	FlagMore    byte = 1 << 0
	FlagLong    byte = 1 << 1
	FlagCommand byte = 1 << 2

	flagsReserved byte = 0xF8
)

// Header sizes: flags plus a 1-octet or an 8-octet size.
const (
	shortHeaderSize = 2
	longHeaderSize  = 9
	// MaxFrameHeaderSize is the largest encoded frame header.
	MaxFrameHeaderSize = longHeaderSize
)

// FrameHeader is a decoded frame header. Flags never has FlagLong set: the size
// encoding is a wire detail that AppendFrameHeader chooses again from Size.
type FrameHeader struct {
	Flags byte // FlagMore and/or FlagCommand
	Size  int  // body length in bytes
}

// More reports whether more frames of the same message follow.
func (h FrameHeader) More() bool { return h.Flags&FlagMore != 0 }

// Command reports whether the frame is a command.
func (h FrameHeader) Command() bool { return h.Flags&FlagCommand != 0 }

// AppendFrameHeader appends a header for a body of size bytes, using the short
// form up to 255 bytes as RFC 37 recommends. flags may hold FlagMore and
// FlagCommand; FlagLong is set or cleared here.
func AppendFrameHeader(dst []byte, flags byte, size int) []byte {
	flags &^= FlagLong
	if size <= math.MaxUint8 {
		return append(dst, flags, byte(size))
	}
	return binary.BigEndian.AppendUint64(append(dst, flags|FlagLong), uint64(size))
}

// AppendFrame appends a whole frame: header then body.
func AppendFrame(dst []byte, flags byte, body []byte) []byte {
	return append(AppendFrameHeader(dst, flags, len(body)), body...)
}

// ParseFrameHeader decodes a frame header from the start of b and returns the
// number of header bytes. Reserved flag bits, a command with MORE set and a
// size that does not fit in an int (2^63 and above, or 2^31 and above on 32-bit
// platforms) are errors.
func ParseFrameHeader(b []byte) (FrameHeader, int, error) {
	var h FrameHeader
	if len(b) < shortHeaderSize {
		return h, 0, ErrShort
	}
	flags := b[0]
	if flags&flagsReserved != 0 || flags&(FlagCommand|FlagMore) == FlagCommand|FlagMore {
		return h, 0, ErrBadFlags
	}
	h.Flags = flags &^ FlagLong
	if flags&FlagLong == 0 {
		h.Size = int(b[1])
		return h, shortHeaderSize, nil
	}
	if len(b) < longHeaderSize {
		return h, 0, ErrShort
	}
	size := binary.BigEndian.Uint64(b[1:longHeaderSize])
	if size > math.MaxInt {
		return h, 0, ErrFrameTooLarge
	}
	h.Size = int(size)
	return h, longHeaderSize, nil
}

// ParseFrame decodes a whole frame from the start of b. The body aliases b.
func ParseFrame(b []byte) (FrameHeader, []byte, int, error) {
	h, n, err := ParseFrameHeader(b)
	if err != nil {
		return h, nil, 0, err
	}
	if len(b)-n < h.Size {
		return h, nil, 0, ErrShort
	}
	return h, b[n : n+h.Size : n+h.Size], n + h.Size, nil
}

// FrameReader reads frames from a stream through its own buffer, so many small
// frames are parsed out of one read and nothing is allocated per frame.
type FrameReader struct {
	r  io.Reader
	br *lazyReader
	// fillCap, when positive, bounds each read into br. While large frames
	// stream, a full-size fill would pull most of the next body into br
	// only to copy it out again; a small fill brings the next header and
	// leaves the body to ReadBody's direct read.
	fillCap int
	// MaxFrameSize bounds a frame body; <= 0 means no bound. It is checked
	// before any buffer is sized for the body.
	MaxFrameSize int64
	// legacy, when set, makes ReadHeader parse ZMTP 1.0 or 2.0 headers
	// (legacy_conn.go); zero is ZMTP 3.x.
	legacy LegacyVersion
	// vecMax is the most slices a read of r fills (see vecReader); below
	// 4 nothing is read ahead (readahead.go).
	vecMax int
	ra     readAhead
}

// DefaultBufferSize is the read and write buffer size used when none is given.
const DefaultBufferSize = 64 << 10

// NewFrameReader returns a reader of frames from r with a buffer of bufSize
// bytes (DefaultBufferSize if <= 0).
func NewFrameReader(r io.Reader, bufSize int) *FrameReader {
	if bufSize <= 0 {
		bufSize = DefaultBufferSize
	}
	fr := &FrameReader{r: r, vecMax: 2}
	fr.br = newLazyReader(fillReader{fr}, bufSize)
	return fr
}

// fillReader is what br reads from: the stream, in reads of at most fillCap.
type fillReader struct{ fr *FrameReader }

func (f fillReader) Read(p []byte) (int, error) {
	if c := f.fr.fillCap; c > 0 && len(p) > c {
		p = p[:c]
	}
	return f.fr.r.Read(p)
}

// largeFill is the read size into the buffer while large frames stream, the
// size of libzmq's own input batch.
const largeFill = 8 << 10

// directReadMin is the part of a body still to come from which ReadBody reads
// it straight from the stream into the caller's buffer, as libzmq's decoder
// does for large messages: below it one read into our buffer that also brings
// the next frames beats a read of its own, above it the copy out of our
// buffer costs more than the extra read call.
const directReadMin = 32 << 10

// Buffered returns the number of bytes read from the stream but not yet parsed.
func (fr *FrameReader) Buffered() int { return fr.br.Buffered() + fr.guessedBytes() }

// ReadHeader reads the next frame header. It returns io.EOF if the stream ends
// cleanly before the header and io.ErrUnexpectedEOF if it ends inside it. A
// body larger than MaxFrameSize is reported as ErrFrameTooLarge without
// consuming the header.
func (fr *FrameReader) ReadHeader() (FrameHeader, error) {
	if fr.legacy != 0 {
		return fr.readLegacyHeader()
	}
	if fr.ra.n > 0 {
		if h, ok := fr.guessedHeader(); ok {
			return h, nil
		}
	}
	b, err := fr.br.Peek(shortHeaderSize)
	if err != nil {
		return FrameHeader{}, eofErr(err, len(b))
	}
	if b[0]&FlagLong != 0 {
		if b, err = fr.br.Peek(longHeaderSize); err != nil {
			return FrameHeader{}, eofErr(err, len(b))
		}
	}
	h, n, err := ParseFrameHeader(b)
	if err != nil {
		return h, err
	}
	if fr.MaxFrameSize > 0 && int64(h.Size) > fr.MaxFrameSize {
		return h, ErrFrameTooLarge
	}
	_, _ = fr.br.Discard(n) // cannot fail: n bytes are buffered
	return h, nil
}

// ReadBody fills p with the next len(p) bytes of the stream, the body of the
// frame whose header was just read. What is buffered is copied out; a large
// remainder is read straight into p, without passing through the buffer.
func (fr *FrameReader) ReadBody(p []byte) error {
	if fr.ra.taken {
		p = fr.readGuessed(p)
	}
	if b := fr.br.Buffered(); b > 0 && len(p) > 0 {
		n, _ := fr.br.Read(p[:min(b, len(p))]) // a copy, no read from the stream
		p = p[n:]
	}
	var err error
	if len(p) >= directReadMin {
		fr.fillCap = largeFill
		err = fr.readDirect(p)
	} else if len(p) > 0 {
		fr.fillCap = 0
		_, err = io.ReadFull(fr.br, p)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// ReadFrame reads a whole frame. The body is stored in buf (which is grown only
// if its capacity is too small) and returned; reusing the returned slice as the
// next buf makes the steady state allocation-free.
func (fr *FrameReader) ReadFrame(buf []byte) (FrameHeader, []byte, error) {
	h, err := fr.ReadHeader()
	if err != nil {
		return h, buf[:0], err
	}
	if cap(buf) < h.Size {
		buf = make([]byte, h.Size)
	}
	buf = buf[:h.Size]
	return h, buf, fr.ReadBody(buf)
}

func eofErr(err error, got int) error {
	if err == io.EOF && got > 0 {
		return io.ErrUnexpectedEOF
	}
	return err
}

// FrameWriter buffers frames and writes them to a stream. Small frames are
// copied into the buffer so many go out in one write; a body at least
// directThreshold long is written straight from the caller's slice together
// with what is buffered (writev on a net.Conn), which saves a copy.
type FrameWriter struct {
	w    io.Writer
	vw   vecWriter // w, when it writes two slices with one call itself
	buf  []byte
	size int
	vec  net.Buffers
	arr  [2][]byte
	// pos counts the bytes handed to w: where in the stream the next write
	// starts, which is what the page alignment of large writes needs.
	pos int64
	// drained is the caller's word that the peer has read everything
	// written so far (see setDrained and internal/buf/pagealign.go).
	drained bool
	// legacy, when set, makes WriteFrame use ZMTP 1.0 or 2.0 framing
	// (legacy_conn.go); zero is ZMTP 3.x.
	legacy LegacyVersion
	// noStage: the stream is a Unix socket, whose kernel copies each
	// write into buffers of its own (a page-sized head, then whole pages)
	// rather than continuing a page fragment as TCP does, so the staging
	// copy against the copy hazard (internal/buf/pagealign.go) does not
	// apply; it only cost time (REQ/REP ipc 1 MiB one-way, medians of 5
	// interleaved runs: 598 -> 476 us, libzmq 356; it was 15% of the
	// sender's CPU samples, perf record). The page cuts while streaming
	// stay: without them a libzmq PULL reading our PUSH over ipc looked
	// slower at 1 MiB (not settled within the noise), and they cost us
	// nothing measurable.
	noStage bool
}

// directThreshold is the body size from which a frame skips the copy.
const directThreshold = 16 << 10

// NewFrameWriter returns a writer of frames to w with a buffer of bufSize bytes
// (DefaultBufferSize if <= 0). The buffer is flushed when full.
func NewFrameWriter(w io.Writer, bufSize int) *FrameWriter {
	if bufSize <= 0 {
		bufSize = DefaultBufferSize
	}
	// The buffer starts empty and grows (by append) as frames queue, up
	// to about bufSize: a connection that never sends more than its
	// handshake holds a few hundred bytes, not bufSize. It is not given
	// back after each Flush: a pool round trip per batch cost half the
	// throughput of 1 KiB messages.
	fw := &FrameWriter{w: w, size: bufSize}
	fw.vw, _ = w.(vecWriter)
	return fw
}

// vecWriter is a stream that writes two slices with one call (writev),
// all of p and then all of q; n counts both.
type vecWriter interface {
	WriteVec(p, q []byte) (n int, err error)
}

// Buffered returns the number of bytes waiting for Flush.
func (fw *FrameWriter) Buffered() int { return len(fw.buf) }

// WriteFrame queues one frame. It writes to the stream only when the buffer
// fills or the body is large; the caller may reuse body as soon as it returns.
func (fw *FrameWriter) WriteFrame(flags byte, body []byte) error {
	if fw.legacy != 0 {
		return fw.writeLegacyFrame(flags, body)
	}
	if len(body) >= directThreshold {
		fw.buf = AppendFrameHeader(fw.buf, flags, len(body))
		return fw.writeVec(body)
	}
	if len(fw.buf)+MaxFrameHeaderSize+len(body) > fw.size && len(fw.buf) > 0 {
		if err := fw.Flush(); err != nil {
			return err
		}
	}
	fw.buf = AppendFrame(fw.buf, flags, body)
	return nil
}

// WriteRaw queues already encoded bytes (a greeting or an encoded frame).
func (fw *FrameWriter) WriteRaw(b []byte) error {
	if len(fw.buf)+len(b) > fw.size && len(fw.buf) > 0 {
		if err := fw.Flush(); err != nil {
			return err
		}
	}
	fw.buf = append(fw.buf, b...)
	return nil
}

// setDrained tells the writer whether the peer is believed to have read
// everything written so far: a lone message after the connection was idle,
// as in request/reply. The writer then expects the kernel to start the next
// write at the beginning of a page, and stages a large body whose source
// would sit at an unlucky distance from there (see internal/buf/pagealign.go). Without
// it, large writes are cut on page boundaries of the stream instead.
func (fw *FrameWriter) setDrained(drained bool) { fw.drained = drained }

// writeVec writes what is buffered and then body, in one call where the
// writer can (writev on a net.Conn).
func (fw *FrameWriter) writeVec(body []byte) error {
	pre := len(fw.buf)
	if fw.drained {
		if !fw.noStage && pre+len(body) <= buf.MaxPooled && buf.CopyHazard(pre, body) {
			return fw.writeStaged(body)
		}
		if len(body) >= leadMin {
			return fw.writeLead(body)
		}
		return fw.writeParts(body)
	}
	if len(body) >= leadMin {
		// Streaming too, a large body goes out as a lead and the rest:
		// 1 MiB PUSH over tcp, 3 interleaved rounds, page-cut writes ->
		// lead: into our PULL 2498/2999/2485 -> 3012/3435/3124 msg/s,
		// into libzmq's PULL (its heap trimming off, see README)
		// 3187/3714/2575 -> 4206/5149/3153 (libzmq's PUSH
		// 3279/4771/3459), and our sender's CPU 0.42-0.60 -> 0.28-0.47 s
		// per 1500 messages (perf stat).
		return fw.writeLead(body)
	}
	cut := buf.PageCut(fw.pos, pre, len(body))
	err := fw.writeParts(body[:cut])
	if err == nil && cut < len(body) {
		// Less than a page: it goes out with the next write or Flush.
		fw.buf = append(fw.buf, body[cut:]...)
	}
	return err
}

// writeParts writes the buffer and body with one vectored write.
func (fw *FrameWriter) writeParts(body []byte) error {
	if fw.vw != nil {
		n, err := fw.vw.WriteVec(fw.buf, body)
		fw.pos += int64(n)
		fw.buf = fw.buf[:0]
		return err
	}
	fw.arr[0], fw.arr[1] = fw.buf, body
	fw.vec = fw.arr[:]
	n, err := fw.vec.WriteTo(fw.w)
	fw.pos += n
	fw.arr[0], fw.arr[1] = nil, nil // do not keep the caller's body alive
	fw.vec = nil
	fw.buf = fw.buf[:0]
	return err
}

// leadSize is how much of a lone body of leadMin bytes or more goes out on
// its own, behind the header, before the rest is written: the idle peer is
// woken by those first bytes and reads the rest while it arrives, so the
// receiving side's share of the kernel's work runs on the peer's CPU
// rather than inside our write (libzmq's encoder sends its 8 KiB batch
// first the same way). One write of the whole: 1 MiB writev 0.67 ms,
// libzmq's 8 KiB + rest 0.30 ms (strace -T, REQ/REP over tcp, 200 round
// trips). Smaller bodies fit the peer's receive buffer and the extra write
// costs more than it saves: one-way REQ/REP medians of 4-6 interleaved
// runs, one write -> lead: 64 KiB 101 -> 105 us, 256 KiB 138 -> 182 us,
// 512 KiB 232 -> 203 us, 1 MiB 657 -> 404 us.
const (
	leadSize = 8 << 10
	leadMin  = 512 << 10
)

// writeLead writes the buffer and the start of body, up to leadSize bytes
// in all, with one write, and the rest of body with another.
func (fw *FrameWriter) writeLead(body []byte) error {
	k := min(len(body), max(0, leadSize-len(fw.buf)))
	fw.buf = append(fw.buf, body[:k]...)
	if err := fw.Flush(); err != nil {
		return err
	}
	n, err := fw.w.Write(body[k:])
	fw.pos += int64(n)
	return err
}

// writeStaged copies the buffer and body into one pooled buffer and writes
// that, a body of leadMin bytes or more in two writes (see leadSize). Pooled
// buffers of this size start buf.Skew bytes into a page, so the body's
// copy now sits half a page from where the kernel writes it, a distance
// the kernel copies at full speed.
func (fw *FrameWriter) writeStaged(body []byte) error {
	st := buf.Get(len(fw.buf)+len(body), true)
	n := copy(st, fw.buf)
	copy(st[n:], body)
	fw.buf = fw.buf[:0]
	lead := len(st)
	if len(body) >= leadMin {
		lead = leadSize
	}
	k, err := fw.w.Write(st[:lead])
	if err == nil && lead < len(st) {
		var m int
		m, err = fw.w.Write(st[lead:])
		k += m
	}
	fw.pos += int64(k)
	buf.Put(st)
	return err
}

// tryFlush writes the queued bytes through try, a write that takes what the
// stream accepts now without waiting, and keeps the rest queued, in order,
// for the next Flush or tryFlush. It reports whether nothing is left.
func (fw *FrameWriter) tryFlush(try func([]byte) (int, error)) (bool, error) {
	if len(fw.buf) == 0 {
		return true, nil
	}
	n, err := try(fw.buf)
	fw.pos += int64(n)
	if n > 0 {
		fw.buf = fw.buf[:copy(fw.buf, fw.buf[n:])]
	}
	return len(fw.buf) == 0, err
}

// Flush writes everything queued in one write call.
func (fw *FrameWriter) Flush() error {
	if len(fw.buf) == 0 {
		return nil
	}
	n, err := fw.w.Write(fw.buf)
	fw.pos += int64(n)
	fw.buf = fw.buf[:0]
	if cap(fw.buf) > 2*fw.size {
		// A huge greeting or command grew the buffer; give the memory back.
		fw.buf = nil
	}
	return err
}
