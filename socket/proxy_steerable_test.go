package socket

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// pipeline is producer PUSH -> [front PULL | proxy | back PUSH] -> consumer PULL.
type pipeline struct {
	producer, front, back, consumer *Socket
}

func newPipeline(t *testing.T) pipeline {
	t.Helper()
	var pl pipeline
	pl.front = newSock(t, Pull)
	pl.back = newSock(t, Push)
	pl.producer = newSock(t, Push)
	pl.consumer = newSock(t, Pull)
	connectTo(t, pl.producer, bindAt(t, pl.front, "inproc"))
	connectTo(t, pl.consumer, bindAt(t, pl.back, "tcp"))
	return pl
}

// runProxy runs p and returns a channel with Run's result.
func runProxy(t *testing.T, p *SteerableProxy, ctx context.Context) <-chan error {
	t.Helper()
	done, finished := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(finished)
		done <- p.Run(ctx)
	}()
	t.Cleanup(func() {
		p.Terminate()
		<-finished
	})
	return done
}

func proxyResult(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("proxy did not return")
		return nil
	}
}

func TestProxyCapture(t *testing.T) {
	pl := newPipeline(t)
	capture := newSock(t, Push)
	tap := newSock(t, Pull)
	connectTo(t, tap, bindAt(t, capture, "inproc"))
	p, err := NewSteerableProxy(pl.front, pl.back, WithProxyCapture(capture))
	if err != nil {
		t.Fatal(err)
	}
	runProxy(t, p, context.Background())
	send(t, pl.producer, "one")
	send(t, pl.producer, "two", "parts")
	send(t, pl.producer, "")
	for _, want := range [][]string{{"one"}, {"two", "parts"}, {""}} {
		expect(t, pl.consumer, want...)
		expect(t, tap, want...)
	}
	st := p.Stats()
	want := ProxyStats{Frontend: ProxySideStats{MsgIn: 3, BytesIn: 11}, Backend: ProxySideStats{MsgOut: 3, BytesOut: 11}}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
}

func TestProxyPauseResumeTerminate(t *testing.T) {
	pl := newPipeline(t)
	p, err := NewSteerableProxy(pl.front, pl.back)
	if err != nil {
		t.Fatal(err)
	}
	done := runProxy(t, p, context.Background())
	send(t, pl.producer, "before")
	expect(t, pl.consumer, "before")
	p.Pause()
	if !p.Paused() {
		t.Fatal("not paused")
	}
	send(t, pl.producer, "during")
	expectNothing(t, pl.consumer, 150*time.Millisecond)
	// The message waits in the frontend, not in the proxy.
	waitFor(t, 5*time.Second, "message queued in the frontend", func() bool { return pl.front.Stats().InQueued == 1 })
	if st := p.Stats(); st.Frontend.MsgIn != 1 {
		t.Fatalf("forwarded %d while paused, want 1 (before the pause)", st.Frontend.MsgIn)
	}
	p.Resume()
	expect(t, pl.consumer, "during")
	if err := p.Run(context.Background()); !errors.Is(err, ErrProxyRunning) {
		t.Fatalf("second Run: %v, want ErrProxyRunning", err)
	}
	p.Terminate()
	if err := proxyResult(t, done); err != nil {
		t.Fatalf("Run after Terminate: %v, want nil", err)
	}
}

func TestProxyContextAndClose(t *testing.T) {
	pl := newPipeline(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Proxy(ctx, pl.front, pl.back) }()
	send(t, pl.producer, "x")
	expect(t, pl.consumer, "x")
	cancel()
	if err := proxyResult(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Proxy after cancel: %v", err)
	}
	go func() { done <- Proxy(context.Background(), pl.front, pl.back) }()
	pl.front.Close()
	if err := proxyResult(t, done); !errors.Is(err, ErrClosed) {
		t.Fatalf("Proxy after Close: %v, want ErrClosed", err)
	}
}

func decodeStats(t *testing.T, m Msg) [8]uint64 {
	t.Helper()
	if len(m.Frames) != 8 {
		t.Fatalf("STATISTICS reply has %d frames, want 8", len(m.Frames))
	}
	var v [8]uint64
	for i, f := range m.Frames {
		if len(f) != 8 {
			t.Fatalf("frame %d is %d bytes, want 8", i, len(f))
		}
		v[i] = binary.NativeEndian.Uint64(f)
	}
	return v
}

func TestProxyControlSockets(t *testing.T) {
	for _, typ := range []Type{Pair, Rep} {
		t.Run(typ.String(), func(t *testing.T) {
			pl := newPipeline(t)
			control := newSock(t, typ)
			driver := newSock(t, map[Type]Type{Pair: Pair, Rep: Req}[typ])
			connectTo(t, driver, bindAt(t, control, "tcp"))
			done := make(chan error, 1)
			go func() { done <- ProxySteerable(context.Background(), pl.front, pl.back, nil, control) }()
			command := func(cmd string) {
				t.Helper()
				send(t, driver, cmd)
				if typ == Rep {
					expect(t, driver, "")
				}
			}
			send(t, pl.producer, "abc")
			expect(t, pl.consumer, "abc")
			command("PAUSE")
			// Commands are served in order: once STATISTICS is answered,
			// the proxy is paused (a PAIR gets no answer to PAUSE).
			send(t, driver, "STATISTICS")
			m, err := driver.Recv(ctxT(t, 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := decodeStats(t, m), [8]uint64{1, 3, 0, 0, 0, 0, 1, 3}; got != want {
				t.Fatalf("statistics %v, want %v", got, want)
			}
			st, err := ParseProxyStats(m)
			if want := (ProxyStats{Frontend: ProxySideStats{MsgIn: 1, BytesIn: 3}, Backend: ProxySideStats{MsgOut: 1, BytesOut: 3}}); err != nil || st != want {
				t.Fatalf("ParseProxyStats = %+v, %v; want %+v", st, err, want)
			}
			if _, err := ParseProxyStats(NewMsg([]byte("x"))); !errors.Is(err, ErrBadMessage) {
				t.Fatalf("ParseProxyStats of one frame: %v", err)
			}
			send(t, pl.producer, "held")
			expectNothing(t, pl.consumer, 150*time.Millisecond)
			command("bogus")
			command("RESUME")
			expect(t, pl.consumer, "held")
			command("TERMINATE")
			if err := proxyResult(t, done); err != nil {
				t.Fatalf("proxy after TERMINATE: %v, want nil", err)
			}
		})
	}
}

func TestProxyOptions(t *testing.T) {
	a, b := newSock(t, Pull), newSock(t, Push)
	if _, err := NewSteerableProxy(a, nil); !errors.Is(err, ErrBadOption) {
		t.Errorf("nil backend: %v", err)
	}
	if _, err := NewSteerableProxy(a, b, WithProxyControl(newSock(t, Stream))); !errors.Is(err, ErrBadOption) {
		t.Errorf("STREAM control: %v", err)
	}
	p, err := NewSteerableProxy(a, b)
	if err != nil {
		t.Fatal(err)
	}
	p.Terminate()
	if err := p.Run(context.Background()); err != nil {
		t.Errorf("Run after Terminate: %v, want nil at once", err)
	}
}
