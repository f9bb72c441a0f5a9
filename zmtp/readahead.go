package zmtp

import (
	"bytes"
	"io"

	"github.com/purezmq/purezmq/internal/buf"
)

// Reading ahead while large messages stream.
//
// A large body is read straight from the stream into its own buffer
// (readDirect), without passing through the read buffer. Alone, that is a
// read system call per message, and a park on the poller whenever the
// kernel has not yet got the whole body, where bare TCP takes everything
// that arrived, several messages' worth, in one read. So while one-frame
// messages of one size follow each other, the read that finishes a body
// guesses that the next messages have the same shape and reads into
// [rest of this body, header, new body, header, new body, ..., the read
// buffer's free part] with one readv, up to readAheadMax bytes. Each
// guessed header is then checked against what arrived: where it holds,
// the frame is read (wholly or in part; its rest is read directly later),
// its body already in the buffer it will be returned in. From the first
// header that does not hold, what the read brought is put back into the
// read buffer as plain stream bytes, and unused bodies go back to the pool.
//
// Bounds: a guess is only made for a one-frame data message whose size
// MaxMessageSize admitted and whose body the pool provides (at most
// growChunk), after the peer has sent such messages of that size in a
// row; no more frames are guessed than that run's length, and never more
// than readAheadMax bytes in all. A wrong guess costs a copy of what the
// read brought past it, and backs the guessing off (guessPenalty).
const (
	readAheadMax = 256 << 10
	// maxGuesses is the most frames one read guesses: readAheadMax over
	// directReadMin, the smallest body read directly.
	maxGuesses = readAheadMax / directReadMin
	// guessPenalty is how many more messages of one size must come, after
	// a wrong guess, before the reader guesses again.
	guessPenalty = 8
)

// vecReader is a stream that reads into several slices with one call
// (readv), in order; n counts them all. One that cannot may fill the
// first alone.
type vecReader interface {
	ReadVecs(v [][]byte) (n int, err error)
}

// guessedFrame is a frame read ahead: its header was as guessed (a lone
// data frame of len(body) bytes) and got bytes of its body are in body.
type guessedFrame struct {
	body []byte
	got  int
}

// readAhead is a FrameReader's state for guessing.
type readAhead struct {
	lone   int // size of the last lone frame read
	streak int // lone frames of that size in a row, less any penalty
	size   int // the size to guess during the current body's read; 0: none
	// The frames read ahead, oldest first, from head; taken says the
	// oldest one's header was returned by ReadHeader.
	q           [maxGuesses]guessedFrame
	head, n     int
	taken       bool
	hdr         [maxGuesses][longHeaderSize]byte // what the read put where a header was guessed
	want        [longHeaderSize]byte             // the guessed header
	bodies      [maxGuesses][]byte               // bodies held for the guesses of the current read
	nbodies     int
	vec         [2 + 2*maxGuesses][]byte
	restreamBuf [2 * maxGuesses][]byte
}

// readLone reads p, the rest of a lone data frame's body of size bytes
// (a one-frame message), guessing ahead when messages of that size
// stream (see above). The caller made sure such a frame may be guessed:
// no FrameCodec, ZMTP 3 framing, a pooled body.
func (fr *FrameReader) readLone(p []byte, size int) error {
	ra := &fr.ra
	if size == ra.lone {
		ra.streak = min(ra.streak+1, maxGuesses)
	} else {
		ra.lone, ra.streak = size, 0
	}
	ra.size = size
	defer func() { ra.size = 0 }()
	if b := fr.br.Buffered(); b > 0 && len(p) > 0 {
		n, _ := fr.br.Read(p[:min(b, len(p))]) // a copy, no read from the stream
		p = p[n:]
	}
	if len(p) == 0 || (len(p) < directReadMin && fr.guesses(len(p)) == 0) {
		return fr.ReadBody(p)
	}
	// Read directly even a short rest when guessing: the read brings the
	// next frames too, and the rest needs no copy through the buffer.
	fr.fillCap = largeFill
	err := fr.readDirect(p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// guesses is how many frames the next read guesses, the current body
// having rest bytes still to come.
func (fr *FrameReader) guesses(rest int) int {
	ra := &fr.ra
	if ra.size < directReadMin || ra.streak <= 0 || fr.legacy != 0 || fr.vecMax < 4 {
		return 0
	}
	k := min(ra.streak, (fr.vecMax-2)/2, (readAheadMax-rest)/(ra.size+longHeaderSize))
	return max(k, 0)
}

// readDirect reads all of p straight from the stream; the buffer is empty.
// Where the stream reads vectored, each read also brings up to largeFill
// bytes of what follows into the buffer: while frames stream, the next
// header and the start of its body, which then need no read call of their
// own. While lone frames of one size stream, it also reads frames ahead
// into bodies of their own (see above).
func (fr *FrameReader) readDirect(p []byte) error {
	vr, ok := fr.r.(vecReader)
	if !ok {
		_, err := io.ReadFull(fr.r, p)
		return err
	}
	ra := &fr.ra
	k := fr.guesses(len(p))
	defer fr.putBodies()
	for len(p) > 0 {
		v := append(ra.vec[:0], p)
		if k > 0 {
			fr.getBodies(k)
			for i := range k {
				v = append(v, ra.hdr[i][:], ra.bodies[i])
			}
		}
		v = append(v, fr.br.spare(largeFill))
		n, err := vr.ReadVecs(v)
		clear(v)
		n = max(n, 0)
		m := min(n, len(p))
		p, n = p[m:], n-m
		if n > 0 && k > 0 {
			n = fr.settle(k, n)
		}
		if n > 0 {
			fr.br.commit(n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// getBodies makes sure k bodies of the guessed size are held.
func (fr *FrameReader) getBodies(k int) {
	ra := &fr.ra
	for ; ra.nbodies < k; ra.nbodies++ {
		ra.bodies[ra.nbodies] = buf.Get(ra.size, true)
	}
}

// putBodies gives back the bodies no guess took.
func (fr *FrameReader) putBodies() {
	ra := &fr.ra
	for i := range ra.nbodies {
		buf.Put(ra.bodies[i])
		ra.bodies[i] = nil
	}
	ra.nbodies = 0
}

// settle sorts out the n bytes a read of k guesses brought past the
// current body: the frames guessed right are queued; from the first
// header guessed wrong (or cut short), the bytes go back into the read
// buffer. It returns how many bytes the read put into the read buffer's
// free part (the last slice), which the caller commits.
func (fr *FrameReader) settle(k, n int) int {
	ra := &fr.ra
	want := AppendFrameHeader(ra.want[:0], 0, ra.size)
	taken := 0 // bodies handed to the queue, from the front of ra.bodies
	defer func() {
		// Keep the bodies not taken at the front for the next read.
		m := copy(ra.bodies[:], ra.bodies[taken:ra.nbodies])
		clear(ra.bodies[m:ra.nbodies])
		ra.nbodies = m
	}()
	for i := range k {
		if n == 0 {
			return 0
		}
		h := ra.hdr[i][:min(n, longHeaderSize)]
		if len(h) < longHeaderSize || !bytes.Equal(h, want) {
			ra.streak = -guessPenalty
			return fr.restream(i, k, n)
		}
		n -= longHeaderSize
		body := ra.bodies[i]
		got := min(n, len(body))
		n -= got
		ra.q[(ra.head+ra.n)%maxGuesses] = guessedFrame{body: body, got: got}
		ra.n++
		ra.bodies[i] = nil
		taken++
	}
	return n
}

// restream puts the n bytes a read brought from guess i on (its header
// slot, its body, the later slots, then the read buffer's free part) into
// the read buffer, in stream order, and returns 0: nothing is left to
// commit.
func (fr *FrameReader) restream(i, k, n int) int {
	ra := &fr.ra
	parts := ra.restreamBuf[:0]
	for j := i; j < k && n > 0; j++ {
		for _, s := range [2][]byte{ra.hdr[j][:], ra.bodies[j]} {
			c := min(n, len(s))
			parts = append(parts, s[:c])
			n -= c
		}
	}
	fr.br.commit(n) // what reached the free part follows the slots
	fr.br.unread(parts)
	clear(parts)
	return 0
}

// guessedHeader returns the header of the oldest frame read ahead, if
// any, and marks it taken: its body comes next (takeGuess or ReadBody).
func (fr *FrameReader) guessedHeader() (FrameHeader, bool) {
	ra := &fr.ra
	if ra.n == 0 || ra.taken {
		return FrameHeader{}, false
	}
	ra.taken = true
	return FrameHeader{Size: len(ra.q[ra.head].body)}, true
}

// takeGuess hands over the body of the frame whose header ReadHeader just
// returned from a guess, with the number of its bytes already read; the
// rest, if any, is the caller's to read (readLone). ok is false when the
// header did not come from a guess.
func (fr *FrameReader) takeGuess() (body []byte, got int, ok bool) {
	ra := &fr.ra
	if !ra.taken {
		return nil, 0, false
	}
	g := ra.q[ra.head]
	ra.q[ra.head] = guessedFrame{}
	ra.head = (ra.head + 1) % maxGuesses
	ra.n--
	ra.taken = false
	return g.body, g.got, true
}

// readGuessed fills p from the guessed frame whose header was taken, for a
// caller that did not take its body: a copy, then the frame's rest from
// the stream. It returns the part of p left to read.
func (fr *FrameReader) readGuessed(p []byte) []byte {
	body, got, _ := fr.takeGuess()
	c := copy(p, body[:got])
	buf.Put(body)
	return p[c:]
}

// guessedBytes counts the stream bytes held in frames read ahead.
func (fr *FrameReader) guessedBytes() int {
	ra := &fr.ra
	total := 0
	for j := range ra.n {
		g := ra.q[(ra.head+j)%maxGuesses]
		if j > 0 || !ra.taken {
			total += longHeaderSize
		}
		total += g.got
	}
	return total
}
