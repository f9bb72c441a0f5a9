package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/purezmq/purezmq/socket"
)

// codec is how frames are written as text on stdin and stdout.
type codec uint8

const (
	codecText   codec = iota // escaped text, see writeSocketUsage
	codecHex                 // lower-case hexadecimal (either case accepted)
	codecBase64              // standard base64 with padding
)

// appendFrame appends f encoded for one field of an output line.
func (c codec) appendFrame(dst, f []byte) []byte {
	switch c {
	case codecHex:
		return hex.AppendEncode(dst, f)
	case codecBase64:
		return base64.StdEncoding.AppendEncode(dst, f)
	}
	return appendEscaped(dst, f)
}

// appendLine appends one message as an output line: fields joined by TAB,
// ended by a newline.
func (c codec) appendLine(dst []byte, frames [][]byte) []byte {
	for i, f := range frames {
		if i > 0 {
			dst = append(dst, '\t')
		}
		dst = c.appendFrame(dst, f)
	}
	return append(dst, '\n')
}

// parseLine splits one input line (without its newline) at TABs and decodes
// each field into a frame. A line always yields at least one frame, so an
// empty line is a message with one empty frame.
func (c codec) parseLine(line []byte) ([][]byte, error) {
	var frames [][]byte
	for {
		field, rest, more := cutByte(line, '\t')
		f, err := c.decodeField(field)
		if err != nil {
			return nil, &FieldError{Field: len(frames) + 1, Err: err}
		}
		frames = append(frames, f)
		if !more {
			return frames, nil
		}
		line = rest
	}
}

func cutByte(b []byte, sep byte) (before, after []byte, found bool) {
	for i, c := range b {
		if c == sep {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// Errors of the hex and base64 input decoders are wrapped in FieldError.
var (
	errBadHex    = errors.New("purezmq: invalid hexadecimal")
	errBadBase64 = errors.New("purezmq: invalid base64")
)

// FieldError reports an input field that does not decode.
type FieldError struct {
	Line  int // 1-based stdin line number, 0 when unknown
	Field int // 1-based field (frame) number
	Err   error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("purezmq: stdin line %d, field %d: %v", e.Line, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

func (c codec) decodeField(s []byte) ([]byte, error) {
	switch c {
	case codecHex:
		b, err := hex.AppendDecode(nil, s)
		if err != nil {
			return nil, errBadHex
		}
		return nonNil(b), nil
	case codecBase64:
		b, err := base64.StdEncoding.AppendDecode(nil, s)
		if err != nil {
			return nil, errBadBase64
		}
		return nonNil(b), nil
	}
	return unescapeText(s), nil
}

// nonNil keeps empty frames as empty slices, so they are never mistaken for
// "no frame".
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendEscaped writes f so that the result is one line of valid UTF-8 that
// unescapeText turns back into f exactly.
func appendEscaped(dst, f []byte) []byte {
	for i := 0; i < len(f); {
		b := f[i]
		if b >= 0x20 && b < 0x7f && b != '\\' {
			dst = append(dst, b)
			i++
			continue
		}
		switch b {
		case '\\':
			dst = append(dst, '\\', '\\')
			i++
			continue
		case '\t':
			dst = append(dst, '\\', 't')
			i++
			continue
		case '\n':
			dst = append(dst, '\\', 'n')
			i++
			continue
		case '\r':
			dst = append(dst, '\\', 'r')
			i++
			continue
		}
		if b >= utf8.RuneSelf {
			if r, n := utf8.DecodeRune(f[i:]); r != utf8.RuneError || n > 1 {
				dst = append(dst, f[i:i+n]...)
				i += n
				continue
			}
		}
		dst = append(dst, '\\', 'x', hexDigits[b>>4], hexDigits[b&0xf])
		i++
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeText undoes appendEscaped. It is lenient so that ordinary typed text
// survives: a backslash that does not start a known escape stays as it is.
func unescapeText(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			out = append(out, c)
			continue
		}
		switch s[i+1] {
		case '\\':
			out = append(out, '\\')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x':
			if i+3 < len(s) {
				hi, ok1 := unhex(s[i+2])
				lo, ok2 := unhex(s[i+3])
				if ok1 && ok2 {
					out = append(out, hi<<4|lo)
					i += 3
					continue
				}
			}
			out = append(out, c)
			continue
		default:
			out = append(out, c)
			continue
		}
		i++
	}
	return out
}

// input reads stdin lines in the background and hands out decoded messages,
// so the socket loops can wait on stdin and on a context at once.
type input struct {
	msgs <-chan socket.Msg
	err  error // why reading stopped early; valid once msgs is closed
}

// startInput starts the reader. It stops at EOF, at a read or decode error,
// or when ctx is done; a read already blocked on r only ends when r returns.
func startInput(ctx context.Context, r io.Reader, c codec) *input {
	ch := make(chan socket.Msg)
	in := &input{msgs: ch}
	go func() {
		defer close(ch)
		br := bufio.NewReaderSize(r, 64<<10)
		for n := 1; ; n++ {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 || err == nil {
				line = trimNewline(line)
				frames, perr := c.parseLine(line)
				if perr != nil {
					var fe *FieldError
					if errors.As(perr, &fe) {
						fe.Line = n
					}
					in.err = perr
					return
				}
				select {
				case ch <- socket.Msg{Frames: frames}:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					in.err = fmt.Errorf("purezmq: reading stdin: %w", err)
				}
				return
			}
		}
	}()
	return in
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// output writes received messages as lines, flushing each so a reader at the
// other end of a pipe sees it at once.
type output struct {
	w   *bufio.Writer
	c   codec
	buf []byte
}

func newOutput(w io.Writer, c codec) *output {
	return &output{w: bufio.NewWriterSize(w, 64<<10), c: c}
}

func (o *output) write(m socket.Msg) error {
	o.buf = o.c.appendLine(o.buf[:0], m.Frames)
	if _, err := o.w.Write(o.buf); err != nil {
		return fmt.Errorf("purezmq: writing stdout: %w", err)
	}
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("purezmq: writing stdout: %w", err)
	}
	return nil
}
