package zmtp

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/purezmq/purezmq/internal/memconn"
)

// xorMechanism is a toy stand-in for CURVE: NULL's handshake, then every frame
// travels inside a MESSAGE command whose first data byte carries MORE (bit 0)
// and COMMAND (bit 1), as libzmq's CURVE does, with the body XOR-ed.
type xorMechanism struct{ Mechanism }

func (xorMechanism) Name() string             { return "X-XOR" }
func (m xorMechanism) FrameCodec() FrameCodec { return xorCodec{} }

type xorCodec struct{}

func (xorCodec) EncodeFrame(dst []byte, flags byte, body []byte) ([]byte, error) {
	inner := byte(0)
	if flags&FlagMore != 0 {
		inner |= 1
	}
	if flags&FlagCommand != 0 {
		inner |= 2
	}
	data := make([]byte, 1+len(body))
	data[0] = inner
	for i, c := range body {
		data[1+i] = c ^ 0x5A
	}
	return AppendCommand(dst, "MESSAGE", data)
}

func (xorCodec) DecodeFrame(h FrameHeader, body []byte) (FrameHeader, []byte, error) {
	cmd, err := ParseCommand(body)
	if err != nil || !h.Command() || cmd.Name != "MESSAGE" || len(cmd.Body) < 1 {
		return h, nil, errors.New("not a MESSAGE")
	}
	out := cmd.Body[1:]
	for i := range out {
		out[i] ^= 0x5A
	}
	var flags byte
	if cmd.Body[0]&1 != 0 {
		flags |= FlagMore
	}
	if cmd.Body[0]&2 != 0 {
		flags |= FlagCommand
	}
	return FrameHeader{Flags: flags, Size: len(out)}, out, nil
}

func TestFrameCodecHooks(t *testing.T) {
	a, b := memconn.Pipe(0)
	mk := func(typ string) Mechanism {
		cfg := Config{SocketType: typ}
		m, err := NewMechanism(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return xorMechanism{m}
	}
	ch := make(chan hsResult, 1)
	go func() {
		c, err := handshakeWith(context.Background(), b, Config{SocketType: "XPUB"}, mk("XPUB"))
		ch <- hsResult{c, err}
	}()
	sub, err := handshakeWith(context.Background(), a, Config{SocketType: "SUB"}, mk("SUB"))
	rb := <-ch
	if err != nil || rb.err != nil {
		t.Fatal(err, rb.err)
	}
	defer sub.Close()
	pub := rb.c
	defer pub.Close()

	// A command (SUBSCRIBE), a PING and messages all go through the codec.
	sub.WriteSubscribe([]byte("t"), true)
	sub.WritePing(0, []byte("c"))
	sub.Flush()
	msg, cmd, err := pub.ReadMessage()
	if err != nil || msg != nil || cmd.Name != CmdSubscribe || string(cmd.Body) != "t" {
		t.Fatalf("%q %q %v", cmd.Name, cmd.Body, err)
	}
	send(t, pub, []byte("t1"), []byte("body"))
	if got := recv(t, sub); !slices.EqualFunc(got, [][]byte{[]byte("t1"), []byte("body")}, bytes.Equal) {
		t.Fatalf("got %q", got)
	}
	send(t, sub, []byte("up")) // pub decodes and answers the PING on the way
	if got := recv(t, pub); string(got[0]) != "up" {
		t.Fatalf("got %q", got)
	}
}
