package zmtp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
)

// aheadConn is a Conn reading stream through a vecStream of the given
// step (the most bytes one read returns), with read-ahead on as over a
// socket on Linux, whatever the platform.
func aheadConn(t *testing.T, stream []byte, step int, cfg Config) (*Conn, *vecStream) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := newConn(a, cfg)
	c.nbr = nil
	v := &vecStream{r: bytes.NewReader(stream), step: step}
	c.fr = NewFrameReader(v, cfg.ReadBufferSize)
	c.fr.vecMax = 2 + 2*maxGuesses
	c.fr.MaxFrameSize = cfg.MaxMessageSize
	c.fw = NewFrameWriter(io.Discard, 0)
	return c, v
}

// part is one frame of a test stream: a command when cmd is set.
type part struct {
	size int
	more bool
	cmd  bool
}

// buildStream encodes msgs, each body filled with bytes that differ per
// frame and per position, and returns the bodies of the data frames.
func buildStream(t *testing.T, msgs [][]part) ([]byte, [][][]byte) {
	t.Helper()
	var stream []byte
	var want [][][]byte
	seq := 0
	for _, m := range msgs {
		var frames [][]byte
		for _, p := range m {
			seq++
			if p.cmd {
				var err error
				if stream, err = AppendCommand(stream, "NOTHING", make([]byte, p.size)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			body := make([]byte, p.size)
			for i := range body {
				body[i] = byte(seq*31 + i*7 + i>>9)
			}
			var flags byte
			if p.more {
				flags = FlagMore
			}
			stream = AppendFrame(stream, flags, body)
			frames = append(frames, body)
		}
		if len(frames) > 0 {
			want = append(want, frames)
		}
	}
	return stream, want
}

func lone(size int) []part { return []part{{size: size}} }

// lones is n one-frame messages of size bytes.
func lones(n, size int) [][]part {
	var m [][]part
	for range n {
		m = append(m, lone(size))
	}
	return m
}

// readAll reads every message of want from c and then expects wantErr
// (io.EOF at the clean end).
func readAll(t *testing.T, c *Conn, want [][][]byte, wantErr error) {
	t.Helper()
	for i, w := range want {
		msg, _, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("message %d of %d: %v", i, len(want), err)
		}
		if len(msg) != len(w) {
			t.Fatalf("message %d: %d frames, want %d", i, len(msg), len(w))
		}
		for j := range w {
			if !bytes.Equal(msg[j], w[j]) {
				t.Fatalf("message %d frame %d: %d bytes, not the %d sent", i, j, len(msg[j]), len(w[j]))
			}
		}
	}
	if _, _, err := c.ReadMessage(); !errors.Is(err, wantErr) {
		t.Fatalf("after %d messages: %v, want %v", len(want), err, wantErr)
	}
}

var aheadSteps = []int{1 << 30, 256<<10 + 3, 100 << 10, 64<<10 + 9, 40<<10 + 1, 4096, 1000}

// A steady stream of one size is read several messages per read, intact.
func TestReadAheadSteady(t *testing.T) {
	for _, size := range []int{32 << 10, 64 << 10, 100<<10 + 1, 1 << 20} {
		stream, want := buildStream(t, lones(40, size))
		for _, step := range aheadSteps {
			c, v := aheadConn(t, stream, step, Config{})
			readAll(t, c, want, io.EOF)
			if step == 1<<30 && size <= 64<<10 && v.calls > len(want)/2 {
				t.Errorf("%d B: %d reads for %d messages", size, v.calls, len(want))
			}
		}
	}
}

// A guess that fails at each position of a read: the message there
// differs in size, flags (MORE, a command) or header form, and what the
// read brought past it comes out intact.
func TestReadAheadWrongGuess(t *testing.T) {
	const size = 48 << 10
	odd := map[string][]part{
		"smaller":   lone(size - 1),
		"larger":    lone(size + 1),
		"short":     lone(10),
		"empty":     lone(0),
		"multipart": {{size: size, more: true}, {size: size}},
		"command":   {{size: 5, cmd: true}},
	}
	for name, o := range odd {
		for pos := 0; pos < maxGuesses+2; pos++ {
			msgs := lones(maxGuesses+2, size) // enough for the full run of guesses
			msgs = append(msgs, lones(pos, size)...)
			msgs = append(msgs, o)
			msgs = append(msgs, lones(maxGuesses+3, size)...)
			stream, want := buildStream(t, msgs)
			for _, step := range aheadSteps {
				c, _ := aheadConn(t, stream, step, Config{})
				readAll(t, c, want, io.EOF)
			}
			_ = name
		}
	}
}

// Streams that change size, mix multipart messages, commands and small
// frames come out intact whatever the split of the reads.
func TestReadAheadMixed(t *testing.T) {
	var msgs [][]part
	msgs = append(msgs, lones(12, 64<<10)...)
	msgs = append(msgs, lones(12, 40<<10)...)
	msgs = append(msgs, []part{{size: 3, cmd: true}})
	msgs = append(msgs, lones(5, 40<<10)...)
	msgs = append(msgs, []part{{size: 64 << 10, more: true}, {size: 64 << 10, more: true}, {size: 64 << 10}})
	msgs = append(msgs, lones(9, 64<<10)...)
	msgs = append(msgs, lone(100), lone(0), lone(5000))
	msgs = append(msgs, lones(10, 33<<10)...)
	for i := range 30 {
		msgs = append(msgs, lone(32<<10+i%3)) // size changes every message
	}
	stream, want := buildStream(t, msgs)
	for _, step := range aheadSteps {
		for _, bufSize := range []int{0, 4096} {
			c, _ := aheadConn(t, stream, step, Config{ReadBufferSize: bufSize})
			readAll(t, c, want, io.EOF)
		}
	}
}

// A stream cut anywhere inside a guessed run ends in io.ErrUnexpectedEOF
// after every whole message, or io.EOF at a message boundary.
func TestReadAheadTruncated(t *testing.T) {
	const size = 40 << 10
	stream, want := buildStream(t, lones(20, size))
	frame := longHeaderSize + size
	for _, cut := range []int{
		12 * frame, 12*frame + 1, 12*frame + 8, 12*frame + 9, 12*frame + 10,
		12*frame + size, 12*frame + frame - 1, 15*frame + 3, len(stream) - 1,
	} {
		for _, step := range aheadSteps {
			c, _ := aheadConn(t, stream[:cut], step, Config{})
			whole := cut / frame
			wantErr := io.ErrUnexpectedEOF
			if cut%frame == 0 {
				wantErr = io.EOF
			}
			readAll(t, c, want[:whole], wantErr)
		}
	}
}

// MaxMessageSize still applies to a message after a run of guesses: the
// larger message fails, nothing is allocated for it, and the messages
// before it are delivered.
func TestReadAheadMaxMessageSize(t *testing.T) {
	const size = 64 << 10
	msgs := lones(12, size)
	msgs = append(msgs, lone(size+1))
	stream, want := buildStream(t, msgs)
	for _, step := range aheadSteps {
		c, _ := aheadConn(t, stream, step, Config{MaxMessageSize: size})
		readAll(t, c, want[:12], ErrMessageTooLarge)
	}
}

// Guessing allocates nothing per message once the pool is warm, and a
// read guesses no more frames than the run of same-size messages so far.
func TestReadAheadGuessBounds(t *testing.T) {
	const size = 64 << 10
	stream, _ := buildStream(t, lones(4, size))
	c, _ := aheadConn(t, stream, 1<<30, Config{})
	for i := range 4 {
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatal(err)
		}
		if n := c.fr.ra.n + c.fr.ra.nbodies; n > i {
			t.Fatalf("after message %d: %d frames guessed or bodies held, the run was %d long", i, n, i)
		}
	}
	if c.fr.ra.nbodies != 0 {
		t.Fatalf("%d bodies held after the read", c.fr.ra.nbodies)
	}
}

// A frame read ahead is also handed out by ReadBody (as a copy) to a
// caller that does not take its buffer, counts in Buffered, and makes
// directReady report the next message whole.
func TestReadAheadPlainReadBody(t *testing.T) {
	const size = 40 << 10
	stream, want := buildStream(t, lones(12, size))
	c, _ := aheadConn(t, stream, 1<<30, Config{})
	i := 0
	for ; c.fr.ra.n == 0; i++ {
		if i == len(want) {
			t.Fatal("nothing was read ahead")
		}
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatal(err)
		}
	}
	g := c.fr.ra.q[c.fr.ra.head]
	if got := c.fr.Buffered(); got < longHeaderSize+g.got {
		t.Fatalf("Buffered %d with a frame of %d bytes read ahead", got, g.got)
	}
	if ready, _ := c.directReady(); ready != (g.got == size) {
		t.Fatalf("directReady %v with %d of %d bytes read ahead", ready, g.got, size)
	}
	for ; i < len(want); i++ {
		h, body, err := c.fr.ReadFrame(nil)
		if err != nil || h.Size != size || !bytes.Equal(body, want[i][0]) {
			t.Fatalf("frame %d: %v, %d bytes", i, err, len(body))
		}
	}
}
