package socket

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

// BenchmarkStreamRecv: a raw TCP client writes 8 KiB chunks as fast as it
// can; each op is one STREAM Recv (and Release) of whatever one read took.
func BenchmarkStreamRecv(b *testing.B) {
	s, err := New(Stream, WithStreamNotify(false))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Bind("tcp://127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	nc, err := net.Dial("tcp", strings.TrimPrefix(s.Endpoints()[0], "tcp://"))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	chunk := make([]byte, streamReadSize)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := nc.Write(chunk); err != nil {
				return
			}
		}
	}()
	ctx := context.Background()
	var total int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := s.Recv(ctx)
		if err != nil {
			b.Fatal(err)
		}
		total += int64(len(m.Frames[1]))
		m.Release()
	}
	b.StopTimer()
	b.SetBytes(total / int64(b.N))
	nc.Close()
	<-done
}

// BenchmarkStreamSend: each op is one STREAM Send of 8 KiB to a raw TCP
// client that reads and discards.
func BenchmarkStreamSend(b *testing.B) {
	s, err := New(Stream)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Bind("tcp://127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	nc, err := net.Dial("tcp", strings.TrimPrefix(s.Endpoints()[0], "tcp://"))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	note, err := s.Recv(ctx)
	if err != nil {
		b.Fatal(err)
	}
	id := note.Frames[0]
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(io.Discard, nc)
	}()
	data := make([]byte, 8<<10)
	msg := NewMsg(id, data) // Send copies: one message serves every op
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Send(ctx, NewMsg(id, nil)) // close: the reader sees EOF
	<-done
}
