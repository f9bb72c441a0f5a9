package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

func TestBenchFanout(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "fan")
	const subs = 3
	outs := make([]string, subs)
	var wg sync.WaitGroup
	for i := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out, stderr := runCLI(t, "", "bench", "--timeout", "10s", "sub_thr", ep, "64", "2000")
			if code != exitOK {
				t.Errorf("sub_thr %d: exit %d: %s", i, code, stderr)
			}
			outs[i] = out
		}()
	}
	// The publisher starts last, after its subscribers: it must wait for all
	// of them whatever the order, and each must see every message.
	code, out, stderr := runCLI(t, "", "bench", "--timeout", "10s", "pub_thr", ep, "64", "2000", "3")
	wg.Wait()
	if code != exitOK || out != "" {
		t.Fatalf("pub_thr: exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	for i, o := range outs {
		if m := thrOutput.FindStringSubmatch(o); m == nil || m[1] != "64" || m[2] != "2000" {
			t.Errorf("sub_thr %d output:\n%s", i, o)
		}
	}
}

func TestBenchFanoutEmptyMessages(t *testing.T) {
	// With SIZE 0 the end marker is one byte, so it still stands apart.
	ep := "ipc://" + filepath.Join(t.TempDir(), "empty")
	var sout string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var code int
		var stderr string
		if code, sout, stderr = runCLI(t, "", "bench", "--timeout", "10s", "sub_thr", ep, "0", "500"); code != exitOK {
			t.Errorf("sub_thr: exit %d: %s", code, stderr)
		}
	}()
	if code, _, stderr := runCLI(t, "", "bench", "--timeout", "10s", "pub_thr", ep, "0", "500", "1"); code != exitOK {
		t.Errorf("pub_thr: exit %d: %s", code, stderr)
	}
	wg.Wait()
	if m := thrOutput.FindStringSubmatch(sout); m == nil || m[1] != "0" || m[2] != "500" {
		t.Errorf("sub_thr output:\n%s", sout)
	}
}

// A subscriber that gets fewer messages than COUNT before the marker fails
// instead of reporting the rate of a lossy stream.
func TestBenchFanoutDetectsLoss(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "loss")
	pub, err := socket.New(socket.XPub, socket.WithLinger(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Bind(ep); err != nil {
		t.Fatal(err)
	}
	b := &bench{size: 100, count: 10, out: io.Discard}
	sub, err := b.open(socket.Sub, ep, false, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := sub.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if m, err := pub.Recv(ctx); err != nil || len(m.Frames) != 1 || string(m.Frames[0]) != "\x01" {
		t.Fatalf("subscription: %q, %v", m.Frames, err)
	}
	for range 5 {
		if err := pub.Send(ctx, socket.NewMsg(make([]byte, 100))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Send(ctx, fanoutMarker(100)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.receiveFanout(ctx, sub); !errors.Is(err, errBenchLost) {
		t.Errorf("5 of 10 then the marker: %v, want errBenchLost", err)
	}
}

func TestBenchRouterDealer(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "rd")
	lout, rout := runPair(t, []string{"router_thr", ep, "300", "3000"}, []string{"dealer_thr", ep, "300", "3000"})
	if m := thrOutput.FindStringSubmatch(lout); m == nil || m[1] != "300" || m[2] != "3000" {
		t.Errorf("router_thr output:\n%s", lout)
	}
	if rout != "" {
		t.Errorf("dealer_thr printed %q; it should print nothing, like remote_thr", rout)
	}
}

// router_thr refuses messages that are not one payload frame behind the
// routing id.
func TestBenchRouterRejectsMultipart(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "multi")
	b := &bench{size: 4, count: 3, out: io.Discard}
	router, err := b.open(socket.Router, ep, true, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer router.Close()
	dealer, err := socket.New(socket.Dealer, socket.WithLinger(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer dealer.Close()
	if err := dealer.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := dealer.Send(ctx, socket.NewMsg([]byte("abcd"), []byte("efgh"))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.receiveRouted(ctx, router); !errors.Is(err, errBenchFrame) {
		t.Errorf("two payload frames: %v, want errBenchFrame", err)
	}
}

func TestBenchPubTimesOutWithoutSubscribers(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "lonely")
	start := time.Now()
	code, _, stderr := runCLI(t, "", "bench", "--timeout", "200ms", "pub_thr", ep, "16", "10", "2")
	if code != exitError || !strings.Contains(stderr, "pub_thr") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to time out after 200ms", d)
	}
}

func TestBenchFanoutUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "pub_thr", "tcp://127.0.0.1:1", "16", "10"},
		{"bench", "pub_thr", "tcp://127.0.0.1:1", "16", "10", "-1"},
		{"bench", "pub_thr", "tcp://127.0.0.1:1", "16", "10", "x"},
		{"bench", "sub_thr", "tcp://127.0.0.1:1", "16", "10", "3"},
		{"bench", "router_thr", "tcp://127.0.0.1:1", "16"},
		{"bench", "dealer_thr", "tcp://127.0.0.1:1", "x", "10"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != exitUsage || !strings.Contains(stderr, "usage: purezmq bench") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}
